// A 100k seed (1M is for benchmarks: `moshpit seed --wallets 1000000`): COPY path, fixture
// streaming, and a rate that shows the bulk path is in use.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { seed } from '../../seed/seed.js';
import { useTestDatabase } from '../support/db.js';
import { count } from './helpers/table-snapshot.js';

const db = await useTestDatabase();
const fixturesDir = mkdtempSync(join(tmpdir(), 'moshpit-seed-100k-'));
afterAll(() => rmSync(fixturesDir, { recursive: true, force: true }));

it('seeds 100,000 wallets in bulk and streams them into wallets.json', async () => {
  const progress: string[] = [];
  const summary = await seed({ databaseUrl: db.url, fixturesDir, wallets: 100_000, prefix: 'bench_', onProgress: (l) => progress.push(l) });
  console.log(`seed 100k: ${summary.seconds.toFixed(2)}s, ${summary.walletsPerSecond} wallets/s`);
  expect(summary.walletsInserted).toBe(100_000);
  expect(await count(db.pool, `SELECT count(*) FROM wallets WHERE id LIKE 'bench\\_w-%'`)).toBe(100_000);
  expect(await count(db.pool, `SELECT count(*) FROM wallets WHERE balance_cents <> opening_balance_cents`)).toBe(0);
  expect(summary.walletCopy).toBe('direct'); // a new prefix: one COPY straight into wallets
  expect(progress.some((l) => /100,000 copied into wallets/.test(l))).toBe(true);
  // A loose floor (the machine is shared; ~65-90k/s when quiet): row-by-row inserts over the
  // network would not reach it.
  expect(summary.walletsPerSecond).toBeGreaterThan(5_000);

  const wallets = JSON.parse(readFileSync(join(fixturesDir, 'wallets.json'), 'utf8')) as Array<{ id: string; opening_balance_cents: number }>;
  expect(wallets).toHaveLength(100_000);
  expect(wallets[0]!.id).toBe('bench_w-000001');
  expect(new Set(wallets.map((w) => w.id)).size).toBe(100_000);
  expect(wallets.every((w) => Number.isSafeInteger(w.opening_balance_cents))).toBe(true);
  const manifest = JSON.parse(readFileSync(join(fixturesDir, 'manifest.json'), 'utf8'));
  expect(manifest).toMatchObject({ prefix: 'bench_', wallets: 100_000, probe_wallet_id: 'bench_probe' });
});
