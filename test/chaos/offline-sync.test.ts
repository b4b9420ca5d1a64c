// Offline terminal sync (platform/migrations/003_offline_sync.sql and both HTTP surfaces): sales
// a terminal made offline are applied in device order; what a wallet can no longer cover is an
// offline shortfall (debited what was there, never below zero); a replayed sync changes nothing;
// syncs racing online orders on the same wallets keep every validator invariant.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKER, runValidation } from '../../validate/index.js';
import { useTestDatabase } from '../support/db.js';
import { call, dbFootprint, startTarget, type RunningTarget } from '../support/target.js';

const db = await useTestDatabase();
const P = 'k6-test-';
const BEER = `${P}p-beer`; // 650
const WATER = `${P}p-water`; // 250
const TILL = `${P}till-1`;

beforeAll(async () => {
  await db.pool.query(`INSERT INTO vendors (id, name) VALUES ('${P}v-bar', 'Bar')`);
  await db.pool.query(`INSERT INTO products (id, vendor_id, name, price_cents) VALUES ($1, '${P}v-bar', 'Beer', 650), ($2, '${P}v-bar', 'Water', 250)`, [BEER, WATER]);
  await db.pool.query(`INSERT INTO terminals (id, vendor_id, name) VALUES ('${P}till-1', '${P}v-bar', 'Till 1'), ('${P}till-2', '${P}v-bar', 'Till 2'), ('${P}till-3', '${P}v-bar', 'Till 3')`);
});

let n = 0;
async function wallet(balance: number, status: 'active' | 'blocked' = 'active'): Promise<string> {
  const id = `${P}w-${++n}`;
  await db.pool.query('INSERT INTO wallets (id, status, balance_cents, opening_balance_cents) VALUES ($1, $2, $3, $3)', [id, status, balance]);
  return id;
}

const balanceOf = async (id: string) => Number((await db.pool.query('SELECT balance_cents FROM wallets WHERE id = $1', [id])).rows[0].balance_cents);

interface Sale { device_order_id: string; device_seq: number; wallet_id: string; items: Array<{ product_id: string; quantity: number }>; idempotency_key?: string }
const sale = (seq: number, walletId: string, product = BEER, quantity = 1, extra: Partial<Sale> = {}): Sale =>
  ({ device_order_id: `${TILL}-d${seq}-${walletId}`, device_seq: seq, wallet_id: walletId, items: [{ product_id: product, quantity }], ...extra });

async function sync(key: string, orders: unknown, terminal = TILL, on: Pick<pg.Pool, 'query'> = db.pool): Promise<any> {
  return (await on.query('SELECT sp_sync_offline_orders($1, $2, $3::jsonb) AS r', [key, terminal, JSON.stringify(orders)])).rows[0].r;
}

describe('sp_sync_offline_orders', () => {
  it('applies sales in device order and records what a wallet cannot cover as a shortfall', async () => {
    const w = await wallet(1000);
    // listed out of order: the device sequence decides
    const r = await sync('s-1', [sale(3, w), sale(1, w), sale(2, w)]);
    expect(r).toMatchObject({ ok: true, http_status: 200, orders: 3, applied: 3, duplicates: 0, rejected: 0, shortfall_orders: 2, shortfall_cents: 950, debited_cents: 1000 });
    expect(r.results.map((x: any) => [x.device_seq, x.status, x.debited_cents, x.shortfall_cents, x.balance_cents])).toEqual([
      [1, 'completed', 650, 0, 350],
      [2, 'offline_shortfall', 350, 300, 0],
      [3, 'offline_shortfall', 0, 650, 0],
    ]);
    expect(await balanceOf(w)).toBe(0);
    const orders = await db.pool.query(`SELECT o.status, o.total_cents, o.shortfall_cents, o.device_seq, l.amount_cents, l.balance_after_cents
      FROM orders o JOIN ledger l ON l.reference_id = o.id::text WHERE o.wallet_id = $1 ORDER BY o.device_seq`, [w]);
    expect(orders.rows.map((o) => [o.status, Number(o.total_cents), Number(o.shortfall_cents), Number(o.amount_cents), Number(o.balance_after_cents)])).toEqual([
      ['completed', 650, 0, -650, 350],
      ['offline_shortfall', 650, 300, -350, 0],
      ['offline_shortfall', 650, 650, 0, 0], // one ledger row per order, even when nothing was covered
    ]);
    const audit = await db.pool.query(`SELECT status, code, amount_cents FROM app_transaction_log WHERE wallet_id = $1 ORDER BY id`, [w]);
    expect(audit.rows.map((a) => [a.status, a.code, Number(a.amount_cents)])).toEqual([['completed', null, -650], ['completed', 'offline_shortfall', -350], ['completed', 'offline_shortfall', 0]]);
  });

  it('is idempotent: a replayed sync, a re-sync under a new key, a sale first sent online', async () => {
    const w = await wallet(2000);
    const orders = [sale(1, w), sale(2, w, WATER, 2, { idempotency_key: 'run-x:order:key-2' })];
    const first = await sync('s-2', orders);
    const before = await dbFootprint(db.pool);
    const replay = await sync('s-2', orders);
    expect(replay.replayed).toBe(true);
    expect(replay.results).toEqual(first.results);
    const resync = await sync('s-3', orders);
    expect(resync).toMatchObject({ applied: 0, duplicates: 2, debited_cents: 0 });
    expect(resync.results.map((x: any) => [x.duplicate, x.order_id])).toEqual(first.results.map((x: any) => [true, x.order_id]));
    const after = await dbFootprint(db.pool);
    expect({ ...after, audit: before.audit, idempotency_keys: before.idempotency_keys }).toEqual(before); // only audit rows and the new batch key
    expect(await sync('s-2', [sale(1, w)])).toMatchObject({ ok: false, http_status: 422, code: 'idempotency_key_reused' });

    // A sale whose online answer was lost, queued offline, synced later with the same key.
    const key = 'run-x:order:lost-answer';
    const online = (await db.pool.query(`SELECT sp_process_bar_order($1, $2, $3, $4::jsonb) AS r`, [key, w, TILL, JSON.stringify([{ product_id: BEER, quantity: 1 }])])).rows[0].r;
    const late = await sync('s-4', [sale(9, w, BEER, 1, { idempotency_key: key })]);
    expect(late.results[0]).toMatchObject({ duplicate: true, order_id: online.order_id, http_status: 201 });
    expect(await balanceOf(w)).toBe(2000 - 650 - 500 - 650);
  });

  it('never debits a blocked wristband; rejects unknown wallets and reused device ids; validates the batch', async () => {
    const blocked = await wallet(5000, 'blocked');
    const ok = await wallet(5000);
    const r = await sync('s-5', [sale(1, blocked), sale(2, `${P}no-such-wallet`), sale(3, ok)]);
    expect(r.results.map((x: any) => [x.device_seq, x.ok, x.status ?? x.code, x.code ?? null, x.debited_cents ?? null])).toEqual([
      [1, true, 'offline_shortfall', 'wallet_blocked', 0],
      [2, false, 'wallet_not_found', 'wallet_not_found', null],
      [3, true, 'completed', null, 650],
    ]);
    expect(await balanceOf(blocked)).toBe(5000);
    // the same device order id under another key is a different sale: refused
    const conflict = await sync('s-6', [sale(3, ok, BEER, 1, { idempotency_key: 'run-x:order:other' })]);
    expect(conflict.results[0]).toMatchObject({ ok: false, http_status: 409, code: 'device_order_conflict' });
    expect(await sync('s-7', [sale(1, ok)], `${P}no-such-till`)).toMatchObject({ http_status: 422, code: 'unknown_terminal' });
    const bad = async (orders: unknown) => (await sync(`bad-${Math.random()}`, orders)).message as string;
    expect(await bad([])).toMatch(/1\.\.500 entries/);
    expect(await bad([sale(1, ok), sale(1, ok)])).toMatch(/appears twice/);
    expect(await bad([{ ...sale(1, ok), device_seq: -1 }])).toMatch(/device_seq must be an integer/);
    expect(await bad([{ ...sale(1, ok), price: 1 }])).toMatch(/unknown field/);
    expect(await bad([{ ...sale(1, ok), items: [] }])).toMatch(/items must have 1\.\.50 lines/);
    expect((await sync('', [sale(1, ok)])).code).toBe('idempotency_key_missing');
  });

  it('races online orders and other terminals on the same wallets without breaking an invariant', async () => {
    const wallets = await Promise.all(Array.from({ length: 4 }, () => wallet(3000)));
    const clients = await Promise.all(Array.from({ length: 8 }, async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      return c;
    }));
    try {
      for (let round = 0; round < 3; round++) {
        const jobs: Array<Promise<unknown>> = []; // one statement per connection, all at once
        // three tills sync 4 sales per wallet at once (more than any wallet holds)...
        const batches = ['till-1', 'till-2', 'till-3'].map((till) =>
          wallets.flatMap((w, i) => [1, 2].map((k) => ({ device_order_id: `r${round}-${till}-${i}-${k}`, device_seq: round * 10 + k, wallet_id: w, items: [{ product_id: BEER, quantity: 1 }] }))));
        batches.forEach((orders, t) => jobs.push(sync(`race-${round}-${t}`, orders, `${P}till-${t + 1}`, clients[t]!)));
        // ...while the same wallets pay online at another till, and one sync is resent at once
        // (same key: answered in flight or as a replay, never applied twice).
        wallets.forEach((w, i) => jobs.push(clients[3 + (i % 4)]!.query(`SELECT sp_process_bar_order($1, $2, $3, $4::jsonb)`, [`online-${round}-${i}`, w, `${P}till-2`, JSON.stringify([{ product_id: WATER, quantity: 2 }])])));
        jobs.push(sync(`race-${round}-0`, batches[0], `${P}till-1`, clients[7]!));
        await Promise.all(jobs);
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    for (const w of wallets) expect(await balanceOf(w)).toBeGreaterThanOrEqual(0);
    const short = await db.pool.query(`SELECT count(*)::int AS n FROM orders WHERE wallet_id = ANY($1) AND status = 'offline_shortfall'`, [wallets]);
    expect(short.rows[0].n).toBeGreaterThan(0);

    const report = await runValidation({ databaseUrl: db.url, prefix: P, writeFiles: false });
    const failed = report.results.filter((c) => !c.ok);
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    const activity = report.results.find((c) => c.name === CHECKER.activity)!.info as Record<string, unknown>;
    expect(Number(activity.offline_shortfall_orders)).toBeGreaterThan(0); // reported, not hidden
    expect(Number(activity.offline_shortfall_cents)).toBeGreaterThan(0);
  });

  it('with the no_funds_check defect, a sync drives a balance negative and the validator says so', async () => {
    const w = await wallet(100);
    const c = new pg.Client({ connectionString: db.url, options: '-c moshpit.defects=no_funds_check' });
    await c.connect();
    try {
      await sync('defect-1', [sale(1, w)], TILL, c);
    } finally {
      await c.end();
    }
    expect(await balanceOf(w)).toBe(-550);
    const report = await runValidation({ databaseUrl: db.url, prefix: P, writeFiles: false, checkers: [CHECKER.noNegativeBalance] });
    expect(report.results[0]).toMatchObject({ name: CHECKER.noNegativeBalance, ok: false, violations: 1 });
  });
});

describe('the HTTP surfaces', () => {
  let target: RunningTarget;
  beforeAll(async () => {
    target = await startTarget({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('REST: POST /v1/terminals/{id}/offline-orders, replay with the same Idempotency-Key', async () => {
    const w = await wallet(700);
    const body = { orders: [sale(1, w), sale(2, w, WATER)] };
    const auth = { Authorization: `Bearer ${target.apiKey}`, 'Idempotency-Key': 'rest-sync-1' };
    const first = await call(target.url, 'POST', `/v1/terminals/${encodeURIComponent(TILL)}/offline-orders`, { body, headers: auth });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ terminal_id: TILL, applied: 2, shortfall_orders: 1, shortfall_cents: 200 });
    expect(first.body.ok).toBeUndefined(); // REST: payload fields only
    const again = await call(target.url, 'POST', `/v1/terminals/${encodeURIComponent(TILL)}/offline-orders`, { body, headers: auth });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.results).toEqual(first.body.results);
    expect(await balanceOf(w)).toBe(0);

    const bad = await call(target.url, 'POST', `/v1/terminals/${encodeURIComponent(TILL)}/offline-orders`, { body: { orders: [{ ...sale(1, w), device_seq: 1.5 }] }, headers: { ...auth, 'Idempotency-Key': 'rest-sync-2' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const noKey = await call(target.url, 'POST', `/v1/terminals/${encodeURIComponent(TILL)}/offline-orders`, { body, headers: { Authorization: `Bearer ${target.apiKey}` } });
    expect(noKey.body.error.code).toBe('idempotency_key_missing');
    const unauth = await call(target.url, 'POST', `/v1/terminals/${encodeURIComponent(TILL)}/offline-orders`, { body, headers: { 'Idempotency-Key': 'x' } });
    expect(unauth.status).toBe(401);
  });

  it('Supabase: POST /rest/v1/rpc/sp_sync_offline_orders', async () => {
    const w = await wallet(1000);
    const args = { p_idempotency_key: 'rpc-sync-1', p_terminal_id: TILL, p_orders: [sale(1, w), sale(2, w)] };
    const headers = { apikey: target.apiKey };
    const r = await call(target.url, 'POST', '/rest/v1/rpc/sp_sync_offline_orders', { body: args, headers });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, http_status: 200, applied: 2, shortfall_orders: 1, shortfall_cents: 300 });
    const replay = await call(target.url, 'POST', '/rest/v1/rpc/sp_sync_offline_orders', { body: args, headers });
    expect(replay.body.replayed).toBe(true);
    const unknownArg = await call(target.url, 'POST', '/rest/v1/rpc/sp_sync_offline_orders', { body: { ...args, p_extra: 1 }, headers });
    expect(unknownArg.status).toBe(400);
  });
});
