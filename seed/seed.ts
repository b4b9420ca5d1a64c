// `seed()`: the test wallets, catalogue, terminals, doors and probe wallet for one prefix,
// then the fixture files (wallets.json from the copy stream when the prefix was new). Re-runnable: existing rows are left as they are, missing ones are
// added; only rows with the prefix (and festival_settings, when asked) are ever written.
import pg from 'pg';
import { fixturesDir as defaultFixturesDir } from '../stack/paths.js';
import { testCatalog } from './catalog.js';
import { copyWallets } from './copy-wallets.js';
import { describeDatabase } from './database-url.js';
import { mkdirSync, rmSync } from 'node:fs';
import type { FixtureManifest } from '../core/fixture-manifest.js';
import { walletsFixtureTmp, writeFixtures } from './fixtures.js';
import { DEFAULT_PREFIX, MAX_WALLETS, validatePrefix, validateWholeNumber } from './input.js';
import { deleteTestData, type RollbackResult } from './rollback.js';
import { applySettingsChange, validateSettingsChange, type FestivalSettingsChange } from './settings.js';
import { prefixLockName, probeWalletId, seededWalletIdPrefix } from './test-prefix.js';
import { DEFAULT_FAKER_SEED, WalletRowGenerator } from './wallet-rows.js';

export const PROBE_BALANCE_CENTS = 100_000_000; // 1,000,000.00: preflight must never run it dry

export interface SeedOptions {
  databaseUrl: string;
  wallets?: number;
  prefix?: string;
  fixturesDir?: string;
  /** Remove the prefix's test data first (the rollback code), then seed. */
  reset?: boolean;
  settings?: FestivalSettingsChange;
  fakerSeed?: number;
  /** Progress lines for long seeds (the CLI prints them to stderr). */
  onProgress?: (line: string) => void;
}

export interface SeedSummary {
  prefix: string;
  walletsRequested: number;
  walletsInserted: number;
  /** 'direct': one COPY straight into wallets (new prefix); 'staged': re-seed through ON CONFLICT. */
  walletCopy: 'direct' | 'staged';
  /** Seeded wallets the fixtures list (all of the prefix's w-NNNNNN wallets in the database). */
  walletsInFixtures: number;
  rowsInserted: Record<'vendors' | 'products' | 'terminals' | 'gateways' | 'probe_wallet', number>;
  settingsUpdated: boolean;
  reset: RollbackResult | null;
  manifest: FixtureManifest;
  fixtureFiles: string[];
  seconds: number;
  walletsPerSecond: number;
}

async function insertRows(client: pg.ClientBase, table: string, columns: string[], rows: ReadonlyArray<object>): Promise<number> {
  if (rows.length === 0) return 0;
  const values = rows.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
  const params = rows.flatMap((row) => columns.map((c) => (row as Record<string, unknown>)[c]));
  const result = await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values} ON CONFLICT (id) DO NOTHING`, params);
  return result.rowCount ?? 0;
}

export async function seed(options: SeedOptions): Promise<SeedSummary> {
  // Every input is checked before we connect: bad input changes nothing.
  const prefix = validatePrefix(options.prefix ?? DEFAULT_PREFIX);
  const wallets = validateWholeNumber(options.wallets ?? 5000, 'wallet count', 0, MAX_WALLETS);
  const fakerSeed = validateWholeNumber(options.fakerSeed ?? DEFAULT_FAKER_SEED, 'faker seed', 0, 2 ** 31 - 1);
  const settings = validateSettingsChange(options.settings);
  const fixturesDir = options.fixturesDir ?? defaultFixturesDir;
  const say = options.onProgress ?? (() => {});
  const started = performance.now();

  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'moshpit-seed' });
  await client.connect();
  try {
    const reset = options.reset ? await deleteTestData(client, prefix) : null;
    if (reset) say(`reset: removed ${reset.totalRows} rows of '${prefix}' test data`);

    const generator = new WalletRowGenerator(prefix, fakerSeed);
    const catalog = testCatalog(prefix);
    await client.query('BEGIN');
    let walletsInserted: number;
    let rowsInserted: SeedSummary['rowsInserted'];
    let settingsUpdated: boolean;
    let walletsFromStream: { tmpFile: string; count: number } | undefined;
    let walletCopy: SeedSummary['walletCopy'];
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [prefixLockName(prefix)]);
      rowsInserted = {
        vendors: await insertRows(client, 'vendors', ['id', 'name'], catalog.vendors),
        products: await insertRows(client, 'products', ['id', 'vendor_id', 'name', 'price_cents'], catalog.products),
        terminals: await insertRows(client, 'terminals', ['id', 'vendor_id', 'name'], catalog.terminals),
        gateways: await insertRows(client, 'gateways', ['id', 'name'], catalog.gateways),
        probe_wallet: (await client.query(
          `INSERT INTO wallets (id, holder_name, email, balance_cents, opening_balance_cents)
           VALUES ($1, 'Preflight Probe', 'probe@example.com', $2, $2) ON CONFLICT (id) DO NOTHING`,
          [probeWalletId(prefix), PROBE_BALANCE_CENTS],
        )).rowCount ?? 0,
      };
      settingsUpdated = await applySettingsChange(client, settings);

      let lastReport = performance.now();
      mkdirSync(fixturesDir, { recursive: true });
      const copied = await copyWallets(client, generator, wallets, {
        walletIdPrefix: seededWalletIdPrefix(prefix),
        walletsFileTmp: walletsFixtureTmp(fixturesDir),
        onProgress: (phase, done) => {
        const now = performance.now();
        if (phase === 'inserting') {
          if (wallets >= 100_000) say(`wallets: ${wallets.toLocaleString('en')} streamed, inserting into wallets ...`);
        } else if (phase === 'copied') {
          if (wallets >= 100_000) say(`wallets: ${done.toLocaleString('en')} copied into wallets`);
        } else if (now - lastReport >= 1000) {
          lastReport = now;
          const rate = Math.round(done / ((now - started) / 1000));
          say(`wallets: ${done.toLocaleString('en')}/${wallets.toLocaleString('en')} streamed (${rate.toLocaleString('en')}/s)`);
        }
      } });
      walletsInserted = copied.inserted;
      walletCopy = copied.path;
      walletsFromStream = copied.walletsFile ? { tmpFile: copied.walletsFile, count: copied.inserted } : undefined;
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      rmSync(walletsFixtureTmp(fixturesDir), { force: true });
      throw err;
    }

    if (wallets >= 100_000) say(`writing fixtures to ${fixturesDir} ...`);
    const written = await writeFixtures(client, { prefix, fixturesDir, database: describeDatabase(options.databaseUrl), walletsFromStream });
    const seconds = (performance.now() - started) / 1000;
    return {
      prefix,
      walletsRequested: wallets,
      walletsInserted,
      walletCopy,
      walletsInFixtures: written.manifest.wallets,
      rowsInserted,
      settingsUpdated,
      reset,
      manifest: written.manifest,
      fixtureFiles: written.files,
      seconds,
      walletsPerSecond: seconds > 0 ? Math.round(wallets / seconds) : 0,
    };
  } finally {
    await client.end();
  }
}
