// Local shards: N load processes per workload side by side, splitting the wallets and the
// schedule. The verdict comes from their merged streams: a 2-shard run gets the same verdict
// and the same totals as a 1-shard run, and its acknowledged writes reconcile with the database.
import { outcomeMetric } from '../../core/metric-names.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seed } from '../../seed/index.js';
import { useTestDatabase } from '../support/db.js';
import { count, failedThresholds, runEngine, type TargetUnderTest } from '../support/engine-run.js';
import { startTarget, type RunningTarget } from '../support/target.js';

const work = mkdtempSync(join(tmpdir(), 'mp-shards-'));
const db = await useTestDatabase();
let running: RunningTarget;
let target: TargetUnderTest;

beforeAll(async () => {
  const fixturesDir = join(work, 'fixtures');
  await seed({ databaseUrl: db.url, wallets: 600, fixturesDir });
  running = await startTarget({ databaseUrl: db.url });
  target = { url: running.url, apiKey: running.apiKey, webhookSecret: running.webhookSecret, fixturesDir };
}, 300_000);

afterAll(async () => {
  await running?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('a 2-shard full run: both shards\' streams, one merged verdict, the same totals as 1 shard, reconciled', async () => {
  const one = await runEngine({ engine: 'artillery', scenario: 'full', kind: 'rest', target, workDir: work });
  const two = await runEngine({ engine: 'artillery', scenario: 'full', kind: 'rest', target, workDir: work, shards: 2 });
  for (const run of [one, two]) {
    expect(run.loadExit).toBe(0);
    expect(failedThresholds(run.summary)).toEqual([]);
    expect(run.notes).toEqual([]);
  }
  const streams = readdirSync(join(two.resultsDir, 'streams')).sort();
  expect(streams.filter((f) => f.endsWith('-s0.jsonl')).length).toBeGreaterThan(0);
  expect(streams.filter((f) => f.endsWith('-s1.jsonl')).length).toBeGreaterThan(0);
  // Open arrivals are dealt out exactly: the same number of iterations of every open workload.
  const planned = (run: typeof one) => (run.summary.moshpit.sources as Array<{ source: string; info: { plannedArrivals: number; workload: string } }>)
    .reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.info.workload]: (acc[s.info.workload] ?? 0) + s.info.plannedArrivals }), {});
  expect(planned(two)).toEqual(planned(one));
  // Every acknowledged order of both shards is in the database, once.
  const { rows } = await db.pool.query<{ n: string; cents: string }>(
    `SELECT count(*) AS n, coalesce(sum(total_cents), 0) AS cents FROM orders WHERE idempotency_key LIKE $1`, [`${two.runId}:%`]);
  expect(Number(rows[0]!.n)).toBe(count(two.summary, outcomeMetric('order', 'acked')));
  expect(Number(rows[0]!.cents)).toBe(count(two.summary, outcomeMetric('order', 'acked', 'cents')));
}, 300_000);
