// Rollback removes exactly one prefix's test data. The database also holds non-test rows of
// every kind (other wallets with ledger, audit, scans, orders, recharges, funding, keys; a
// non-test catalogue; another prefix's data); those must survive with the same ctid and xmin,
// i.e. not even rewritten.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import rollbackCommand from '../../cli/commands/rollback-test-data.js';
import { projectRoot } from '../../stack/paths.js';
import { previewRollback, rollbackTestData } from '../../seed/rollback.js';
import { seed } from '../../seed/seed.js';
import { useTestDatabase } from '../support/db.js';
import { captureOutput } from './helpers/capture-output.js';
import { count, publicTables, rowTexts } from './helpers/table-snapshot.js';

const db = await useTestDatabase();
const fixturesDir = mkdtempSync(join(tmpdir(), 'moshpit-rollback-'));
afterAll(() => rmSync(fixturesDir, { recursive: true, force: true }));

/** Rows the test created outside the prefix, by table: `where` selects exactly them. */
const survivors: Record<string, { where: string; params: unknown[]; rows: number }> = {};
let seq = 0;

/** Activity for one wallet, as the procedures would record it (written directly: no dependency on 002). */
async function activity(c: pg.Pool, walletId: string, catalog: { terminal: string; vendor: string; product: string; gateway: string }) {
  const n = ++seq;
  const key = (op: string) => `20250614-120000-full-ab${String(n).padStart(2, '0')}:${op}:${walletId}`;
  const ids: Record<string, unknown[]> = {};
  const add = (t: string, v: unknown) => (ids[t] ??= []).push(v);
  const ledger = await c.query(`INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id)
    VALUES ($1, 'order', -650, 1000, $2, 'ref') RETURNING id`, [walletId, key('order')]);
  add('ledger', ledger.rows[0].id);
  add('app_transaction_log', (await c.query(`INSERT INTO app_transaction_log (wallet_id, transaction_type, status, amount_cents, previous_balance, new_balance, idempotency_key, ledger_id)
    VALUES ($1, 'order', 'completed', -650, 1650, 1000, $2, $3) RETURNING id`, [walletId, key('order'), ledger.rows[0].id])).rows[0].id);
  add('app_transaction_log', (await c.query(`INSERT INTO app_transaction_log (wallet_id, transaction_type, status, code)
    VALUES ($1, 'order', 'rejected', 'insufficient_funds') RETURNING id`, [walletId])).rows[0].id);
  add('nfc_scan_log', (await c.query(`INSERT INTO nfc_scan_log (wallet_id, gateway_id, direction, result, entry_number, occupancy_after, idempotency_key)
    VALUES ($1, $2, 'entry', 'admitted', 1, 1, $3) RETURNING id`, [walletId, catalog.gateway, key('entry')])).rows[0].id);
  const order = await c.query(`INSERT INTO orders (wallet_id, terminal_id, vendor_id, total_cents, platform_fee_cents, vendor_share_cents, fee_bps, status, idempotency_key)
    VALUES ($1, $2, $3, 650, 16, 634, 250, 'completed', $4) RETURNING id`, [walletId, catalog.terminal, catalog.vendor, key('order')]);
  add('orders', order.rows[0].id);
  await c.query(`INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents, line_total_cents) VALUES ($1, 1, $2, 1, 650, 650)`, [order.rows[0].id, catalog.product]);
  add('order_lines', order.rows[0].id);
  add('recharges', (await c.query(`INSERT INTO recharges (wallet_id, amount_cents, checkpoint_id, method, idempotency_key)
    VALUES ($1, 2000, 'cp-1', 'cash', $2) RETURNING id`, [walletId, key('recharge')])).rows[0].id);
  const intent = `pi_${walletId.replace(/[^a-z0-9]/gi, '')}_${n}`;
  await c.query(`INSERT INTO funding_intents (id, wallet_id, amount_cents, status, idempotency_key) VALUES ($1, $2, 5000, 'confirmed', $3)`, [intent, walletId, key('funding_intent')]);
  add('funding_intents', intent);
  add('stripe_events', (await c.query(`INSERT INTO stripe_events (event_id, event_type, intent_id, outcome) VALUES ($1, 'payment_intent.succeeded', $2, 'applied') RETURNING id`, [`evt_${n}`, intent])).rows[0].id);
  add('stripe_events', (await c.query(`INSERT INTO stripe_events (event_id, event_type, intent_id, outcome) VALUES ($1, 'payment_intent.succeeded', $2, 'duplicate') RETURNING id`, [`evt_${n}`, intent])).rows[0].id);
  // Keys: one carrying the wallet id, one only findable through the row it guards (webhook-style).
  for (const [op, wallet] of [['order', walletId], ['funding_intent', null]] as const) {
    await c.query(`INSERT INTO idempotency_keys (key, operation, wallet_id, request_hash, status, http_status) VALUES ($1, $2, $3, 'h', 'completed', 201)`, [key(op), op, wallet]);
    add('idempotency_keys', key(op));
  }
  return ids;
}

function keep(ids: Record<string, unknown[]>) {
  const column: Record<string, string> = { order_lines: 'order_id', idempotency_keys: 'key' };
  for (const [table, values] of Object.entries(ids)) {
    const s = (survivors[table] ??= { where: '', params: [[]], rows: 0 });
    (s.params[0] as unknown[]).push(...values.map(String));
    s.where = `${column[table] ?? 'id'}::text = ANY($1)`;
    s.rows += values.length;
  }
}

async function snapshotSurvivors() {
  const out: Record<string, string[]> = {};
  for (const [table, s] of Object.entries(survivors)) out[table] = await rowTexts(db.pool, table, s.where, s.params);
  return out;
}

// --- the database: seeded test data, test activity, and non-test data of every kind ---------
await seed({ databaseUrl: db.url, fixturesDir, wallets: 200 });
const testCatalog = { terminal: 'k6-test-terminal-1', vendor: 'k6-test-vendor-1', product: 'k6-test-p-beer', gateway: 'k6-test-gateway-door-1' };
for (const w of ['k6-test-w-000001', 'k6-test-w-000002', 'k6-test-w-000003', 'k6-test-probe']) await activity(db.pool, w, testCatalog);
// Scans of unknown test wallets are logged too (wallet_not_found): still the prefix's data.
await db.pool.query(`INSERT INTO nfc_scan_log (wallet_id, gateway_id, direction, result) VALUES ('k6-test-w-999999', 'k6-test-gateway-door-2', 'entry', 'wallet_not_found')`);
await db.pool.query(`UPDATE wallets SET inside = true, entry_count = 1 WHERE id IN ('k6-test-w-000001', 'k6-test-w-000002', 'k6-test-w-000003')`);

// Non-test: a real catalogue, real guests (two inside), and real guests who bought at a test
// stand or went through a test door. Another prefix ('k6-other-') and a LIKE trap ('k6-testx...').
await db.pool.query(`INSERT INTO vendors (id, name) VALUES ('v-bar', 'Bar'), ('v-lookalike', 'k6-test- is in my name')`);
await db.pool.query(`INSERT INTO products (id, vendor_id, name, price_cents) VALUES ('p-beer', 'v-bar', 'Beer', 600), ('p-k6-test-beer', 'v-bar', 'Not a test product', 700)`);
await db.pool.query(`INSERT INTO terminals (id, vendor_id, name) VALUES ('t-bar', 'v-bar', 'Bar 1')`);
await db.pool.query(`INSERT INTO gateways (id, name) VALUES ('g-main', 'Main gate')`);
keep({ vendors: ['v-bar', 'v-lookalike'], products: ['p-beer', 'p-k6-test-beer'], terminals: ['t-bar'], gateways: ['g-main'] });
const guests = ['guest-0001', 'guest-0002', 'k6-other-w-000001', 'k6-testxw-000001', 'K6-TEST-w-000001'];
for (const g of guests) {
  await db.pool.query(`INSERT INTO wallets (id, holder_name, email, balance_cents, opening_balance_cents, inside) VALUES ($1, 'Real Guest', 'guest@example.org', 4000, 5000, $2)`, [g, g.startsWith('guest')]);
}
keep({ wallets: guests });
keep(await activity(db.pool, 'guest-0001', { terminal: 't-bar', vendor: 'v-bar', product: 'p-beer', gateway: 'g-main' }));
keep(await activity(db.pool, 'guest-0002', testCatalog)); // a real guest at a test stand and door
keep(await activity(db.pool, 'k6-other-w-000001', { terminal: 't-bar', vendor: 'v-bar', product: 'p-beer', gateway: 'g-main' }));
keep(await activity(db.pool, 'k6-testxw-000001', { terminal: 't-bar', vendor: 'v-bar', product: 'p-beer', gateway: 'g-main' }));
await db.pool.query(`INSERT INTO idempotency_keys (key, operation, request_hash, status) VALUES ('webhook:evt_real', 'funding_webhook', 'h', 'completed')`);
keep({ idempotency_keys: ['webhook:evt_real'] });
// Lookalikes: a real guest whose keys happen to start with the test prefix. Its order and its
// funding intent stay, so their keys must stay too: without them a retry would apply again.
await db.pool.query(`INSERT INTO wallets (id, holder_name, balance_cents, opening_balance_cents) VALUES ('guest-0003', 'Real Guest', 3350, 4000)`);
const lookalikeKey = 'k6-test-w-000001:order:guest-0003';
const lookalikeOrder = (await db.pool.query(`INSERT INTO orders (wallet_id, terminal_id, vendor_id, total_cents, platform_fee_cents, vendor_share_cents, fee_bps, status, idempotency_key)
  VALUES ('guest-0003', 't-bar', 'v-bar', 650, 16, 634, 250, 'completed', $1) RETURNING id`, [lookalikeKey])).rows[0].id;
await db.pool.query(`INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents, line_total_cents) VALUES ($1, 1, 'p-beer', 1, 650, 650)`, [lookalikeOrder]);
const lookalikeLedger = (await db.pool.query(`INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id)
  VALUES ('guest-0003', 'order', -650, 3350, $1, $2) RETURNING id`, [lookalikeKey, String(lookalikeOrder)])).rows[0].id;
await db.pool.query(`INSERT INTO funding_intents (id, wallet_id, amount_cents, status, idempotency_key) VALUES ('pi_guest3', 'guest-0003', 5000, 'pending', 'k6-test-fi-guest-0003')`);
await db.pool.query(`INSERT INTO idempotency_keys (key, operation, wallet_id, request_hash, status, http_status) VALUES ($1, 'order', 'guest-0003', 'h', 'completed', 201), ('k6-test-fi-guest-0003', 'funding_intent', NULL, 'h', 'completed', 201)`, [lookalikeKey]);
keep({ wallets: ['guest-0003'], orders: [lookalikeOrder], order_lines: [lookalikeOrder], ledger: [lookalikeLedger], funding_intents: ['pi_guest3'], idempotency_keys: [lookalikeKey, 'k6-test-fi-guest-0003'] });
// Occupancy: 3 test wallets + 2 real guests inside.
await db.pool.query(`UPDATE venue_state SET occupancy = 5`);

const TEST_ROWS_EXPECTED: Record<string, number> = {
  wallets: 201, idempotency_keys: 8, order_lines: 4, orders: 4, stripe_events: 8, funding_intents: 4, ledger: 4,
  app_transaction_log: 8, nfc_scan_log: 5, recharges: 4, products: 21, terminals: 4, gateways: 2, vendors: 4,
};

describe('rollback-test-data', () => {
  it('refuses without --yes when stdin is not a terminal, and deletes nothing', async () => {
    const before = await Promise.all((await publicTables(db.pool)).map((t) => rowTexts(db.pool, t)));
    const { result: code, stdout, stderr } = await captureOutput(() => rollbackCommand.run(['--database-url', db.url]));
    expect(code).not.toBe(0);
    expect(stdout).toMatch(/wallets\s+201/);
    expect(stderr).toMatch(/refusing .* not a terminal; re-run with --yes/);

    // The real CLI, stdin from a pipe: same refusal.
    const cli = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'rollback-test-data', '--database-url', db.url], {
      cwd: projectRoot, input: '', encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' },
    });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/re-run with --yes/);
    expect(await Promise.all((await publicTables(db.pool)).map((t) => rowTexts(db.pool, t)))).toEqual(before);
  });

  it('previews exactly the rows it then deletes', async () => {
    const preview = await previewRollback({ databaseUrl: db.url, prefix: 'k6-test-' });
    expect(Object.fromEntries(preview.map((c) => [c.table, c.rows]))).toEqual(TEST_ROWS_EXPECTED);
  });

  it('removes only the test data; every non-test row survives untouched', async () => {
    const before = await snapshotSurvivors();
    const settings = await rowTexts(db.pool, 'festival_settings');
    const result = await rollbackTestData({ databaseUrl: db.url, prefix: 'k6-test-' });
    expect(Object.fromEntries(result.deleted.map((c) => [c.table, c.rows]))).toEqual(TEST_ROWS_EXPECTED);
    expect(result.occupancyCorrection).toBe(3);

    expect(await snapshotSurvivors()).toEqual(before);
    for (const table of await publicTables(db.pool)) {
      if (['venue_state', 'festival_settings', 'schema_migrations'].includes(table)) continue;
      expect(await count(db.pool, `SELECT count(*) FROM ${table}`), `${table}: only the non-test rows are left`).toBe(survivors[table]?.rows ?? 0);
    }
    expect(await rowTexts(db.pool, 'festival_settings')).toEqual(settings);
    expect(await count(db.pool, `SELECT occupancy FROM venue_state`)).toBe(2);
    expect(await count(db.pool, `SELECT count(*) FROM wallets WHERE id LIKE 'k6-test-%'`)).toBe(0);
  });

  it('a real wallet whose idempotency key starts with the test prefix keeps its key and its order', async () => {
    const keys = await db.pool.query(`SELECT key, wallet_id FROM idempotency_keys WHERE key LIKE 'k6-test-%' ORDER BY key`);
    expect(keys.rows).toEqual([{ key: 'k6-test-fi-guest-0003', wallet_id: null }, { key: lookalikeKey, wallet_id: 'guest-0003' }]);
    expect(await count(db.pool, `SELECT count(*) FROM orders WHERE idempotency_key = '${lookalikeKey}'`)).toBe(1);
    expect(await count(db.pool, `SELECT count(*) FROM funding_intents WHERE idempotency_key = 'k6-test-fi-guest-0003'`)).toBe(1);
  });

  it('a second run finds nothing and changes nothing (CLI --yes)', async () => {
    const before = await snapshotSurvivors();
    const { result: code, stdout } = await captureOutput(() => rollbackCommand.run(['--yes', '--database-url', db.url]));
    expect(code).toBe(0);
    expect(stdout).toMatch(/nothing to delete/);
    expect(await snapshotSurvivors()).toEqual(before);
    expect(await count(db.pool, `SELECT occupancy FROM venue_state`)).toBe(2);
  });

  it("escapes LIKE wildcards: prefix 'k6_t_' does not take 'k6xtx' rows; a test vendor still used by a real product stays", async () => {
    await db.pool.query(`INSERT INTO wallets (id) VALUES ('k6_t_w-000001'), ('k6xtxw-000001')`);
    await db.pool.query(`INSERT INTO vendors (id, name) VALUES ('k6_t_vendor-1', 'Test vendor')`);
    await db.pool.query(`INSERT INTO products (id, vendor_id, name, price_cents) VALUES ('k6_t_p-1', 'k6_t_vendor-1', 'Test', 100), ('p-real', 'k6_t_vendor-1', 'Real', 100)`);
    const { result: code } = await captureOutput(() => rollbackCommand.run(['--prefix', 'k6_t_', '--yes', '--database-url', db.url]));
    expect(code).toBe(0);
    expect((await db.pool.query(`SELECT id FROM wallets WHERE id LIKE 'k6%t%w-000001' ORDER BY id`)).rows.map((r) => r.id)).toEqual(['k6-other-w-000001', 'k6-testxw-000001', 'k6xtxw-000001']);
    expect((await db.pool.query(`SELECT id FROM products WHERE vendor_id = 'k6_t_vendor-1'`)).rows.map((r) => r.id)).toEqual(['p-real']);
    expect(await count(db.pool, `SELECT count(*) FROM vendors WHERE id = 'k6_t_vendor-1'`)).toBe(1);
  });
});
