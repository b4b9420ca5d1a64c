// Order totals, fee split; and each order debited exactly once.
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { buildBaseline } from './support/baseline.js';
import { one } from './support/inject.js';
import { resetFestivalTables } from './support/reset.js';
import { expectFailures, result, validate } from './support/validation.js';

const db = await useTestDatabase();

const orderOf = (wallet: string) =>
  one<{ id: string }>(db.pool, `SELECT id::text FROM orders WHERE wallet_id = $1 ORDER BY created_at LIMIT 1`, [wallet]);

describe('orders', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('fee-split: the fee rounded the wrong way (defect fee_rounding), so fee + vendor share != total', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    // 300 x 2.5 % = 7.5: half-up 8; the defect stores 7 next to a vendor share of 292.
    const r = await f.order(wallets.alice, [['p-water', 1]], { defects: ['fee_rounding'] });
    const report = await validate(db.url);
    expectFailures(report, { 'order-fee-split': 1 });
    expect(result(report, 'order-fee-split').witnesses).toEqual([
      { order_id: r.order_id, wallet_id: wallets.alice, total_cents: 300, fee_bps: 250, platform_fee_cents: 7, expected_fee_cents: 8, vendor_share_cents: 292 },
    ]);
  });

  it('fee-split: vendor share + fee != total, with the right fee', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const o = await orderOf(wallets.bob);
    await db.pool.query(`UPDATE orders SET vendor_share_cents = vendor_share_cents + 1 WHERE id = $1`, [o.id]);
    const report = await validate(db.url);
    expectFailures(report, { 'order-fee-split': 1 });
    expect(result(report, 'order-fee-split').witnesses[0]).toMatchObject({ order_id: o.id, total_cents: 300, platform_fee_cents: 8, expected_fee_cents: 8, vendor_share_cents: 293 });
  });

  it('order-totals: total != sum of lines', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const o = await orderOf(wallets.alice);
    // Three beers on the slip, two charged.
    await db.pool.query(`UPDATE order_lines SET quantity = 3, line_total_cents = 1950 WHERE order_id = $1 AND line_no = 1`, [o.id]);
    const report = await validate(db.url);
    expectFailures(report, { 'order-totals': 1 });
    expect(result(report, 'order-totals').witnesses).toEqual([
      { order_id: o.id, wallet_id: wallets.alice, total_cents: 1750, lines_total_cents: 2400, lines: 2, bad_line_totals: 0, lines_off_price: 0 },
    ]);
  });

  it('order-totals: a line charged at a price that is not the product\'s', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const o = await orderOf(wallets.bob);
    await db.pool.query(`UPDATE products SET price_cents = 350 WHERE id = 'k6-test-p-water'`);
    const report = await validate(db.url);
    expectFailures(report, { 'order-totals': 1 });
    expect(result(report, 'order-totals').witnesses[0]).toMatchObject({ order_id: o.id, lines_off_price: 1 });
  });

  it('order-totals: a line whose total is not quantity x unit price', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const o = await orderOf(wallets.alice);
    await db.pool.query(`UPDATE order_lines SET line_total_cents = line_total_cents + 10 WHERE order_id = $1 AND line_no = 2`, [o.id]);
    await db.pool.query(`UPDATE order_lines SET line_total_cents = line_total_cents - 10 WHERE order_id = $1 AND line_no = 1`, [o.id]);
    const report = await validate(db.url);
    expectFailures(report, { 'order-totals': 1 });
    expect(result(report, 'order-totals').witnesses[0]).toMatchObject({ order_id: o.id, total_cents: 1750, lines_total_cents: 1750, bad_line_totals: 2 });
  });

  it('order-totals: an order with no lines at all', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const o = await orderOf(wallets.bob);
    await db.pool.query(`DELETE FROM order_lines WHERE order_id = $1`, [o.id]);
    const report = await validate(db.url);
    expectFailures(report, { 'order-totals': 1 });
    expect(result(report, 'order-totals').witnesses).toEqual([
      { order_id: o.id, wallet_id: wallets.bob, total_cents: 300, lines_total_cents: 0, lines: 0, bad_line_totals: 0, lines_off_price: 0 },
    ]);
  });

  it('order-debits: an order recorded but never debited', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const o = await orderOf(wallets.carol);
    // The debit row vanished with its audit record and balance effect: only the order remains.
    await db.pool.query(`DELETE FROM app_transaction_log WHERE ledger_id IN (SELECT id FROM ledger WHERE reference_id = $1)`, [o.id]);
    await db.pool.query(`DELETE FROM ledger WHERE reference_id = $1`, [o.id]);
    await db.pool.query(`UPDATE wallets SET balance_cents = balance_cents + 650 WHERE id = $1`, [wallets.carol]);
    const report = await validate(db.url);
    expectFailures(report, { 'order-debits': 1, conservation: 1 });
    expect(result(report, 'order-debits').witnesses).toEqual([
      { kind: 'order_debit_mismatch', order_id: o.id, wallet_id: wallets.carol, expected_debit_cents: 650, debits: 0, debited_cents: 0 },
    ]);
  });
});
