// End to end on the real engines: every scenario, on both target surfaces (REST and Supabase),
// against the real reference target on a freshly seeded database, at the smoke profile
// shortened to ~5 s. Each run must pass its thresholds (judged by moshpit on the merged metrics
// stream), write the summary files, and its outcome counters must agree with what the database
// recorded under the run's idempotency keys. One wallet in twenty is blocked. A target with a
// defect mode on must make the same run fail. The default engine (Artillery) always runs; the
// k6 binding runs when the user has a k6 binary (k6 is AGPL: moshpit never installs it).
import { outcomeMetric } from '../../core/metric-names.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_NAMES } from '../../core/profiles.js';
import type { EngineName } from '../../core/engine-plan.js';
import { seed } from '../../seed/index.js';
import { MAIN_WRITE, recordedWrites } from '../support/recorded-writes.js';
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

      const r = await recordedWrites(db.pool, run.runId);
      expect(r.admissions.n).toBe(count(s, outcomeMetric('entry', 'acked')));
      expect(r.admissions.cents).toBe(count(s, outcomeMetric('entry', 'acked', 'cents')));
      expect(r.exits.n).toBe(count(s, outcomeMetric('exit', 'acked')));
      expect(r.orders.n).toBe(count(s, outcomeMetric('order', 'acked')));
      expect(r.orders.cents).toBe(count(s, outcomeMetric('order', 'acked', 'cents')));
      expect(r.recharges.cents).toBe(count(s, outcomeMetric('recharge', 'acked', 'cents')));
      expect(r.confirmedFundings.cents).toBe(count(s, outcomeMetric('funding_webhook', 'acked', 'cents')));
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
