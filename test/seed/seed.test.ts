// Seeding 5,000 wallets: rows, fixtures, balances, idempotent re-runs, --reset and settings.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import seedCommand from '../../cli/commands/seed.js';
import { seed, PROBE_BALANCE_CENTS, type SeedSummary } from '../../seed/seed.js';
import { testCatalog } from '../../seed/catalog.js';
import { useTestDatabase } from '../support/db.js';
import { captureOutput } from './helpers/capture-output.js';
import { count, databaseSnapshot, rowTexts } from './helpers/table-snapshot.js';

const db = await useTestDatabase();
const fixturesDir = mkdtempSync(join(tmpdir(), 'moshpit-seed-'));
afterAll(() => rmSync(fixturesDir, { recursive: true, force: true }));

const readJson = (file: string) => JSON.parse(readFileSync(join(fixturesDir, file), 'utf8'));
const prefixedRows = async () => {
  const out: Record<string, string[]> = {};
  for (const t of ['wallets', 'vendors', 'products', 'terminals', 'gateways']) out[t] = await rowTexts(db.pool, t, `id LIKE 'k6-test-%'`);
  return out;
};

describe('seed 5,000 wallets', () => {
  let first: SeedSummary;

  it('writes the wallets, catalogue, terminals, doors and probe wallet, and only prefixed rows', async () => {
    await db.pool.query(`INSERT INTO wallets (id, holder_name, balance_cents, opening_balance_cents) VALUES ('guest-1', 'Real Guest', 700, 700)`);
    await db.pool.query(`INSERT INTO vendors (id, name) VALUES ('v-bar', 'Bar')`);
    const before = await databaseSnapshot(db.pool);
    first = await seed({ databaseUrl: db.url, fixturesDir });
    const after = await databaseSnapshot(db.pool);
    for (const table of Object.keys(before)) {
      expect(before[table]!.filter((r) => !after[table]!.includes(r)), `${table}: existing rows changed`).toEqual([]);
      const added = after[table]!.filter((r) => !before[table]!.includes(r));
      for (const row of added) expect(row, `${table}: only test rows are added`).toMatch(/^\("[^"]*",\d+,k6-test-/);
    }

    expect(first.walletsRequested).toBe(5000);
    expect(first.walletsInserted).toBe(5000);
    expect(first.walletCopy).toBe('direct');
    expect(first.rowsInserted).toEqual({ vendors: 4, products: testCatalog('k6-test-').products.length, terminals: 4, gateways: 2, probe_wallet: 1 });
    expect(await count(db.pool, `SELECT count(*) FROM wallets WHERE id ~ '^k6-test-w-[0-9]{6}$'`)).toBe(5000);
    expect(await count(db.pool, `SELECT count(*) FROM wallets`)).toBe(5002);
    expect((await db.pool.query(`SELECT id FROM terminals ORDER BY id`)).rows.map((r) => r.id))
      .toEqual(['k6-test-terminal-1', 'k6-test-terminal-2', 'k6-test-terminal-3', 'k6-test-terminal-4']);
    expect((await db.pool.query(`SELECT id FROM gateways ORDER BY id`)).rows.map((r) => r.id))
      .toEqual(['k6-test-gateway-door-1', 'k6-test-gateway-door-2']);
    const probe = (await db.pool.query(`SELECT * FROM wallets WHERE id = 'k6-test-probe'`)).rows[0];
    expect(Number(probe.balance_cents)).toBe(PROBE_BALANCE_CENTS);
    expect(probe.status).toBe('active');
    // Every stand sells something, each terminal belongs to a stand that does.
    const stands = await db.pool.query(`SELECT t.id, count(p.id) AS n FROM terminals t JOIN products p USING (vendor_id) GROUP BY t.id`);
    expect(stands.rows.every((r) => Number(r.n) >= 3)).toBe(true);
  });

  it('gives integer-cent balances with the intended distribution, opening = balance', async () => {
    const { rows } = await db.pool.query(`SELECT balance_cents::text AS b, opening_balance_cents::text AS o,
      holder_name, email, status, inside, entry_count FROM wallets WHERE id LIKE 'k6-test-w-%'`);
    const balances = rows.map((r) => {
      expect(r.b).toMatch(/^\d+$/);
      expect(r.o).toBe(r.b);
      expect(r.status).toBe('active');
      expect(r.inside).toBe(false);
      expect(r.entry_count).toBe(0);
      expect(r.holder_name.length).toBeGreaterThan(3);
      expect(r.email).toMatch(/@example\.(com|net|org)$/);
      return Number(r.b);
    });
    const share = (f: (b: number) => boolean) => balances.filter(f).length / balances.length;
    expect(share((b) => b < 500)).toBeGreaterThan(0.07);
    expect(share((b) => b < 500)).toBeLessThan(0.13);
    expect(share((b) => b >= 2000 && b <= 10_000)).toBeGreaterThan(0.6);
    expect(share((b) => b > 10_000 && b <= 30_000)).toBeGreaterThan(0.1);
    expect(Math.max(...balances)).toBeLessThanOrEqual(30_000);
  });

  it('writes fixtures that match the database', async () => {
    const manifest = readJson('manifest.json');
    expect(manifest).toMatchObject({
      prefix: 'k6-test-',
      wallets: 5000,
      probe_wallet_id: 'k6-test-probe',
      settings: { platform_fee_bps: 250, reentry_fee_cents: 500, venue_capacity: 4000 },
    });
    expect(manifest.database).toMatch(/^127\.0\.0\.1:\d+\/moshpit_t_/);
    expect(manifest.database).not.toContain('postgres@');
    expect(Number.isNaN(Date.parse(manifest.seeded_at))).toBe(false);

    const wallets = readJson('wallets.json');
    const dbWallets = (await db.pool.query(`SELECT id, opening_balance_cents::int AS opening_balance_cents
      FROM wallets WHERE id LIKE 'k6-test-w-%' ORDER BY id`)).rows;
    expect(wallets).toEqual(dbWallets);
    expect(wallets.some((w: { id: string }) => w.id === 'k6-test-probe')).toBe(false);

    const products = readJson('products.json');
    const dbProducts = (await db.pool.query(`SELECT id, vendor_id, name, price_cents::int AS price_cents FROM products WHERE id LIKE 'k6-test-%' ORDER BY vendor_id, id`)).rows;
    expect(products).toEqual(dbProducts);
    expect(products.find((p: { id: string }) => p.id === 'k6-test-p-beer')).toEqual({ id: 'k6-test-p-beer', vendor_id: 'k6-test-vendor-1', name: 'Lager 0.5l', price_cents: 650 });
    expect(products.every((p: { price_cents: number }) => Number.isSafeInteger(p.price_cents) && p.price_cents > 0)).toBe(true);
    expect(readJson('terminals.json')).toEqual((await db.pool.query(`SELECT id, vendor_id, name FROM terminals ORDER BY id`)).rows);
    expect(readJson('gateways.json')).toEqual([{ id: 'k6-test-gateway-door-1', name: 'Door 1' }, { id: 'k6-test-gateway-door-2', name: 'Door 2' }]);
  });

  it('re-seeding changes nothing that exists and adds only what is missing', async () => {
    // A test run spent some money meanwhile: the re-seed must not "repair" it.
    await db.pool.query(`UPDATE wallets SET balance_cents = balance_cents - 100 WHERE id = 'k6-test-w-000010' AND balance_cents >= 100`);
    await db.pool.query(`DELETE FROM wallets WHERE id = 'k6-test-w-000020'`);
    await db.pool.query(`DELETE FROM products WHERE id = 'k6-test-p-water'`);
    const before = await prefixedRows();

    const again = await seed({ databaseUrl: db.url, fixturesDir });
    expect(again.walletsInserted).toBe(1);
    expect(again.walletCopy).toBe('staged');
    expect(again.rowsInserted).toEqual({ vendors: 0, products: 1, terminals: 0, gateways: 0, probe_wallet: 0 });
    const after = await prefixedRows();
    for (const table of Object.keys(before)) {
      const added = after[table]!.filter((r) => !before[table]!.includes(r));
      expect(before[table]!.filter((r) => !after[table]!.includes(r)), `${table} rows changed or vanished`).toEqual([]);
      expect(added.length, table).toBe(table === 'wallets' || table === 'products' ? 1 : 0);
    }
    // The restored wallet is the same wallet as before (deterministic generation).
    const restored = (await db.pool.query(`SELECT holder_name, opening_balance_cents FROM wallets WHERE id = 'k6-test-w-000020'`)).rows[0];
    expect(readJson('wallets.json')[19]).toEqual({ id: 'k6-test-w-000020', opening_balance_cents: Number(restored.opening_balance_cents) });

    const third = await seed({ databaseUrl: db.url, fixturesDir });
    expect(third.walletsInserted).toBe(0);
    expect(await prefixedRows()).toEqual(after);
  });

  it('a larger count adds the missing wallets; settings change only when asked', async () => {
    const settingsBefore = await rowTexts(db.pool, 'festival_settings');
    const grown = await seed({ databaseUrl: db.url, fixturesDir, wallets: 6000 });
    expect(grown.walletsInserted).toBe(1000);
    expect(grown.settingsUpdated).toBe(false);
    expect(await rowTexts(db.pool, 'festival_settings')).toEqual(settingsBefore);
    expect(readJson('manifest.json').wallets).toBe(6000);

    const tuned = await seed({ databaseUrl: db.url, fixturesDir, wallets: 6000, settings: { reentryFeeCents: 750, venueCapacity: 2500 } });
    expect(tuned.settingsUpdated).toBe(true);
    const s = (await db.pool.query(`SELECT * FROM festival_settings`)).rows[0];
    expect([s.platform_fee_bps, Number(s.reentry_fee_cents), s.venue_capacity]).toEqual([250, 750, 2500]);
    expect(readJson('manifest.json').settings).toEqual({ platform_fee_bps: 250, reentry_fee_cents: 750, venue_capacity: 2500 });
  });

  it('--reset removes the prefix data first, through the CLI', async () => {
    await db.pool.query(`UPDATE wallets SET balance_cents = 1 WHERE id = 'k6-test-w-000001'`);
    await db.pool.query(`INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents) VALUES ('k6-test-w-000001', 'order', -650, 1)`);
    const { result: code, stdout } = await captureOutput(() =>
      seedCommand.run(['--reset', '--wallets', '3000', '--fee-bps', '300', '--database-url', db.url, '--fixtures-dir', fixturesDir]));
    expect(code).toBe(0);
    expect(stdout).toMatch(/reset removed\s+\d+ rows/);
    expect(stdout).toMatch(/wallets\/s/);
    expect(await count(db.pool, `SELECT count(*) FROM wallets WHERE id LIKE 'k6-test-w-%'`)).toBe(3000);
    expect(await count(db.pool, `SELECT count(*) FROM ledger`)).toBe(0);
    expect(await count(db.pool, `SELECT count(*) FROM wallets WHERE id = 'k6-test-w-000001' AND balance_cents = 1`)).toBe(0);
    expect(readJson('manifest.json')).toMatchObject({ wallets: 3000, settings: { platform_fee_bps: 300 } });
    expect(readJson('wallets.json')).toHaveLength(3000);
  });
});
