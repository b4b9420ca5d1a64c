// The cloud path end to end with Artillery's own local platform standing in for the cloud:
// `moshpit scenario --platform local --count 2` generates the cloud bundle, launches each shard
// with the real Artillery CLI (`artillery run --dotenv`), the workers ship their streams to a
// real influxd, moshpit reads them back by run id, judges the merge, and validates the money
// once against the database (and appends its summary to $GITHUB_STEP_SUMMARY). What differs on Fargate/ACI is only where the workers run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seed } from '../../seed/index.js';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir, runScenarioCli } from '../support/scenario-run.js';
import { startTarget, type RunningTarget } from '../support/target.js';
import { startTestInflux, type TestInflux } from '../monitoring/influx-fixture.js';

const work = newWorkDir();
const db = await useTestDatabase();
let influx: TestInflux;
let running: RunningTarget;

beforeAll(async () => {
  influx = await startTestInflux();
  await seed({ databaseUrl: db.url, wallets: 300, fixturesDir: join(work, 'fixtures') });
  running = await startTarget({ databaseUrl: db.url });
}, 300_000);

afterAll(async () => {
  await running?.stop();
  await influx?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('--platform local --count 2: two shards launched by the Artillery CLI, streams read back from InfluxDB, one verdict, validated once', async () => {
  const run = await runScenarioCli({
    databaseUrl: db.url, scenario: 'concession', workDir: work,
    args: ['--profile', 'smoke', '--platform', 'local', '--count', '2', '--influx-url', influx.influx.url, '--no-report'],
    env: {
      TARGET_URL: running.url, API_KEY: running.apiKey, STRIPE_WEBHOOK_SECRET: running.webhookSecret, MOSHPIT_DURATION_SCALE: '0.2',
      // As GitHub Actions sets it: the run appends its markdown there (summary.md: --no-report).
      GITHUB_STEP_SUMMARY: join(work, 'step-summary.md'),
    },
  });
  expect(run.code, run.stderr).toBe(0);
  const dir = run.runDir!;
  const plan = JSON.parse(readFileSync(join(dir, 'cloud', 'cloud-run.json'), 'utf8')) as { workers: Array<{ source: string; args: string[] }> };
  expect(plan.workers.map((w) => w.source).sort()).toEqual(['artillery-concession-s0', 'artillery-concession-s1']);
  expect(plan.workers[0]!.args[0]).toBe('run');
  // The streams the verdict read are the ones the workers wrote, back from InfluxDB.
  const streams = readdirSync(join(dir, 'streams')).sort();
  expect(streams).toEqual(['artillery-concession-s0.jsonl', 'artillery-concession-s1.jsonl']);
  for (const s of streams) {
    expect(readFileSync(join(dir, 'streams', s), 'utf8')).toBe(readFileSync(join(dir, 'cloud', 'worker-streams', s), 'utf8'));
  }
  const sources = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { moshpit: { sources: Array<{ source: string; endedAt: number | null }> } }).moshpit.sources;
  expect(sources.map((s) => s.source).sort()).toEqual(['artillery-concession-s0', 'artillery-concession-s1']);
  expect(sources.every((s) => s.endedAt !== null)).toBe(true);
  expect(run.summary!.metrics.moshpit_order_duration?.values.count).toBeGreaterThan(0);
  expect(run.validation?.ok).toBe(true);
  // Every acknowledged order of both shards is in the database, once.
  const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE idempotency_key LIKE $1`, [`${run.runId}:%`]);
  expect(Number(rows[0]!.n)).toBe(run.summary!.metrics.moshpit_order_acked?.values.count ?? 0);
  expect(existsSync(join(dir, 'validation-junit.xml'))).toBe(true);
  expect(readFileSync(join(work, 'step-summary.md'), 'utf8')).toBe(`${readFileSync(join(dir, 'summary.md'), 'utf8')}\n`);
}, 600_000);
