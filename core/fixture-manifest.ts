// The seeder's fixture files (fixtures/README.md): their names, and manifest.json, the record of
// what was seeded. Written by seed/, read by the load (lib/fixtures.ts, any engine) and by
// pre-flight (validate/preflight/fixtures.ts).

export const FIXTURE_FILES = {
  wallets: 'wallets.json',
  products: 'products.json',
  terminals: 'terminals.json',
  gateways: 'gateways.json',
  manifest: 'manifest.json',
} as const;

/** The single festival_settings row, as seeded. */
export interface FestivalSettings {
  platform_fee_bps: number;
  reentry_fee_cents: number;
  venue_capacity: number;
}

/** manifest.json */
export interface FixtureManifest {
  /** the test-data prefix every seeded id carries (k6-test- by default) */
  prefix: string;
  wallets: number;
  /** ISO time */
  seeded_at: string;
  /** where it was seeded, without credentials */
  database: string;
  settings: FestivalSettings;
  /** the wallet pre-flight probes */
  probe_wallet_id: string;
}
