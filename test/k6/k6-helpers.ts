// Shared by the test/k6 files: the user's k6 binary, hermetic k6 runs with a hard time limit,
// and small synthetic fixture sets for runs that need fixtures but no database.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userK6 } from '../support/engine-run.js';

/** The user's k6 (K6_BINARY or PATH); tests that need it are skipped, saying why, without one. */
export const K6_MISSING = userK6 ? null : 'no k6 binary (K6_BINARY or k6 on PATH): moshpit never installs k6 (AGPL-3.0)';

export async function k6Binary(): Promise<string> {
  if (!userK6) throw new Error(K6_MISSING!);
  return userK6.path;
}

export interface K6Result { code: number | null; stdout: string; stderr: string }

/**
 * Runs k6 with only PATH/HOME from our environment plus `env`, so a developer's shell can
 * never leak a TARGET_URL into a test. Killed (by its own PID) after timeoutMs.
 */
export function runK6(k6: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<K6Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(k6, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', K6_NO_USAGE_REPORT: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`k6 ${args.join(' ')} ran longer than ${timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** A fixture set shaped like the seeder's (fixtures/README.md), written to dir. */
export function writeSyntheticFixtures(dir: string, wallets = 300, prefix = 'k6-test-'): string {
  mkdirSync(dir, { recursive: true });
  const json = (file: string, data: unknown) => writeFileSync(join(dir, file), JSON.stringify(data));
  json('manifest.json', {
    prefix,
    wallets,
    seeded_at: '2026-01-01T00:00:00Z',
    database: '127.0.0.1:5432/synthetic',
    settings: { platform_fee_bps: 250, reentry_fee_cents: 500, venue_capacity: 4000 },
    probe_wallet_id: `${prefix}probe`,
  });
  json('wallets.json', Array.from({ length: wallets }, (_, i) => ({ id: `${prefix}w-${String(i + 1).padStart(6, '0')}`, opening_balance_cents: 2500 })));
  json('products.json', [
    { id: `${prefix}p-beer`, vendor_id: `${prefix}vendor-1`, name: 'Lager 0.5l', price_cents: 650 },
    { id: `${prefix}p-water`, vendor_id: `${prefix}vendor-1`, name: 'Water', price_cents: 250 },
  ]);
  json('terminals.json', [1, 2, 3, 4].map((n) => ({ id: `${prefix}terminal-${n}`, vendor_id: `${prefix}vendor-1`, name: `Bar ${n}` })));
  json('gateways.json', [1, 2].map((n) => ({ id: `${prefix}gateway-door-${n}`, name: `Door ${n}` })));
  return dir;
}

/** The environment a bundle needs, for runs that never reach a target (inspect). */
export function inertBundleEnv(fixturesDir: string): Record<string, string> {
  return {
    TARGET_URL: 'http://127.0.0.1:9',
    API_KEY: 'test-key',
    TARGET_KIND: 'rest',
    PROFILE: 'smoke',
    RUN_ID: 'test-run-1',
    FIXTURES_DIR: fixturesDir,
    STRIPE_WEBHOOK_SECRET: 'whsec_test',
  };
}
