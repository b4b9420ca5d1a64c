// Local shards: N load processes per workload side by side, splitting the wallets and the
// schedule. The verdict comes from their merged streams: a 2-shard run gets the same verdict
// and the same totals as a 1-shard run, and its acknowledged writes reconcile with the database.
// And the merged verdict is not any shard's: a count every shard keeps under its limit alone
// breaks it for the run. (A nearest-rank p95 cannot do that: if every shard has 95 % of its
// samples under T, so has their union; the test shows the global p95 within the shards' range.)
import { outcomeMetric } from '../../core/metric-names.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mergeStreams, parseStreamText } from '../../core/metrics-stream/merge.js';
import { evaluateThresholds } from '../../core/metrics-stream/summary.js';
import { seed } from '../../seed/index.js';
import { useTestDatabase } from '../support/db.js';
import { count, failedThresholds, runEngine, type TargetUnderTest } from '../support/engine-run.js';
import { startTarget, type RunningTarget } from '../support/target.js';

const work = mkdtempSync(join(tmpdir(), 'mp-shards-'));
const db = await useTestDatabase();
let running: RunningTarget;
let target: TargetUnderTest;
let twoShardDir: string | null = null;

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
  twoShardDir = two.resultsDir;
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

it('the merged verdict is the run\'s, not any shard\'s: a count each shard passes alone fails for the run', () => {
  if (!twoShardDir) throw new Error('needs the 2-shard run of the test above');
  const dir = join(twoShardDir, 'streams');
  const merge = (files: string[]) => mergeStreams(files.map((f) => ({ name: f, records: parseStreamText(f, readFileSync(join(dir, f), 'utf8')) })));
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  const shards = [0, 1].map((i) => merge(files.filter((f) => f.endsWith(`-s${i}.jsonl`))));
  const run = merge(files);
  const observe = (r: ReturnType<typeof merge>, selector: string, rule: string) => evaluateThresholds(r, { [selector]: [rule] })[0]!;
  const perShard = shards.map((r) => observe(r, 'http_reqs', 'count>0').observed!);
  const limit = Math.max(...perShard) + 1;
  for (const r of shards) expect(observe(r, 'http_reqs', `count<${limit}`).ok).toBe(true);
  expect(observe(run, 'http_reqs', `count<${limit}`).ok).toBe(false);
  // The p95 of the run lies within the shards' p95s (0.5 % histogram accuracy either side).
  const p95 = (r: ReturnType<typeof merge>) => observe(r, 'http_req_duration', 'p(95)<1000000').observed!;
  const shardP95 = shards.map(p95);
  expect(p95(run)).toBeLessThanOrEqual(Math.max(...shardP95) * 1.005);
  expect(p95(run)).toBeGreaterThanOrEqual(Math.min(...shardP95) * 0.995);
});
