// Pre-flight: READY against the real reference target on both surfaces; NOT READY, with the
// failing line named, for an unreachable database, a missing procedure, missing or stale
// fixtures, changed settings, a refused API key and a target that is down.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runPreflight, formatPreflight } from '../../validate/preflight/runner.js';
import type { PreflightReport } from '../../validate/preflight/types.js';
import { useTestDatabase } from '../support/db.js';
import { startTarget, type RunningTarget } from '../support/target.js';
import { Festival } from './support/festival.js';
import { resetFestivalTables } from './support/reset.js';

const db = await useTestDatabase();
let target: RunningTarget;
const scratch = mkdtempSync(join(tmpdir(), 'moshpit-preflight-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  target = await startTarget({ databaseUrl: db.url });
});
afterAll(async () => {
  await target?.stop();
});

/** Seeds three wallets, the probe and the catalogue, and writes matching fixture files. */
async function seedWithFixtures(): Promise<string> {
  const f = new Festival(db.pool, 'k6-test-', 'unused');
  await f.catalog();
  for (const n of [1, 2, 3]) await f.wallet(`w-00000${n}`, 2500);
  await f.wallet('probe', 100_000);
  const dir = mkdtempSync(join(scratch, 'fixtures-'));
  const write = (file: string, value: unknown) => writeFileSync(join(dir, file), JSON.stringify(value));
  write('manifest.json', {
    prefix: 'k6-test-', wallets: 3, seeded_at: new Date().toISOString(), database: 'test',
    settings: { platform_fee_bps: 250, reentry_fee_cents: 500, venue_capacity: 4000 }, probe_wallet_id: 'k6-test-probe',
  });
  write('wallets.json', [1, 2, 3].map((n) => ({ id: `k6-test-w-00000${n}`, opening_balance_cents: 2500 })));
  write('products.json', [
    { id: 'k6-test-p-beer', vendor_id: 'k6-test-vendor-1', name: 'Lager', price_cents: 650 },
    { id: 'k6-test-p-water', vendor_id: 'k6-test-vendor-1', name: 'Water', price_cents: 300 },
    { id: 'k6-test-p-fries', vendor_id: 'k6-test-vendor-1', name: 'Fries', price_cents: 450 },
  ]);
  write('terminals.json', [{ id: 'k6-test-terminal-1', vendor_id: 'k6-test-vendor-1', name: 'Till 1' }]);
  write('gateways.json', [{ id: 'k6-test-gateway-1', name: 'Door 1' }, { id: 'k6-test-gateway-2', name: 'Door 2' }]);
  return dir;
}

const check = (r: PreflightReport, name: string) => {
  const c = r.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name}`);
  return c;
};
const failing = (r: PreflightReport) => r.checks.filter((c) => !c.ok).map((c) => `${c.name}${c.skipped ? ' (skipped)' : ''}`);

describe('pre-flight', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('READY against the reference target (REST), with a probe that moved exactly the expected money', async () => {
    const fixturesDir = await seedWithFixtures();
    const report = await runPreflight({ databaseUrl: db.url, targetUrl: target.url, targetKind: 'rest', apiKey: target.apiKey, webhookSecret: target.webhookSecret, fixturesDir, now: () => new Date('2025-06-01T12:00:00Z') });
    expect(failing(report)).toEqual([]);
    expect(report.ready).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'fixtures-files', 'database', 'stored-procedures', 'schema', 'hot-path-indexes', 'fixtures-in-database', 'festival-settings', 'target-health', 'api-key', 'functional-probe',
      'webhook-endpoint',
    ]);
    expect(check(report, 'functional-probe').detail).toContain('balance 100000 -> 100700 cents');
    const { rows } = await db.pool.query(`SELECT idempotency_key FROM ledger WHERE wallet_id = 'k6-test-probe' ORDER BY id`);
    expect(rows.map((r) => r.idempotency_key)).toEqual(['preflight-20250601-120000000:recharge', 'preflight-20250601-120000000:order']);
    expect(formatPreflight(report)).toMatch(/✓ functional-probe[\s\S]*READY: 11 checks passed/);
  });

  it('READY against the Supabase surface of the reference target', async () => {
    const fixturesDir = await seedWithFixtures();
    const report = await runPreflight({ databaseUrl: db.url, targetUrl: target.url, targetKind: 'supabase', apiKey: target.apiKey, webhookSecret: target.webhookSecret, fixturesDir });
    expect(failing(report)).toEqual([]);
  });

  it('NOT READY: database unreachable (database checks cannot run)', async () => {
    const fixturesDir = await seedWithFixtures();
    const report = await runPreflight({ databaseUrl: 'postgres://postgres@127.0.0.1:1/nowhere', targetUrl: target.url, targetKind: 'rest', apiKey: target.apiKey, webhookSecret: target.webhookSecret, fixturesDir, timeoutMs: 3000 });
    expect(report.ready).toBe(false);
    expect(failing(report)).toEqual(['database', 'stored-procedures (skipped)', 'schema (skipped)', 'hot-path-indexes (skipped)', 'fixtures-in-database (skipped)', 'festival-settings (skipped)']);
    expect(check(report, 'database').detail).toMatch(/127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
    expect(report.verdict).toBe('NOT READY: 1 of 11 checks failed (database), 5 could not run (stored-procedures, schema, hot-path-indexes, fixtures-in-database, festival-settings)');
  });

  it('NOT READY: a stored procedure is missing', async () => {
    const fixturesDir = await seedWithFixtures();
    await db.pool.query('ALTER FUNCTION sp_process_stripe_recharge(text, text, text) RENAME TO sp_process_stripe_recharge_gone');
    try {
      const report = await runPreflight({ databaseUrl: db.url, targetUrl: target.url, targetKind: 'rest', apiKey: target.apiKey, webhookSecret: target.webhookSecret, fixturesDir, skipProbe: true });
      // The webhook endpoint's procedure is the one missing: its probe fails too.
      expect(failing(report)).toEqual(['stored-procedures', 'webhook-endpoint']);
      expect(check(report, 'stored-procedures').detail).toMatch(/^missing: sp_process_stripe_recharge \(/);
    } finally {
      await db.pool.query('ALTER FUNCTION sp_process_stripe_recharge_gone(text, text, text) RENAME TO sp_process_stripe_recharge');
    }
  });

  it('NOT READY: no fixture files', async () => {
    await seedWithFixtures();
    const empty = mkdtempSync(join(scratch, 'nofixtures-'));
    const report = await runPreflight({ databaseUrl: db.url, targetUrl: target.url, targetKind: 'rest', apiKey: target.apiKey, webhookSecret: target.webhookSecret, fixturesDir: empty });
    expect(failing(report)).toEqual(['fixtures-files', 'fixtures-in-database (skipped)', 'festival-settings (skipped)', 'api-key (skipped)', 'functional-probe (skipped)']);
    expect(check(report, 'fixtures-files').detail).toMatch(/manifest.json is missing \(run 'moshpit seed'\)/);
  });

  it('NOT READY: fixtures the database does not hold (a wallet and a gateway missing)', async () => {
    const fixturesDir = await seedWithFixtures();
    await db.pool.query(`DELETE FROM wallets WHERE id = 'k6-test-w-000003'`);
    await db.pool.query(`DELETE FROM gateways WHERE id = 'k6-test-gateway-2'`);
    const report = await runPreflight({ databaseUrl: db.url, targetUrl: target.url, targetKind: 'rest', apiKey: target.apiKey, webhookSecret: target.webhookSecret, fixturesDir, skipProbe: true });
    expect(failing(report)).toEqual(['fixtures-in-database']);
    expect(check(report, 'fixtures-in-database').detail).toMatch(/wallets 2\/3, gateways 1\/2/);
  });

  it('NOT READY: festival settings changed since seeding', async () => {
    const fixturesDir = await seedWithFixtures();
    await db.pool.query(`UPDATE festival_settings SET reentry_fee_cents = 700`);
    const report = await runPreflight({ databaseUrl: db.url, targetUrl: target.url, targetKind: 'rest', apiKey: target.apiKey, webhookSecret: target.webhookSecret, fixturesDir, skipProbe: true });
    expect(failing(report)).toEqual(['festival-settings']);
    expect(check(report, 'festival-settings').detail).toMatch(/reentry_fee_cents 700 != 500/);
  });

  it('NOT READY: the API key is refused (REST and Supabase)', async () => {
    const fixturesDir = await seedWithFixtures();
    for (const targetKind of ['rest', 'supabase'] as const) {
      const report = await runPreflight({ databaseUrl: db.url, targetUrl: target.url, targetKind, apiKey: 'wrong', webhookSecret: target.webhookSecret, fixturesDir });
      expect(failing(report)).toEqual(['api-key', 'functional-probe (skipped)']);
      expect(check(report, 'api-key').detail).toMatch(/401 unauthorized/);
    }
  });

  it('NOT READY: the target is down', async () => {
    const fixturesDir = await seedWithFixtures();
    const report = await runPreflight({ databaseUrl: db.url, targetUrl: 'http://127.0.0.1:1', targetKind: 'rest', apiKey: 'k', fixturesDir, timeoutMs: 2000 });
    expect(failing(report)).toEqual(['target-health', 'api-key (skipped)', 'functional-probe (skipped)', 'webhook-endpoint (skipped)']);
  });

  it('a probe whose writes are acknowledged but whose money comes out wrong is a money failure, not NOT READY', async () => {
    const fixturesDir = await seedWithFixtures();
    // A platform that acknowledges the recharge and the order but never changes the balance.
    const server = createServer((req, res) => {
      const json = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      req.resume();
      if (req.url === '/v1/health') return json(200, { status: 'ok', database: 'ok' });
      if (req.url?.startsWith('/v1/wallets/')) return json(200, { wallet_id: 'k6-test-probe', balance_cents: 100000, status: 'active', inside: false, entry_count: 0 });
      if (req.url === '/v1/recharges') return json(201, { recharge_id: 'r1', balance_cents: 101000 });
      if (req.url === '/v1/orders') return json(201, { order_id: 'o1', total_cents: 300, platform_fee_cents: 8, vendor_share_cents: 292, balance_cents: 100700 });
      return json(404, { error: { code: 'not_found' } });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const report = await runPreflight({ databaseUrl: db.url, targetUrl: url, targetKind: 'rest', apiKey: 'mk_test_any', webhookSecret: 'whsec_any', fixturesDir });
      // This stand-in platform has no webhook route either.
      expect(failing(report)).toEqual(['functional-probe', 'webhook-endpoint']);
      expect(report.moneyFailure).toBe(true);
      expect(check(report, 'functional-probe')).toMatchObject({ money: true });
      expect(check(report, 'functional-probe').detail).toMatch(/balance 100000 cents after recharge \+1000 and order -300 from 100000, expected 100700/);
      expect(report.verdict).toMatch(/^MONEY WRONG/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
