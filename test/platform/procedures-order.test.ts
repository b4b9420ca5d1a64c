// sp_process_bar_order: pricing and fee split, atomic debit under concurrency, validation, and the
// order defect modes (lost_update, replay_double_charge, fee_rounding, failed_op_moves_money, no_funds_check).
import { beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { platformFee } from '../../core/fees.js';
import { useTestDatabase } from '../support/db.js';
import {
  CATALOG, call, count, createWallet, defectPool, ledgerCheck, seedCatalog, setSettings, stateSnapshot, wallet,
} from '../support/sql-fixtures.js';

const db = await useTestDatabase();
await seedCatalog(db.pool);
const T = CATALOG.terminal;
let seq = 0;
const key = (tag = 'o') => `order-${tag}-${++seq}`;
type Line = { product_id: string; quantity: unknown };
const line = (p: { id: string }, quantity: unknown = 1): Line => ({ product_id: p.id, quantity });
const order = (pool: pg.Pool, w: string, items: unknown, k = key()) =>
  call(pool, 'sp_process_bar_order', k, w, T, typeof items === 'string' ? items : JSON.stringify(items));

beforeEach(async () => {
  await setSettings(db.pool, { feeBps: 250 });
});

describe('orders', () => {
  it('prices from products, splits fee half-up, debits, writes order/lines/ledger/audit', async () => {
    const w = await createWallet(db.pool, 'ord-basic', { balance: 5000 });
    const k = key();
    const r = await order(db.pool, w, [line(CATALOG.beer, 2), line(CATALOG.water, 3)], k);
    const total = 2 * 650 + 3 * 250;
    const fee = platformFee(total, 250);
    expect(r).toEqual({
      ok: true, http_status: 201, order_id: expect.stringMatching(/^[0-9a-f-]{36}$/), total_cents: total,
      platform_fee_cents: fee, vendor_share_cents: total - fee, balance_cents: 5000 - total,
    });
    const o = (await db.pool.query(`SELECT * FROM orders WHERE id = $1`, [r.order_id])).rows[0];
    expect(o).toMatchObject({
      wallet_id: w, terminal_id: T, vendor_id: CATALOG.vendor, total_cents: String(total), platform_fee_cents: String(fee),
      vendor_share_cents: String(total - fee), fee_bps: 250, status: 'completed', idempotency_key: k,
    });
    const lines = (await db.pool.query(`SELECT line_no, product_id, quantity, unit_price_cents, line_total_cents FROM order_lines WHERE order_id = $1 ORDER BY line_no`, [r.order_id])).rows;
    expect(lines).toEqual([
      { line_no: 1, product_id: CATALOG.beer.id, quantity: 2, unit_price_cents: '650', line_total_cents: '1300' },
      { line_no: 2, product_id: CATALOG.water.id, quantity: 3, unit_price_cents: '250', line_total_cents: '750' },
    ]);
    const led = (await db.pool.query(`SELECT id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id FROM ledger WHERE wallet_id = $1`, [w])).rows;
    expect(led).toEqual([{ id: expect.any(String), kind: 'order', amount_cents: String(-total), balance_after_cents: String(5000 - total), idempotency_key: k, reference_id: r.order_id }]);
    const audit = (await db.pool.query(`SELECT transaction_type, status, amount_cents, previous_balance, new_balance, ledger_id, reference_id FROM app_transaction_log WHERE idempotency_key = $1`, [k])).rows;
    expect(audit).toEqual([{ transaction_type: 'order', status: 'completed', amount_cents: String(-total), previous_balance: '5000', new_balance: String(5000 - total), ledger_id: led[0]!.id, reference_id: r.order_id }]);
  });

  it('fee rounds half-up like core/fees.ts for a range of totals, and fee + vendor share = total', async () => {
    await setSettings(db.pool, { feeBps: 275 });
    const w = await createWallet(db.pool, 'ord-fees', { balance: 10_000_000 });
    for (const q of [1, 2, 3, 7, 13, 20, 37, 99, 100]) {
      for (const p of [CATALOG.cent20, CATALOG.water, CATALOG.beer]) {
        const r = await order(db.pool, w, [line(p, q)]);
        const total = p.price * q;
        expect(r).toMatchObject({ total_cents: total, platform_fee_cents: platformFee(total, 275), vendor_share_cents: total - platformFee(total, 275) });
      }
    }
    await setSettings(db.pool, { feeBps: 250 });
    expect(await order(db.pool, w, [line(CATALOG.cent20)])).toMatchObject({ total_cents: 20, platform_fee_cents: 1, vendor_share_cents: 19 });
    const bad = await count(db.pool, `orders WHERE wallet_id = $1 AND platform_fee_cents + vendor_share_cents <> total_cents`, [w]);
    expect(bad).toBe(0);
  });

  it('an order for exactly the balance succeeds; one cent short is 402 and changes nothing', async () => {
    const exact = await createWallet(db.pool, 'ord-exact', { balance: 650 });
    expect(await order(db.pool, exact, [line(CATALOG.beer)])).toMatchObject({ ok: true, balance_cents: 0 });
    const short = await createWallet(db.pool, 'ord-short', { balance: 649 });
    const before = await stateSnapshot(db.pool);
    const k = key();
    expect(await order(db.pool, short, [line(CATALOG.beer)], k)).toMatchObject({ ok: false, http_status: 402, code: 'insufficient_funds' });
    const after = await stateSnapshot(db.pool);
    expect({ ...after, idempotency_keys: 0 }).toEqual({ ...before, idempotency_keys: 0 });
    const audit = (await db.pool.query(`SELECT status, code, amount_cents, previous_balance, new_balance, ledger_id FROM app_transaction_log WHERE idempotency_key = $1`, [k])).rows;
    expect(audit).toEqual([{ status: 'rejected', code: 'insufficient_funds', amount_cents: '0', previous_balance: '649', new_balance: '649', ledger_id: null }]);
  });

  it('50 parallel orders on one wallet never go negative; ledger sums to balance and chains', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 25 });
    try {
      const w = await createWallet(db.pool, 'ord-race', { balance: 10_000 });
      const results = await Promise.all(Array.from({ length: 50 }, () => order(pool, w, [line(CATALOG.beer)])));
      const ok = results.filter((r) => r.ok);
      expect(ok).toHaveLength(15); // floor(10000 / 650)
      expect(results.filter((r) => r.code === 'insufficient_funds')).toHaveLength(35);
      const bal = (await wallet(db.pool, w)).balance;
      expect(bal).toBe(10_000 - 15 * 650);
      expect(await ledgerCheck(db.pool, w)).toMatchObject({ sumMatches: true, chainIntact: true, rows: 15 });
      expect(await count(db.pool, `app_transaction_log WHERE wallet_id = $1`, [w])).toBe(50);
      expect(await count(db.pool, `app_transaction_log WHERE wallet_id = $1 AND new_balance < 0`, [w])).toBe(0);
      // Every acknowledged balance is distinct: each success saw its predecessor's debit.
      expect(new Set(ok.map((r) => r.balance_cents)).size).toBe(15);
    } finally {
      await pool.end();
    }
  });

  it('bad input: 400 validation_failed or 422 unknown_*, never an SQL error, nothing changes', async () => {
    const w = await createWallet(db.pool, 'ord-bad', { balance: 100_000 });
    const blocked = await createWallet(db.pool, 'ord-blocked', { balance: 100_000, status: 'blocked' });
    const before = await stateSnapshot(db.pool);
    const cases: Array<[unknown, number, string]> = [
      ['{"product_id":"p-beer","quantity":1}', 400, 'validation_failed'], // object, not array
      ['"p-beer"', 400, 'validation_failed'],
      ['null', 400, 'validation_failed'],
      ['[]', 400, 'validation_failed'],
      [Array.from({ length: 51 }, () => line(CATALOG.water)), 400, 'validation_failed'],
      [[line(CATALOG.beer, 0)], 400, 'validation_failed'],
      [[line(CATALOG.beer, -1)], 400, 'validation_failed'],
      [[line(CATALOG.beer, 101)], 400, 'validation_failed'],
      [[line(CATALOG.beer, 1.5)], 400, 'validation_failed'],
      [[line(CATALOG.beer, '2')], 400, 'validation_failed'],
      [[line(CATALOG.beer, null)], 400, 'validation_failed'],
      ['[{"product_id":"p-beer","quantity":1e400}]', 400, 'validation_failed'],
      [[{ quantity: 1 }], 400, 'validation_failed'],
      [[{ product_id: 7, quantity: 1 }], 400, 'validation_failed'],
      [[{ product_id: '', quantity: 1 }], 400, 'validation_failed'],
      [[{ product_id: 'p'.repeat(3000), quantity: 1 }], 400, 'validation_failed'],
      [[line(CATALOG.beer), 'p-water'], 400, 'validation_failed'],
      [[line(CATALOG.beer), line({ id: 'p-ghost' })], 422, 'unknown_product'],
      [[line(CATALOG.retired)], 422, 'unknown_product'],
    ];
    for (const [items, status, code] of cases) {
      const r = await order(db.pool, w, items);
      expect({ items, status: r.http_status, code: r.code, ok: r.ok }).toEqual({ items, status, code, ok: false });
    }
    expect(await call(db.pool, 'sp_process_bar_order', key(), w, null, JSON.stringify([line(CATALOG.beer)]))).toMatchObject({ http_status: 400, code: 'validation_failed' });
    expect(await call(db.pool, 'sp_process_bar_order', key(), w, 't-ghost', JSON.stringify([line(CATALOG.beer)]))).toMatchObject({ http_status: 422, code: 'unknown_terminal' });
    expect(await call(db.pool, 'sp_process_bar_order', key(), '', T, JSON.stringify([line(CATALOG.beer)]))).toMatchObject({ http_status: 400, code: 'validation_failed' });
    expect(await order(db.pool, 'ord-nobody', [line(CATALOG.beer)])).toMatchObject({ http_status: 404, code: 'wallet_not_found' });
    expect(await order(db.pool, blocked, [line(CATALOG.beer)])).toMatchObject({ http_status: 403, code: 'wallet_blocked' });
    const after = await stateSnapshot(db.pool);
    expect(Number(after.idempotency_keys)).toBe(Number(before.idempotency_keys) + 5); // 2x422 product, 422 terminal, 404, 403
    expect({ ...after, idempotency_keys: 0 }).toEqual({ ...before, idempotency_keys: 0 });
    // 50 lines and quantity 100 are still fine.
    expect(await order(db.pool, w, Array.from({ length: 50 }, () => line(CATALOG.cent20, 100)))).toMatchObject({ ok: true, total_cents: 100_000 });
  });
});

describe('defect modes', () => {
  it('lost_update: concurrent orders lose debits (ledger sum ≠ balance, chain broken); correct without it', async () => {
    const bug = defectPool(db.url, 'lost_update', 20);
    const good = new pg.Pool({ connectionString: db.url, max: 20 });
    try {
      for (const [pool, buggy] of [[good, false], [bug, true]] as const) {
        const w = await createWallet(db.pool, `ord-lost-${buggy}`, { balance: 100_000 });
        const results = await Promise.all(Array.from({ length: 20 }, () => order(pool, w, [line(CATALOG.beer)])));
        expect(results.every((r) => r.ok)).toBe(true);
        const check = await ledgerCheck(db.pool, w);
        expect(check.rows).toBe(20);
        expect(check.sumMatches).toBe(!buggy);
        expect(check.chainIntact).toBe(!buggy);
        if (buggy) expect(check.balance).toBeGreaterThan(100_000 - 20 * 650); // debits were lost
      }
    } finally {
      await bug.end();
      await good.end();
    }
  });

  it('replay_double_charge: a replay charges again under the same key but answers replayed', async () => {
    const bug = defectPool(db.url, 'replay_double_charge');
    try {
      for (const [pool, buggy] of [[db.pool, false], [bug, true]] as const) {
        const w = await createWallet(db.pool, `ord-replay-${buggy}`, { balance: 5000 });
        const k = key('replay');
        const first = await order(pool, w, [line(CATALOG.beer)], k);
        const second = await order(pool, w, [line(CATALOG.beer)], k);
        expect(second).toEqual({ ...first, replayed: true });
        expect(await count(db.pool, 'orders WHERE idempotency_key = $1', [k])).toBe(buggy ? 2 : 1);
        expect(await count(db.pool, 'ledger WHERE idempotency_key = $1', [k])).toBe(buggy ? 2 : 1);
        expect((await wallet(db.pool, w)).balance).toBe(buggy ? 5000 - 1300 : 5000 - 650);
      }
      // A stored rejection is not re-run (it moved no money the first time either).
      const poor = await createWallet(db.pool, 'ord-replay-poor', { balance: 10 });
      const k = key('replay');
      await order(bug, poor, [line(CATALOG.beer)], k);
      expect(await order(bug, poor, [line(CATALOG.beer)], k)).toMatchObject({ code: 'insufficient_funds', replayed: true });
    } finally {
      await bug.end();
    }
  });

  it('fee_rounding: stored fee is truncated while vendor share uses the half-up fee', async () => {
    const bug = defectPool(db.url, 'fee_rounding');
    try {
      for (const [pool, buggy] of [[db.pool, false], [bug, true]] as const) {
        const w = await createWallet(db.pool, `ord-fee-${buggy}`, { balance: 5000 });
        const r = await order(pool, w, [line(CATALOG.cent20)]); // 20 * 2.5 % = 0.5 cent
        expect(r).toMatchObject({ total_cents: 20, platform_fee_cents: buggy ? 0 : 1, vendor_share_cents: 19 });
        const o = (await db.pool.query(`SELECT total_cents, platform_fee_cents + vendor_share_cents AS parts FROM orders WHERE id = $1`, [r.order_id])).rows[0];
        expect(o.parts === o.total_cents).toBe(!buggy);
        // When the fee is exact (1000 * 2.5 % = 25) the defect leaves no trace.
        const exact = await order(pool, w, [line(CATALOG.water, 4)]);
        expect(exact).toMatchObject({ total_cents: 1000, platform_fee_cents: 25, vendor_share_cents: 975 });
      }
    } finally {
      await bug.end();
    }
  });

  it('failed_op_moves_money: a declined order still drains min(balance, total), unledgered', async () => {
    const bug = defectPool(db.url, 'failed_op_moves_money');
    try {
      for (const [pool, buggy] of [[db.pool, false], [bug, true]] as const) {
        const w = await createWallet(db.pool, `ord-failmoves-${buggy}`, { balance: 300 });
        const k = key('failmoves');
        expect(await order(pool, w, [line(CATALOG.beer)], k)).toMatchObject({ ok: false, http_status: 402, code: 'insufficient_funds' });
        expect((await wallet(db.pool, w)).balance).toBe(buggy ? 0 : 300);
        expect(await count(db.pool, 'ledger WHERE wallet_id = $1', [w])).toBe(0);
        const a = (await db.pool.query(`SELECT status, previous_balance, new_balance FROM app_transaction_log WHERE idempotency_key = $1`, [k])).rows;
        expect(a).toEqual([{ status: 'rejected', previous_balance: '300', new_balance: buggy ? '0' : '300' }]);
        expect((await ledgerCheck(db.pool, w)).sumMatches).toBe(!buggy);
      }
    } finally {
      await bug.end();
    }
  });

  it('no_funds_check: orders drive the balance negative', async () => {
    const bug = defectPool(db.url, 'no_funds_check');
    try {
      for (const [pool, buggy] of [[db.pool, false], [bug, true]] as const) {
        const w = await createWallet(db.pool, `ord-nofunds-${buggy}`, { balance: 1000 });
        const results = [];
        for (let i = 0; i < 3; i++) results.push(await order(pool, w, [line(CATALOG.beer)]));
        expect(results.map((r) => r.http_status)).toEqual(buggy ? [201, 201, 201] : [201, 402, 402]);
        const bal = (await wallet(db.pool, w)).balance;
        expect(bal).toBe(buggy ? 1000 - 3 * 650 : 350);
        expect(bal < 0).toBe(buggy);
        // The ledger still agrees: this defect is caught by the non-negative check, not reconciliation.
        expect(await ledgerCheck(db.pool, w)).toMatchObject({ sumMatches: true, chainIntact: true });
      }
    } finally {
      await bug.end();
    }
  });
});
