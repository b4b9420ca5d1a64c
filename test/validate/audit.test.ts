// Every ledger row audited; rejected/failed operations change nothing;
// duplicate NFC scans reported as information.
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { buildBaseline } from './support/baseline.js';
import { appendLedgerEntry } from './support/inject.js';
import { resetFestivalTables } from './support/reset.js';
import { expectFailures, result, validate } from './support/validation.js';

const db = await useTestDatabase();

describe('audit trail', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('unaudited-ledger-row: money moved with no audit record (defect missing_audit)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    await f.recharge(wallets.bob, 700, { defects: ['missing_audit'] });
    const report = await validate(db.url);
    expectFailures(report, { 'audit-coverage': 1 });
    expect(result(report, 'audit-coverage').witnesses).toEqual([
      expect.objectContaining({ wallet_id: wallets.bob, kind: 'recharge', amount_cents: 700 }),
    ]);
  });

  it('failed-op-changed-balance: a declined order that drained the wallet (defect failed_op_moves_money)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    const r = await f.order(wallets.dave, [['p-beer', 1]], { defects: ['failed_op_moves_money'] });
    expect(r).toMatchObject({ ok: false, code: 'insufficient_funds' });
    const report = await validate(db.url);
    // No ledger row either: the balance moved outside the ledger and the business records.
    expectFailures(report, { 'audit-failed-no-effect': 1, 'ledger-sum': 1, conservation: 1 });
    expect(result(report, 'audit-failed-no-effect').witnesses).toEqual([
      expect.objectContaining({ wallet_id: wallets.dave, transaction_type: 'order', status: 'rejected', code: 'insufficient_funds', previous_balance: 100, new_balance: 0 }),
    ]);
  });

  it('failed-op-changed-balance: a rejection audited as harmless whose transaction wrote a ledger row', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await appendLedgerEntryOn(client, wallets.dave);
      await client.query(
        `INSERT INTO app_transaction_log (wallet_id, transaction_type, status, code, amount_cents, previous_balance, new_balance)
         VALUES ($1, 'order', 'rejected', 'insufficient_funds', 0, 100, 100)`, [wallets.dave]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const report = await validate(db.url);
    expectFailures(report, { 'audit-failed-no-effect': 1, 'audit-coverage': 1, 'order-debits': 1, conservation: 1 });
    expect(result(report, 'audit-failed-no-effect').witnesses[0]).toMatchObject({ wallet_id: wallets.dave, status: 'rejected', previous_balance: 100, new_balance: 100, ledger_id: null });
    expect(result(report, 'order-debits').witnesses).toEqual([
      { kind: 'debit_without_order', order_id: null, wallet_id: wallets.dave, expected_debit_cents: 0, debits: 1, debited_cents: 50 },
    ]);
  });

  it('a completed operation with its audit record passes (audit rows need not be rejections)', async () => {
    const { wallets } = await buildBaseline(db.pool);
    await appendLedgerEntry(db.pool, { wallet: wallets.dave, kind: 'recharge', amountCents: 100, audit: 'completed' });
    // Only the business record is missing; the audit trail is complete.
    expectFailures(await validate(db.url), { 'recharge-credits': 1, conservation: 1 });
  });

  it('duplicate NFC scans within the window are information, never a failure', async () => {
    const { wallets } = await buildBaseline(db.pool);
    // Spread every scan a minute apart, then put two of Bob's within a second.
    await db.pool.query(`UPDATE nfc_scan_log SET scanned_at = now() - make_interval(mins => (1000 - id)::int)`);
    const spread = await validate(db.url);
    expect(result(spread, 'duplicate-scans').info).toMatchObject({ duplicate_scans: 0, window_seconds: 2 });
    await db.pool.query(
      `UPDATE nfc_scan_log SET scanned_at = (SELECT min(scanned_at) FROM nfc_scan_log WHERE wallet_id = $1) + interval '800 milliseconds'
       WHERE id = (SELECT max(id) FROM nfc_scan_log WHERE wallet_id = $1)`, [wallets.bob]);
    const report = await validate(db.url);
    expectFailures(report, {});
    const r = result(report, 'duplicate-scans');
    expect(r).toMatchObject({ ok: true, violations: 0 });
    expect(r.info).toMatchObject({ duplicate_scans: 1, examples: [expect.objectContaining({ wallet_id: wallets.bob, result: 'duplicate_entry', previous_result: 'admitted', seconds_apart: '0.800' })] });
  });
});

async function appendLedgerEntryOn(client: import('pg').PoolClient, wallet: string): Promise<void> {
  await client.query(`UPDATE wallets SET balance_cents = balance_cents - 50 WHERE id = $1`, [wallet]);
  await client.query(
    `INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents) SELECT $1, 'order', -50, balance_cents FROM wallets WHERE id = $1`,
    [wallet]);
}
