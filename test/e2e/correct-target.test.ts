// No false alarms: against the correct target, consecutive smoke runs on one reused database
// (each re-seeds, pre-flights, loads and validates) pass every checker and exit 0. The
// contention run is also the control for the lost_update case in defects.test.ts: the same
// racing orders on shared wallets are fine when the target locks the row.
import { outcomeMetric } from '../../core/metric-names.js';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKER_NAMES } from '../../validate/checkers/index.js';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir, runScenarioCli, type ScenarioRun } from '../support/scenario-run.js';
import { counter, describeRun } from './run-report.js';

const db = await useTestDatabase();
const workDir = newWorkDir();
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const run = (scenario: string) =>
  runScenarioCli({ databaseUrl: db.url, scenario, args: ['--profile', 'smoke'], env: { MOSHPIT_DURATION_SCALE: '0.3' }, workDir });

interface Counts { checkers: number; passed: number; failed: number; errors: number; skipped: number; violations: number }

function expectAllPassed(r: ScenarioRun): void {
  const why = describeRun(r);
  expect(r.code, why).toBe(0);
  expect(r.failedCheckers, why).toEqual([]);
  // Passed, not skipped: reconciliation needs the run's summary, and had it.
  const counts = (r.validation as unknown as { counts: Counts }).counts;
  expect(counts, why).toEqual({ checkers: CHECKER_NAMES.length, passed: CHECKER_NAMES.length, failed: 0, errors: 0, skipped: 0, violations: 0 });
}

describe('the correct target', () => {
  const runIds: string[] = [];

  it('passes concession, then reentry on the same database', async () => {
    for (const scenario of ['concession', 'reentry']) {
      const r = await run(scenario);
      expectAllPassed(r);
      runIds.push(r.runId!);
    }
  }, 240_000);

  it('passes contention on that database too (shared wallets raced from every terminal)', async () => {
    const r = await run('contention');
    expectAllPassed(r);
    expect(counter(r, outcomeMetric('order', 'acked'))).toBeGreaterThan(0);
    expect(counter(r, outcomeMetric('recharge', 'acked'))).toBeGreaterThan(0);
    runIds.push(r.runId!);
    expect(new Set(runIds).size).toBe(3);
  }, 240_000);
});
