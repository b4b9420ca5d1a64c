// A key is applied once; no key stuck in progress; replays have no effect.
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { buildBaseline } from './support/baseline.js';
import { appendLedgerEntry, one } from './support/inject.js';
import { resetFestivalTables } from './support/reset.js';
import { expectFailures, result, tempResultsDir, validate, writeSummary } from './support/validation.js';

const db = await useTestDatabase();

describe('idempotency', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('key-applied-twice: a replay charged again (defect replay_double_charge)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    const first = await f.order(wallets.alice, [['p-water', 1]]);
    const replay = await f.order(wallets.alice, [['p-water', 1]], { key: first.key as string, defects: ['replay_double_charge'] });
    expect(replay.replayed).toBe(true); // the client sees an ordinary replay...
    const resultsDir = tempResultsDir();
    writeSummary(resultsDir, 'run-1', f.summary());
    const report = await validate(db.url, { runId: 'run-1', resultsDir });
    // ...but the database holds two orders and two debits for one key, one more than was acked.
    expectFailures(report, { 'idempotency-once': 1, 'reconcile-phantom-writes': 2 });
    expect(result(report, 'idempotency-once').witnesses).toEqual([{ key: first.key, wallet_id: wallets.alice, applied: 'ledger x2, orders x2' }]);
    expect(result(report, 'reconcile-phantom-writes').witnesses).toEqual([
      { op: 'order', measure: 'count', acked: 4, indeterminate: 0, held: 5, phantom: 1 },
      { op: 'order', measure: 'cents', acked: 3000, indeterminate: 0, held: 3300, phantom: 300 },
    ]);
  });

  it('key-applied-twice: a recharge key applied to two recharges', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const r = await one<{ id: string; idempotency_key: string }>(db.pool, `SELECT id::text, idempotency_key FROM recharges WHERE wallet_id = $1`, [wallets.alice]);
    const { rows: [dup] } = await db.pool.query(
      `INSERT INTO recharges (wallet_id, amount_cents, checkpoint_id, method, idempotency_key) VALUES ($1, 1000, 'cp-1', 'cash', $2) RETURNING id::text`,
      [wallets.alice, r.idempotency_key]);
    await appendLedgerEntry(db.pool, { wallet: wallets.alice, kind: 'recharge', amountCents: 1000, key: r.idempotency_key, reference: dup.id });
    const report = await validate(db.url);
    expectFailures(report, { 'idempotency-once': 1 });
    expect(result(report, 'idempotency-once').witnesses[0]).toEqual({ key: r.idempotency_key, wallet_id: wallets.alice, applied: 'ledger x2, recharges x2' });
  });

  it('stuck-idempotency-key: in_progress past the bound fails; a fresh one is information', async () => {
    const { wallets } = await buildBaseline(db.pool);
    await db.pool.query(
      `INSERT INTO idempotency_keys (key, operation, wallet_id, request_hash, status, locked_at) VALUES
         ('run-1:order:900', 'order', $1, 'h', 'in_progress', now() - interval '10 minutes'),
         ('run-1:order:901', 'order', $1, 'h', 'in_progress', now() - interval '5 seconds'),
         ('run-0:order:902', 'order', $1, 'h', 'in_progress', now() - interval '1 hour')`,
      [wallets.bob]);
    const all = await validate(db.url);
    expectFailures(all, { 'idempotency-stuck': 2 });
    // Scoped to run-1, the earlier run's stuck key is not this run's failure.
    const run1 = await validate(db.url, { runId: 'run-1', checkers: ['idempotency-stuck'] });
    expectFailures(run1, { 'idempotency-stuck': 1 });
    const r = result(run1, 'idempotency-stuck');
    expect(r.witnesses).toEqual([expect.objectContaining({ key: 'run-1:order:900', operation: 'order', wallet_id: wallets.bob })]);
    expect(r.witnesses[0]!.age_seconds).toBeGreaterThanOrEqual(599);
    expect(r.info).toEqual({ bound_seconds: 60, fresh_in_progress: 1 });
    // A longer bound tolerates it.
    expectFailures(await validate(db.url, { runId: 'run-1', bounds: { stuckKeySeconds: 3600 } }), {});
  });

  it('replay-with-effect: a replay that credited the wallet again', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const r = await one<{ id: string; idempotency_key: string }>(db.pool, `SELECT id::text, idempotency_key FROM recharges WHERE wallet_id = $1`, [wallets.alice]);
    const ledgerId = await appendLedgerEntry(db.pool, { wallet: wallets.alice, kind: 'recharge', amountCents: 1000, key: r.idempotency_key, reference: r.id, audit: 'replayed' });
    const report = await validate(db.url);
    expectFailures(report, { 'idempotency-replays': 1, 'idempotency-once': 1, 'recharge-credits': 1, conservation: 1 });
    expect(result(report, 'idempotency-replays').witnesses).toEqual([
      expect.objectContaining({ wallet_id: wallets.alice, transaction_type: 'recharge', ledger_id: ledgerId, amount_cents: 1000, ledger_row_same_transaction: ledgerId }),
    ]);
  });

  it('replay-with-effect: a replay that moved the balance without a ledger row', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const replayed = await one<{ id: number }>(db.pool, `SELECT id FROM app_transaction_log WHERE status = 'replayed' AND transaction_type = 'order'`);
    // Bob's terminal retry was answered from the stored result, yet the balance moved again.
    await db.pool.query(`UPDATE app_transaction_log SET new_balance = previous_balance - 300 WHERE id = $1`, [replayed.id]);
    await db.pool.query(`UPDATE wallets SET balance_cents = balance_cents - 300 WHERE id = $1`, [wallets.bob]);
    const report = await validate(db.url);
    expectFailures(report, { 'idempotency-replays': 1, 'ledger-sum': 1, conservation: 1 });
    expect(result(report, 'idempotency-replays').witnesses).toEqual([
      { audit_id: Number(replayed.id), wallet_id: wallets.bob, transaction_type: 'order', idempotency_key: expect.stringMatching(/^run-1:order:/), ledger_id: null,
        previous_balance: 700, new_balance: 400, amount_cents: 0, ledger_row_same_transaction: null },
    ]);
  });

  it('replay-with-effect: a replay audited as harmless whose transaction still wrote a ledger row', async () => {
    const { wallets } = await buildBaseline(db.pool);
    // The audit row claims nothing happened; the ledger row in the same transaction says otherwise.
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE wallets SET balance_cents = balance_cents - 300 WHERE id = $1`, [wallets.bob]);
      await client.query(
        `INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents, idempotency_key)
         SELECT $1, 'order', -300, balance_cents, 'run-1:order:x' FROM wallets WHERE id = $1`, [wallets.bob]);
      await client.query(
        `INSERT INTO app_transaction_log (wallet_id, transaction_type, status, amount_cents, previous_balance, new_balance, idempotency_key)
         VALUES ($1, 'order', 'replayed', 0, 400, 400, 'run-1:order:x')`, [wallets.bob]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const report = await validate(db.url);
    expectFailures(report, { 'idempotency-replays': 1, 'audit-coverage': 1, 'order-debits': 1, conservation: 1 });
    expect(result(report, 'idempotency-replays').witnesses[0]).toMatchObject({ wallet_id: wallets.bob, ledger_id: null, previous_balance: 400, new_balance: 400 });
  });
});
