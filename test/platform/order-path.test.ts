// The order path written once and kept lean: online orders (002) and offline sync (003) share
// one apply function and one request hash; the defect setting is parsed once per call; no index
// on the order path duplicates another.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationFiles } from '../../stack/migrate.js';
import { migrationsDir } from '../../stack/paths.js';
import { useTestDatabase } from '../support/db.js';
import { CATALOG, call, createWallet, defectPool, seedCatalog } from '../support/sql-fixtures.js';

const db = await useTestDatabase();
await seedCatalog(db.pool);
const migrations = migrationFiles().map((f) => readFileSync(join(migrationsDir, f), 'utf8')).join('\n');
const occurrences = (needle: RegExp) => migrations.match(new RegExp(needle.source, 'g'))?.length ?? 0;

const sync = (pool: { query: typeof db.pool.query }, key: string, orders: unknown) =>
  call(pool as typeof db.pool, 'sp_sync_offline_orders', key, CATALOG.terminal, JSON.stringify(orders));

describe('SQL written once', () => {
  it('one order insert, one ledger write for orders, one request-hash expression in the migrations', () => {
    expect(occurrences(/INSERT INTO orders\b/)).toBe(1);
    expect(occurrences(/VALUES \(p_wallet_id, 'order'/)).toBe(1);
    expect(occurrences(/'fn', 'sp_process_bar_order'/)).toBe(1);
  });

  it('the order request hash is the one existing keys store (byte-identical across versions)', async () => {
    const items = [{ product_id: 'beer', quantity: 2 }];
    const r = await db.pool.query(`SELECT mp_order_request_hash('w-1', 't-1', $1::jsonb) AS h`, [JSON.stringify(items)]);
    expect(r.rows[0].h).toBe('97d0ee949b28814d820d82b2c9aba397');
  });

  it('a defect mode written once reaches both paths: fee_rounding stores the truncated fee online and offline', async () => {
    const pool = defectPool(db.url, 'fee_rounding', 2);
    try {
      const w = await createWallet(db.pool, 'once-fee', { balance: 5000 });
      const items = [{ product_id: CATALOG.cent20.id, quantity: 1 }]; // 20 cents at 250 bps: fee 0.5 → 1 half-up, 0 truncated
      const online = await call(pool, 'sp_process_bar_order', 'once-fee-online', w, CATALOG.terminal, JSON.stringify(items));
      const offline = await sync(pool, 'once-fee-sync', [{ device_order_id: 'once-fee-d1', device_seq: 1, wallet_id: w, items }]);
      expect(online).toMatchObject({ ok: true, platform_fee_cents: 0, vendor_share_cents: 19 });
      expect((offline.results as Array<Record<string, unknown>>)[0]).toMatchObject({ ok: true, platform_fee_cents: 0, vendor_share_cents: 19 });
    } finally {
      await pool.end();
    }
  });

  it('a sale first sent online, then synced offline under the same key, is the same sale', async () => {
    const w = await createWallet(db.pool, 'once-same', { balance: 5000 });
    const items = [{ product_id: CATALOG.beer.id, quantity: 1 }];
    const online = await call(db.pool, 'sp_process_bar_order', 'once-same-key', w, CATALOG.terminal, JSON.stringify(items));
    const offline = await sync(db.pool, 'once-same-sync', [{ device_order_id: 'once-same-d1', device_seq: 1, wallet_id: w, items, idempotency_key: 'once-same-key' }]);
    expect((offline.results as Array<Record<string, unknown>>)[0]).toMatchObject({ duplicate: true, order_id: online.order_id });
    expect(Number((await db.pool.query(`SELECT balance_cents FROM wallets WHERE id = $1`, [w])).rows[0].balance_cents)).toBe(5000 - 650);
  });
});

describe('defect setting', () => {
  it('mp_defects() parses moshpit.defects once into an array; empty means none', async () => {
    const c = await db.pool.connect();
    try {
      expect((await c.query(`SELECT mp_defects() AS d`)).rows[0].d).toEqual([]);
      await c.query(`SET moshpit.defects = ' lost_update,, fee_rounding '`);
      expect((await c.query(`SELECT mp_defects() AS d`)).rows[0].d).toEqual(['lost_update', 'fee_rounding']);
      await c.query(`RESET moshpit.defects`);
    } finally {
      c.release();
    }
  });

  it('the order procedures call mp_defects() once and never the per-name mp_defect()', () => {
    const bodies = migrations.split(/CREATE OR REPLACE FUNCTION /).filter((f) => /^(mp_order_apply|mp_bar_order_apply|sp_process_bar_order|mp_offline_order_one|sp_sync_offline_orders)\(/.test(f));
    expect(bodies).toHaveLength(5);
    for (const body of bodies) expect(body).not.toMatch(/mp_defect\(/);
    expect(bodies.filter((b) => /mp_defects\(\)/.test(b)).map((b) => b.slice(0, b.indexOf('(')))).toEqual(['sp_process_bar_order', 'sp_sync_offline_orders']);
  });
});

describe('indexes on the order path', () => {
  it('idempotency-key prefix lookups use the primary key under the C collation; no duplicate prefix index', async () => {
    expect((await db.pool.query(`SELECT datcollate FROM pg_database WHERE datname = current_database()`)).rows[0].datcollate).toBe('C');
    const idx = (await db.pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'idempotency_keys' ORDER BY 1`)).rows.map((r) => r.indexname);
    expect(idx).toEqual(['idempotency_keys_pkey', 'idempotency_keys_wallet_idx']);
    const c = await db.pool.connect();
    try {
      await c.query('SET enable_seqscan = off'); // the plan's index choice, whatever the table size
      const plan = (await c.query(`EXPLAIN (FORMAT JSON) SELECT key FROM idempotency_keys WHERE key LIKE 'k6-test-%'`)).rows[0]['QUERY PLAN'];
      const text = JSON.stringify(plan);
      expect(text).toContain('"Index Name":"idempotency_keys_pkey"');
      expect(text).toMatch(/"Index Cond":"\(\(key >= 'k6-test-'::text\) AND \(key < 'k6-test\.'::text\)\)"/);
    } finally {
      await c.query('RESET enable_seqscan');
      c.release();
    }
  });

  it('the device-order uniqueness indexes offline orders only (online orders have no device id)', async () => {
    const def = (await db.pool.query(`SELECT pg_get_indexdef('orders_device_order_uq'::regclass) AS d`)).rows[0].d as string;
    expect(def).toMatch(/UNIQUE INDEX .* \(terminal_id, device_order_id\) WHERE \(device_order_id IS NOT NULL\)$/);
  });
});
