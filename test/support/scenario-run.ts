// Runs `moshpit scenario ...` through the real CLI in a child process, against a database of
// its own (DATABASE_URL: the embedded target is started on demand and stopped afterwards;
// PostgreSQL, being external to that stack, is left alone). Returns what a user would see.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';
import { RELAXED_LATENCY_JSON } from './relaxed-thresholds.js';

export interface ScenarioRun {
  code: number;
  stdout: string;
  stderr: string;
  runId: string | null;
  runDir: string | null;
  validation: { ok: boolean; results: Array<{ name: string; ok: boolean; violations: number; witnesses: unknown[]; info?: unknown }> } | null;
  summary: { metrics: Record<string, { values: Record<string, number> }> } | null;
  /** Checker names that reported violations. */
  failedCheckers: string[];
}

export interface ScenarioRunOptions {
  databaseUrl: string;
  scenario: string;
  args?: string[];
  env?: Record<string, string>;
  /** Shared across runs of one test file so fixtures are seeded once. */
  workDir?: string;
}

export function newWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'mp-e2e-'));
}

export async function runScenarioCli(opts: ScenarioRunOptions): Promise<ScenarioRun> {
  const work = opts.workDir ?? newWorkDir();
  const resultsDir = join(work, 'results');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: opts.databaseUrl,
    MOSHPIT_STATE_DIR: join(work, 'state'),
    MOSHPIT_FIXTURES_DIR: join(work, 'fixtures'),
    MOSHPIT_RESULTS_DIR: resultsDir,
    // Correctness, not machine speed; a test about latency sets THRESHOLDS_JSON itself.
    THRESHOLDS_JSON: RELAXED_LATENCY_JSON,
    // Same for the SLO tiers (a 5 s smoke bucket's p99 is one slow request): reported, not
    // enforced; test/e2e/slo-tiers.test.ts sets MOSHPIT_SLO_POLICY=enforce.
    MOSHPIT_SLO_POLICY: 'report',
    ...opts.env,
  };
  for (const k of ['TARGET_URL', 'SUPABASE_URL', 'PROFILE', 'TARGET_KIND']) if (!opts.env?.[k]) delete env[k];
  const r = await exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'scenario', opts.scenario, '--quiet', ...(opts.args ?? [])], {
    cwd: projectRoot,
    env,
    check: false,
  });
  const runId = existsSync(join(resultsDir, 'LATEST')) ? readFileSync(join(resultsDir, 'LATEST'), 'utf8').trim() : null;
  const runDir = runId ? join(resultsDir, runId) : null;
  const readJson = (f: string) => (runDir && existsSync(join(runDir, f)) ? JSON.parse(readFileSync(join(runDir, f), 'utf8')) : null);
  const validation = readJson('validation.json') as ScenarioRun['validation'];
  return {
    code: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
    runId,
    runDir,
    validation,
    summary: readJson('summary.json') as ScenarioRun['summary'],
    failedCheckers: validation ? validation.results.filter((c) => !c.ok).map((c) => c.name) : [],
  };
}
