// Slow is not wrong: a target that answers every request 700 ms late breaks the latency
// thresholds (exit 99) while the money checks still pass. The verdict keeps the two apart.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir, runScenarioCli } from '../support/scenario-run.js';
import { describeRun } from './run-report.js';

const db = await useTestDatabase();
const workDir = newWorkDir();
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface Summary { metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }> }

it('a slow entry target fails the thresholds (exit 99) while validation passes', async () => {
  const run = await runScenarioCli({
    databaseUrl: db.url,
    scenario: 'entry',
    args: ['--profile', 'smoke', '--slow-ms', '700'],
    env: { MOSHPIT_DURATION_SCALE: '0.3', THRESHOLDS_JSON: '{}' }, // the real SLOs: this test is about latency
    workDir,
  });
  const why = describeRun(run);
  expect(run.code, why).toBe(99);
  expect(run.validation?.ok, why).toBe(true);
  expect(run.failedCheckers, why).toEqual([]);

  // It was the entry latency SLO that broke, not an error rate or a failed check.
  const summary = run.summary as unknown as Summary;
  const broken = Object.entries(summary.metrics).flatMap(([m, v]) =>
    Object.entries(v.thresholds ?? {}).filter(([, t]) => !t.ok).map(([rule]) => `${m}: ${rule}`));
  expect(broken, why).toContain('moshpit_entry_duration: p(95)<500');
  expect(broken.filter((b) => !/_duration: p\(9[59]\)</.test(b)), why).toEqual([]);

  const meta = JSON.parse(readFileSync(join(run.runDir!, 'metadata.json'), 'utf8')) as { exit: Record<string, unknown> };
  expect(meta.exit).toMatchObject({ load: 0, thresholds: 'failed', validation: 'passed', preflight: 'ready', code: 99 });
  expect(existsSync(join(run.runDir!, 'validation.json'))).toBe(true);
}, 240_000);
