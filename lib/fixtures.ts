// Seeder fixtures (fixtures/README.md), loaded and validated once per process. How files are
// read and shared is the binding's (k6: open() + SharedArray in the init context, so 2,000 VUs
// share one copy; Node: the file system).
import { FIXTURE_FILES, type FixtureManifest } from '../core/fixture-manifest.js';
import { isCents } from '../core/money.js';

/** How the engine reads fixture files and shares the big lists. */
export interface FixtureSource {
  /** Whole file as UTF-8; throws when it cannot be read. */
  readText(file: string): string;
  /** The list make() builds, built once and shared read-only (k6: SharedArray, whose rows are copies). */
  share<T>(name: string, make: () => T[]): T[];
}

export interface WalletFixture { id: string; opening_balance_cents: number }
export interface ProductFixture { id: string; vendor_id: string; name: string; price_cents: number }
export interface TerminalFixture { id: string; vendor_id: string; name: string }
export interface GatewayFixture { id: string; name: string }

export interface Fixtures {
  manifest: FixtureManifest;
  wallets: WalletFixture[];
  products: ProductFixture[];
  terminals: TerminalFixture[];
  gateways: GatewayFixture[];
}

function readJson(source: FixtureSource, dir: string, file: string): unknown {
  const path = `${dir}/${file}`;
  let text: string;
  try {
    text = source.readText(path);
  } catch (err) {
    throw new Error(`moshpit: cannot read fixture ${path} (run the seeder first): ${String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`moshpit: fixture ${path} is not valid JSON: ${String(err)}`);
  }
}

function fail(file: string, why: string): never {
  throw new Error(`moshpit: fixture ${file} ${why}`);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function listOf<T>(source: FixtureSource, dir: string, file: string, valid: (row: Record<string, unknown>) => boolean): T[] {
  const rows = readJson(source, dir, file);
  if (!Array.isArray(rows) || rows.length === 0) fail(file, 'must be a non-empty JSON array');
  rows.forEach((row: unknown, i: number) => {
    if (typeof row !== 'object' || row === null || !valid(row as Record<string, unknown>)) fail(file, `row ${i} has the wrong shape: ${JSON.stringify(row)}`);
  });
  return rows as T[];
}

function loadManifest(source: FixtureSource, dir: string): FixtureManifest {
  const m = readJson(source, dir, FIXTURE_FILES.manifest) as Partial<FixtureManifest> | null;
  const s = m?.settings;
  if (!m || !nonEmptyString(m.prefix) || !nonEmptyString(m.probe_wallet_id)) fail(FIXTURE_FILES.manifest, 'needs "prefix" and "probe_wallet_id"');
  if (!s || !Number.isInteger(s.platform_fee_bps) || !isCents(s.reentry_fee_cents) || !Number.isInteger(s.venue_capacity)) {
    fail(FIXTURE_FILES.manifest, 'needs integer settings.platform_fee_bps, settings.reentry_fee_cents and settings.venue_capacity');
  }
  return m as FixtureManifest;
}

/** Loads and validates every fixture file under dir (absolute). */
export function loadFixtures(dir: string, source: FixtureSource): Fixtures {
  const manifest = loadManifest(source, dir);
  const wallets = source.share('moshpit:wallets', () =>
    listOf<WalletFixture>(source, dir, FIXTURE_FILES.wallets, (r) => nonEmptyString(r.id) && isCents(r.opening_balance_cents) && (r.opening_balance_cents as number) >= 0),
  );
  const products = source.share('moshpit:products', () =>
    listOf<ProductFixture>(source, dir, FIXTURE_FILES.products, (r) => nonEmptyString(r.id) && nonEmptyString(r.vendor_id) && isCents(r.price_cents) && (r.price_cents as number) > 0),
  );
  const terminals = source.share('moshpit:terminals', () =>
    listOf<TerminalFixture>(source, dir, FIXTURE_FILES.terminals, (r) => nonEmptyString(r.id) && nonEmptyString(r.vendor_id)),
  );
  const gateways = source.share('moshpit:gateways', () =>
    listOf<GatewayFixture>(source, dir, FIXTURE_FILES.gateways, (r) => nonEmptyString(r.id)),
  );
  return { manifest, wallets, products, terminals, gateways };
}

/** The top-up checkpoint of a lane (lane 0: checkpoint-1): not seeded, an id under the test prefix. */
export function checkpointFor(fixtures: Fixtures, lane: number): string {
  return `${fixtures.manifest.prefix}checkpoint-${lane + 1}`;
}

/** The lowest-priced product (the first of equals). */
export function cheapestProduct(products: readonly ProductFixture[]): ProductFixture {
  return products.reduce((a, b) => (b.price_cents < a.price_cents ? b : a));
}
