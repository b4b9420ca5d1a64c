// End to end: every scenario bundle, on both target surfaces (REST and Supabase), against the
// real reference target on a freshly seeded database, at the smoke profile shortened to ~5 s.
// Each run must pass its thresholds, write all four summary files, and its outcome counters
// must agree with what the database recorded under the run's idempotency keys. One wallet in
// twenty is blocked. A target with a defect mode on must make the same bundle fail.
// Dev loop without a database: MOSHPIT_E2E_TARGET_JSON=<file with {url, apiKey, webhookSecret,
// fixturesDir}> runs the same bundles against an already running target (DB checks skipped).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScenario } from '../../build/bundle.js';
import { outcomeMetric } from '../../core/operations.js';
import { SCENARIO_NAMES, type ScenarioName } from '../../core/profiles.js';
import { seed } from '../../seed/index.js';
import { useTestDatabase } from '../support/db.js';
import { startTarget, type RunningTarget } from '../support/target.js';
import { k6Binary, runK6 } from './k6-helpers.js';

interface TargetUnderTest { url: string; apiKey: string; webhookSecret: string; fixturesDir: string }

const work = mkdtempSync(join(tmpdir(), 'mp-k6-e2e-'));
const external = process.env.MOSHPIT_E2E_TARGET_JSON;
const db = external ? null : await useTestDatabase();
const running: RunningTarget[] = [];
let target: TargetUnderTest;
let k6: string;
const bundles = new Map<string, string>();

beforeAll(async () => {
  k6 = await k6Binary();
  for (const s of SCENARIO_NAMES) bundles.set(s, (await buildScenario(s)).outfile);
  if (external) {
    target = JSON.parse(readFileSync(external, 'utf8')) as TargetUnderTest;
    return;
  }
  const fixturesDir = join(work, 'fixtures');
  await seed({ databaseUrl: db!.url, wallets: 400, fixturesDir });
  // Some blocked wristbands in every slice: flows must predict 403 wallet_blocked for them.
  const wallets = JSON.parse(readFileSync(join(fixturesDir, 'wallets.json'), 'utf8')) as Array<{ id: string }>;
  const blocked = wallets.filter((_, i) => i % 20 === 7).map((w) => w.id);
  await db!.pool.query(`UPDATE wallets SET status = 'blocked' WHERE id = ANY($1)`, [blocked]);
  const t = await startTarget({ databaseUrl: db!.url });
  running.push(t);
  target = { url: t.url, apiKey: t.apiKey, webhookSecret: t.webhookSecret, fixturesDir };
}, 900_000);

afterAll(async () => {
  await Promise.all(running.map((t) => t.stop()));
  rmSync(work, { recursive: true, force: true });
});

interface Run { runId: string; code: number | null; stderr: string; resultsDir: string; summary: Summary | null }
interface Summary { metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>; root_group: { checks: Array<{ name: string; fails: number }> }; moshpit: Record<string, unknown> }

let sequence = 0;

async function runScenario(scenario: ScenarioName, kind: 'rest' | 'supabase', on: TargetUnderTest = target): Promise<Run> {
  sequence += 1;
  const runId = `e2e-${scenario}-${kind}-${process.pid}-${sequence}`;
  const resultsDir = join(work, 'results', runId);
  mkdirSync(resultsDir, { recursive: true });
  const r = await runK6(k6, ['run', '--no-usage-report', '--quiet', bundles.get(scenario)!], {
    TARGET_URL: on.url,
    API_KEY: on.apiKey,
    TARGET_KIND: kind,
    STRIPE_WEBHOOK_SECRET: on.webhookSecret,
    PROFILE: 'smoke',
    RUN_ID: runId,
    FIXTURES_DIR: on.fixturesDir,
    RESULTS_DIR: resultsDir,
    MOSHPIT_DURATION_SCALE: '0.2', // smoke's 25 s -> 5 s
  }, 60_000);
  const file = join(resultsDir, 'summary.json');
  const summary = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Summary) : null;
  return { runId, code: r.code, stderr: r.stderr, resultsDir, summary };
}

const count = (s: Summary, metric: string) => s.metrics[metric]?.values.count ?? 0;

function failedThresholds(s: Summary): string[] {
  return Object.entries(s.metrics).flatMap(([m, v]) => Object.entries(v.thresholds ?? {}).filter(([, t]) => !t.ok).map(([e]) => `${m}: ${e}`));
}

/** What the database recorded under one run's idempotency keys. */
async function recorded(pool: pg.Pool, runId: string) {
  const like = `${runId}:%`;
  const one = async (sql: string) => (await pool.query<{ n: string; cents: string }>(sql, [like])).rows[0]!;
  return {
    admissions: await one(`SELECT count(*) AS n, coalesce(sum(fee_cents), 0) AS cents FROM nfc_scan_log WHERE idempotency_key LIKE $1 AND direction = 'entry' AND result IN ('admitted', 'readmitted')`),
    exits: await one(`SELECT count(*) AS n, 0 AS cents FROM nfc_scan_log WHERE idempotency_key LIKE $1 AND direction = 'exit' AND result = 'exited'`),
    orders: await one(`SELECT count(*) AS n, coalesce(sum(total_cents), 0) AS cents FROM orders WHERE idempotency_key LIKE $1`),
    recharges: await one(`SELECT count(*) AS n, coalesce(sum(amount_cents), 0) AS cents FROM recharges WHERE idempotency_key LIKE $1`),
    confirmedFundings: await one(`SELECT count(*) AS n, coalesce(sum(amount_cents), 0) AS cents FROM funding_intents WHERE idempotency_key LIKE $1 AND status = 'confirmed'`),
  };
}

const MAIN_WRITE: Record<ScenarioName, string> = {
  entry: outcomeMetric('entry', 'acked'),
  concession: outcomeMetric('order', 'acked'),
  funding: outcomeMetric('funding_webhook', 'acked'),
  reentry: outcomeMetric('entry', 'acked'),
  full: outcomeMetric('order', 'acked'),
  contention: outcomeMetric('order', 'acked'),
};

describe.each(['rest', 'supabase'] as const)('scenarios against the %s surface', (kind) => {
  it.each([...SCENARIO_NAMES])('%s passes its thresholds and reconciles with the database', async (scenario) => {
    const run = await runScenario(scenario, kind);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const s = run.summary!;
    expect(failedThresholds(s)).toEqual([]);
    expect(s.root_group.checks.filter((c) => c.fails > 0)).toEqual([]);
    expect(count(s, MAIN_WRITE[scenario])).toBeGreaterThan(0);
    // Open-model arrivals keep their schedule at smoke rates: no iteration is dropped for want of a VU.
    expect(count(s, 'dropped_iterations')).toBe(0);
    expect(count(s, outcomeMetric('entry', 'indeterminate')) + count(s, outcomeMetric('order', 'indeterminate'))).toBe(0);
    expect(s.moshpit).toMatchObject({ runId: run.runId, scenario, profile: 'smoke', targetKind: kind });
    for (const f of ['summary.txt', 'junit.xml', 'summary.md']) expect(existsSync(join(run.resultsDir, f)), f).toBe(true);
    expect(readFileSync(join(run.resultsDir, 'junit.xml'), 'utf8')).toMatch(/<testsuites [^>]*failures="0"/);

    if (!db) return;
    const r = await recorded(db.pool, run.runId);
    expect(Number(r.admissions.n)).toBe(count(s, outcomeMetric('entry', 'acked')));
    expect(Number(r.admissions.cents)).toBe(count(s, outcomeMetric('entry', 'acked', 'cents')));
    expect(Number(r.exits.n)).toBe(count(s, outcomeMetric('exit', 'acked')));
    expect(Number(r.orders.n)).toBe(count(s, outcomeMetric('order', 'acked')));
    expect(Number(r.orders.cents)).toBe(count(s, outcomeMetric('order', 'acked', 'cents')));
    expect(Number(r.recharges.cents)).toBe(count(s, outcomeMetric('recharge', 'acked', 'cents')));
    expect(Number(r.confirmedFundings.cents)).toBe(count(s, outcomeMetric('funding_webhook', 'acked', 'cents')));
  });
});

describe.skipIf(!db)('a defective target', () => {
  it('fails the concession thresholds when orders skip the balance check', async () => {
    const t = await startTarget({ databaseUrl: db!.url, defects: ['no_funds_check'] });
    running.push(t);
    const run = await runScenario('concession', 'rest', { url: t.url, apiKey: t.apiKey, webhookSecret: t.webhookSecret, fixturesDir: target.fixturesDir });
    expect(run.code).toBe(99); // k6: thresholds crossed
    const failed = failedThresholds(run.summary!);
    expect(failed).toEqual(expect.arrayContaining(['balance_integrity_rate: rate>=0.99999', 'balance_errors: count<1']));
    const junit = readFileSync(join(run.resultsDir, 'junit.xml'), 'utf8');
    expect(junit).toContain('name="order over the balance is declined with 402"');
    expect(junit).toMatch(/<testsuites [^>]*failures="[1-9]/);
  });
});
