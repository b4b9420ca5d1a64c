// End to end on the real engines: every scenario, on both target surfaces (REST and Supabase),
// against the real reference target on a freshly seeded database, at the smoke profile
// shortened to ~5 s. Each run must pass its thresholds (judged by moshpit on the merged metrics
// stream), write the summary files, and its outcome counters must agree with what the database
// recorded under the run's idempotency keys. One wallet in twenty is blocked. A target with a
// defect mode on must make the same run fail. The default engine (Artillery) always runs; the
// k6 binding runs when the user has a k6 binary (k6 is AGPL: moshpit never installs it).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeMetric } from '../../core/operations.js';
import { SCENARIO_NAMES, type ScenarioName } from '../../core/profiles.js';
import type { EngineName } from '../../core/engine-plan.js';
import { seed } from '../../seed/index.js';
import { useTestDatabase } from '../support/db.js';
import { count, failedThresholds, runEngine, userK6, type TargetUnderTest } from '../support/engine-run.js';
import { startTarget, type RunningTarget } from '../support/target.js';

const work = mkdtempSync(join(tmpdir(), 'mp-engine-e2e-'));
const db = await useTestDatabase();
const running: RunningTarget[] = [];
let target: TargetUnderTest;

beforeAll(async () => {
  const fixturesDir = join(work, 'fixtures');
  await seed({ databaseUrl: db.url, wallets: 400, fixturesDir });
  // Some blocked wristbands in every slice: flows must predict 403 wallet_blocked for them.
  const wallets = JSON.parse(readFileSync(join(fixturesDir, 'wallets.json'), 'utf8')) as Array<{ id: string }>;
  const blocked = wallets.filter((_, i) => i % 20 === 7).map((w) => w.id);
  await db.pool.query(`UPDATE wallets SET status = 'blocked' WHERE id = ANY($1)`, [blocked]);
  const t = await startTarget({ databaseUrl: db.url });
  running.push(t);
  target = { url: t.url, apiKey: t.apiKey, webhookSecret: t.webhookSecret, fixturesDir };
}, 300_000);

afterAll(async () => {
  await Promise.all(running.map((t) => t.stop()));
  rmSync(work, { recursive: true, force: true });
});

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

const ENGINES: EngineName[] = userK6 ? ['artillery', 'k6'] : ['artillery'];
if (!userK6) console.log('test/e2e/scenarios: k6 engine runs skipped: no k6 binary (K6_BINARY or k6 on PATH); moshpit never installs k6 (AGPL-3.0)');
describe.skipIf(userK6 !== null)('the k6 engine', () => {
  it.skip('runs only with a user-supplied k6 binary (none found: K6_BINARY or k6 on PATH)', () => {});
});

describe.each(ENGINES)('engine %s', (engine) => {
  describe.each(['rest', 'supabase'] as const)('scenarios against the %s surface', (kind) => {
    it.each([...SCENARIO_NAMES])('%s passes its thresholds and reconciles with the database', async (scenario) => {
      const run = await runEngine({ engine, scenario, kind, target, workDir: work });
      expect(run.loadExit, run.notes.join('\n')).toBe(0);
      const s = run.summary;
      expect(failedThresholds(s)).toEqual([]);
      expect(s.root_group.checks.filter((c) => c.fails > 0)).toEqual([]);
      expect(run.notes).toEqual([]);
      expect(count(s, MAIN_WRITE[scenario])).toBeGreaterThan(0);
      // Open-model arrivals keep their schedule at smoke rates: no iteration is dropped for want of a VU.
      expect(count(s, 'dropped_iterations')).toBe(0);
      // The adversarial client share got its expected answer every time (a threshold too).
      expect(count(s, 'moshpit_adversarial_mismatches')).toBe(0);
      expect(count(s, outcomeMetric('entry', 'indeterminate')) + count(s, outcomeMetric('order', 'indeterminate'))).toBe(0);
      expect(s.moshpit).toMatchObject({ runId: run.runId, scenario, profile: 'smoke', targetKind: kind, engine });
      for (const f of ['summary.txt', 'junit.xml', 'summary.md']) expect(existsSync(join(run.resultsDir, f)), f).toBe(true);
      expect(readFileSync(join(run.resultsDir, 'junit.xml'), 'utf8')).toMatch(/<testsuites [^>]*failures="0"/);

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

  it('a defective target fails the concession thresholds when orders skip the balance check', async () => {
    const t = await startTarget({ databaseUrl: db.url, defects: ['no_funds_check'] });
    running.push(t);
    const run = await runEngine({ engine, scenario: 'concession', kind: 'rest', target: { ...target, url: t.url, apiKey: t.apiKey, webhookSecret: t.webhookSecret }, workDir: work });
    expect(run.thresholdsOk).toBe(false);
    expect(failedThresholds(run.summary)).toEqual(expect.arrayContaining(['balance_integrity_rate: rate>=0.99999', 'balance_errors: count<1']));
    const junit = readFileSync(join(run.resultsDir, 'junit.xml'), 'utf8');
    expect(junit).toContain('name="order over the balance is declined with 402"');
    expect(junit).toMatch(/<testsuites [^>]*failures="[1-9]/);
  });
});
