// No negative balance; ledger sum and balance chain; conservation.
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { buildBaseline } from './support/baseline.js';
import { appendLedgerEntry, one } from './support/inject.js';
import { resetFestivalTables } from './support/reset.js';
import { expectFailures, result, validate } from './support/validation.js';

const db = await useTestDatabase();

async function waitForLockWaiters(n: number): Promise<void> {
  await eventually(async () => (await db.pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%sp_process_bar_order%'`,
  )).rows[0].n as number, { what: `${n} blocked orders`, until: (waiting) => waiting >= n });
}

describe('balances and ledger', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('negative-balance: an order accepted without funds (defect no_funds_check)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    await f.order(wallets.dave, [['p-beer', 1]], { defects: ['no_funds_check'] });
    const report = await validate(db.url);
    expectFailures(report, { 'no-negative-balance': 1 });
    expect(result(report, 'no-negative-balance').witnesses).toEqual([{ wallet_id: wallets.dave, balance_cents: 100 - 650 }]);
  });

  it('negative-balance: a wallet seeded below zero', async () => {
    await buildBaseline(db.pool);
    await db.pool.query(`INSERT INTO wallets (id, balance_cents, opening_balance_cents) VALUES ('k6-test-w-minus', -300, -300)`);
    const report = await validate(db.url);
    expectFailures(report, { 'no-negative-balance': 1 });
    expect(result(report, 'no-negative-balance').witnesses[0]).toMatchObject({ wallet_id: 'k6-test-w-minus', balance_cents: -300 });
  });

  it('ledger-sum: a balance changed outside the ledger', async () => {
    const { wallets } = await buildBaseline(db.pool);
    await db.pool.query(`UPDATE wallets SET balance_cents = balance_cents - 650 WHERE id = $1`, [wallets.alice]);
    const report = await validate(db.url);
    // Conservation sees the same unexplained 650 from the business records' side.
    expectFailures(report, { 'ledger-sum': 1, conservation: 1 });
    expect(result(report, 'ledger-sum').witnesses).toEqual([
      expect.objectContaining({ wallet_id: wallets.alice, unexplained_cents: -650, ledger_rows: 3 }),
    ]);
  });

  it('ledger-chain: a ledger row whose balance_after does not follow from the previous row', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const last = await one<{ id: number }>(db.pool, `SELECT max(id) AS id FROM ledger WHERE wallet_id = $1`, [wallets.alice]);
    await db.pool.query(`UPDATE ledger SET balance_after_cents = balance_after_cents + 1 WHERE id = $1`, [last.id]);
    const report = await validate(db.url);
    expectFailures(report, { 'ledger-chain': 1 });
    expect(result(report, 'ledger-chain').witnesses).toEqual([
      expect.objectContaining({ ledger_id: Number(last.id), wallet_id: wallets.alice, kind: 'reentry_fee', amount_cents: -500, balance_after_cents: 1251, expected_balance_after_cents: 1250 }),
    ]);
  });

  it('ledger-chain: every link holds, but the chain starts one cent off the opening balance', async () => {
    // The amounts still sum to balance - opening (ledger-sum passes) and no row breaks from its
    // predecessor: only the chain's ends (first start vs opening, last end vs balance) differ.
    const { wallets } = await buildBaseline(db.pool);
    const first = await one<{ id: number }>(db.pool, `SELECT min(id) AS id FROM ledger WHERE wallet_id = $1`, [wallets.alice]);
    await db.pool.query(`UPDATE ledger SET balance_after_cents = balance_after_cents + 1 WHERE wallet_id = $1`, [wallets.alice]);
    const report = await validate(db.url);
    expectFailures(report, { 'ledger-chain': 1 });
    expect(result(report, 'ledger-chain').witnesses.map((w) => Number(w.ledger_id))).toEqual([Number(first.id)]);
  });

  it('ledger-chain: links that all hold, but not in id order (the same rows, their ids swapped)', async () => {
    // Every (balance before, balance after) link is still there, so a check of the links as a
    // set passes; only the order says the later id was written from the earlier balance.
    const { wallets } = await buildBaseline(db.pool);
    const rows = (await db.pool.query<{ id: string }>(`SELECT id FROM ledger WHERE wallet_id = $1 ORDER BY id DESC LIMIT 2`, [wallets.alice])).rows;
    const [later, earlier] = rows.map((r) => Number(r.id));
    const cols = 'kind, amount_cents, balance_after_cents, idempotency_key, reference_id';
    await db.pool.query(`
      UPDATE ledger l SET (${cols}) = (SELECT ${cols} FROM ledger o WHERE o.id = CASE l.id WHEN $1::bigint THEN $2::bigint ELSE $1::bigint END)
      WHERE l.id IN ($1, $2)`, [later, earlier]);
    const report = await validate(db.url);
    expectFailures(report, { 'ledger-chain': 2 });
    expect(result(report, 'ledger-chain').witnesses.map((w) => Number(w.ledger_id))).toEqual([earlier, later]);
  });

  it('lost update (defect lost_update, two orders forced to interleave): sum, chain and conservation break', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    const blocker = await db.pool.connect();
    try {
      // Hold the wallet row: both orders read the balance, then queue behind the lock.
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM wallets WHERE id = $1 FOR UPDATE', [wallets.alice]);
      const orders = Promise.all([
        f.order(wallets.alice, [['p-beer', 1]], { defects: ['lost_update'] }),
        f.order(wallets.alice, [['p-beer', 1]], { defects: ['lost_update'] }),
      ]);
      await waitForLockWaiters(2);
      await blocker.query('COMMIT');
      const answers = await orders;
      expect(answers.map((a) => a.http_status)).toEqual([201, 201]);
    } finally {
      blocker.release();
    }
    const report = await validate(db.url);
    expectFailures(report, { 'ledger-sum': 1, 'ledger-chain': 1, conservation: 1 });
    expect(result(report, 'ledger-sum').witnesses[0]).toMatchObject({ wallet_id: wallets.alice, unexplained_cents: 650 });
    expect(result(report, 'conservation').witnesses[0]).toMatchObject({ wallet_id: wallets.alice, unexplained_cents: 650 });
  });

  it('conservation: an order debited twice (ledger and balance agree, the business records do not)', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const order = await one<{ id: string; idempotency_key: string; total_cents: number }>(
      db.pool, `SELECT id::text, idempotency_key, total_cents::int FROM orders WHERE wallet_id = $1`, [wallets.carol]);
    await appendLedgerEntry(db.pool, { wallet: wallets.carol, kind: 'order', amountCents: -order.total_cents, key: order.idempotency_key, reference: order.id });
    const report = await validate(db.url);
    expectFailures(report, { conservation: 1, 'order-debits': 1, 'idempotency-once': 1 });
    expect(result(report, 'conservation').witnesses).toEqual([
      { wallet_id: wallets.carol, credited_cents: 2000, debited_cents: 650, balance_moved_cents: 2000 - 1300, unexplained_cents: -650 },
    ]);
    expect(result(report, 'conservation').info!.totals).toMatchObject({ unexplained_cents: -650 });
  });
});
