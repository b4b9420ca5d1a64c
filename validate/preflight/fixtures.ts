// The seeded fixtures (fixtures/README.md): what the database should hold for the prefix.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_FILES, type FixtureManifest } from '../../core/fixture-manifest.js';

export interface FixtureSet {
  manifest: FixtureManifest;
  products: Array<{ id: string; price_cents: number }>;
  terminals: Array<{ id: string }>;
  gateways: Array<{ id: string }>;
}

export class FixtureError extends Error {}

function readJson(dir: string, file: string): unknown {
  const path = join(dir, file);
  if (!existsSync(path)) throw new FixtureError(`${path} is missing (run 'moshpit seed')`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FixtureError(`${path}: ${(err as Error).message}`);
  }
}

function idList(dir: string, file: string): Array<{ id: string; price_cents: number }> {
  const value = readJson(dir, file);
  if (!Array.isArray(value) || value.some((x) => typeof x?.id !== 'string')) throw new FixtureError(`${join(dir, file)}: expected an array of {"id": ...}`);
  return value as Array<{ id: string; price_cents: number }>;
}

export function readFixtures(dir: string): FixtureSet {
  const m = readJson(dir, FIXTURE_FILES.manifest) as Partial<FixtureManifest> | null;
  if (!m || typeof m.prefix !== 'string' || !Number.isSafeInteger(m.wallets) || typeof m.probe_wallet_id !== 'string') {
    throw new FixtureError(`${join(dir, FIXTURE_FILES.manifest)}: needs "prefix", "wallets" (integer) and "probe_wallet_id"`);
  }
  return {
    manifest: m as FixtureManifest,
    products: idList(dir, FIXTURE_FILES.products),
    terminals: idList(dir, FIXTURE_FILES.terminals),
    gateways: idList(dir, FIXTURE_FILES.gateways),
  };
}
