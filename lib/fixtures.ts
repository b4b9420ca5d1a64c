// Seeder fixtures (fixtures/README.md), loaded once per test through SharedArray so 2,000 VUs
// share one copy. Init context only: open() is unavailable once VU code runs.
import { SharedArray } from 'k6/data';
import { isCents } from '../core/money.js';

export interface WalletFixture { id: string; opening_balance_cents: number }
export interface ProductFixture { id: string; vendor_id: string; name: string; price_cents: number }
export interface TerminalFixture { id: string; vendor_id: string; name: string }
export interface GatewayFixture { id: string; name: string }

export interface FestivalSettings { platform_fee_bps: number; reentry_fee_cents: number; venue_capacity: number }

export interface Manifest {
  prefix: string;
  wallets: number;
  seeded_at: string;
  database: string;
  settings: FestivalSettings;
  probe_wallet_id: string;
}

export interface Fixtures {
  manifest: Manifest;
  wallets: WalletFixture[];
  products: ProductFixture[];
  terminals: TerminalFixture[];
  gateways: GatewayFixture[];
}

function readJson(dir: string, file: string): unknown {
  const path = `${dir}/${file}`;
  let text: string;
  try {
    text = open(path);
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

function listOf<T>(dir: string, file: string, valid: (row: Record<string, unknown>) => boolean): T[] {
  const rows = readJson(dir, file);
  if (!Array.isArray(rows) || rows.length === 0) fail(file, 'must be a non-empty JSON array');
  rows.forEach((row: unknown, i: number) => {
    if (typeof row !== 'object' || row === null || !valid(row as Record<string, unknown>)) fail(file, `row ${i} has the wrong shape: ${JSON.stringify(row)}`);
  });
  return rows as T[];
}

function loadManifest(dir: string): Manifest {
  const m = readJson(dir, 'manifest.json') as Partial<Manifest> | null;
  const s = m?.settings;
  if (!m || !nonEmptyString(m.prefix) || !nonEmptyString(m.probe_wallet_id)) fail('manifest.json', 'needs "prefix" and "probe_wallet_id"');
  if (!s || !Number.isInteger(s.platform_fee_bps) || !isCents(s.reentry_fee_cents) || !Number.isInteger(s.venue_capacity)) {
    fail('manifest.json', 'needs integer settings.platform_fee_bps, settings.reentry_fee_cents and settings.venue_capacity');
  }
  return m as Manifest;
}

/** Loads and validates every fixture file under dir (absolute). */
export function loadFixtures(dir: string): Fixtures {
  const manifest = loadManifest(dir);
  const wallets = new SharedArray('moshpit:wallets', () =>
    listOf<WalletFixture>(dir, 'wallets.json', (r) => nonEmptyString(r.id) && isCents(r.opening_balance_cents) && (r.opening_balance_cents as number) >= 0),
  ) as unknown as WalletFixture[];
  const products = new SharedArray('moshpit:products', () =>
    listOf<ProductFixture>(dir, 'products.json', (r) => nonEmptyString(r.id) && nonEmptyString(r.vendor_id) && isCents(r.price_cents) && (r.price_cents as number) > 0),
  ) as unknown as ProductFixture[];
  const terminals = new SharedArray('moshpit:terminals', () =>
    listOf<TerminalFixture>(dir, 'terminals.json', (r) => nonEmptyString(r.id) && nonEmptyString(r.vendor_id)),
  ) as unknown as TerminalFixture[];
  const gateways = new SharedArray('moshpit:gateways', () =>
    listOf<GatewayFixture>(dir, 'gateways.json', (r) => nonEmptyString(r.id)),
  ) as unknown as GatewayFixture[];
  return { manifest, wallets, products, terminals, gateways };
}
