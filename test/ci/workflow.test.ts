// The GitHub Actions example (.github/workflows/moshpit.yml): it parses, it has the steps the
// CI kit promises, and the steps that can run here do (the run-id step, the step summary).
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appendStepSummary } from '../../cli/pipeline/step-summary.js';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';

interface Step { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }
const workflow = parse(readFileSync(join(projectRoot, '.github', 'workflows', 'moshpit.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
};
const steps = workflow.jobs.smoke!.steps;
const step = (pattern: RegExp) => {
  const s = steps.find((x) => pattern.test(x.name ?? x.uses ?? ''));
  if (!s) throw new Error(`no step matching ${pattern}`);
  return s;
};

const tmp = mkdtempSync(join(tmpdir(), 'mp-ci-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('.github/workflows/moshpit.yml', () => {
  it('runs on pull requests, on Node 20, with node_modules and ~/.cache/moshpit cached', () => {
    expect(workflow.on).toHaveProperty('pull_request');
    expect(step(/Set up Node/)).toMatchObject({ uses: 'actions/setup-node@v4', with: { 'node-version': 20 } });
    const cached = steps.filter((s) => s.uses?.startsWith('actions/cache@')).map((s) => s.with!.path);
    expect(cached).toEqual(['node_modules', '~/.cache/moshpit']);
    expect(step(/Install dependencies/)).toMatchObject({ run: 'npm ci', if: "steps.node-modules.outputs.cache-hit != 'true'" });
  });

  it('gates pull requests with a smoke run', () => {
    const smoke = step(/Smoke gate/);
    expect(smoke.run).toBe('npm run scenario:full -- --profile smoke');
    expect(smoke.if).toMatch(/github\.event_name == 'pull_request'/);
  });

  it('uploads results/<run-id>/ and publishes both JUnit files, even when the gate failed', () => {
    const upload = step(/Upload results/);
    expect(upload.uses).toBe('actions/upload-artifact@v4');
    expect(upload.with!.path).toBe('results/${{ steps.run.outputs.run-id }}/');
    expect(upload.if).toMatch(/^always\(\)/);
    const junit = step(/Publish JUnit/);
    expect(junit.if).toMatch(/^always\(\)/);
    expect(String(junit.with!.report_paths).trim().split('\n')).toEqual([
      'results/${{ steps.run.outputs.run-id }}/junit.xml',
      'results/${{ steps.run.outputs.run-id }}/validation-junit.xml',
    ]);
  });

  it('has the baseline gate as moshpit compare takes it', () => {
    expect(step(/Baseline gate/).run).toMatch(/^npm run compare -- --baseline \S+ "\$\{\{ steps\.run\.outputs\.run-id \}\}" --max-regression 10%$/);
  });

  it("the run-id step runs: it reads results/LATEST into the step's outputs", async () => {
    const cwd = join(tmp, 'checkout');
    mkdirSync(join(cwd, 'results'), { recursive: true });
    const output = join(tmp, 'github-output');
    writeFileSync(output, '');
    const script = step(/^Run id$/).run!;
    const none = await exec('bash', ['-eo', 'pipefail', '-c', script], { cwd, check: false, env: { ...process.env, GITHUB_OUTPUT: output } });
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/no run was recorded/);
    expect(readFileSync(output, 'utf8')).toBe('');
    writeFileSync(join(cwd, 'results', 'LATEST'), '20260101-120000-full-abcd\n');
    const r = await exec('bash', ['-eo', 'pipefail', '-c', script], { cwd, check: false, env: { ...process.env, GITHUB_OUTPUT: output } });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('run-id=20260101-120000-full-abcd\n');
  });
});

describe('the step summary writer', () => {
  const run = join(tmp, 'results', 'run-1');
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'summary.md'), '## moshpit: thresholds\n');

  it('appends report.md (else summary.md) to $GITHUB_STEP_SUMMARY, keeping what other steps wrote', () => {
    const summary = join(tmp, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    expect(appendStepSummary(run, { GITHUB_STEP_SUMMARY: summary })).toBe(join(run, 'summary.md'));
    expect(readFileSync(summary, 'utf8')).toBe('# earlier step\n## moshpit: thresholds\n\n');
    writeFileSync(join(run, 'report.md'), '# moshpit run-1: PASS');
    expect(appendStepSummary(run, { GITHUB_STEP_SUMMARY: summary })).toBe(join(run, 'report.md'));
    expect(readFileSync(summary, 'utf8')).toBe('# earlier step\n## moshpit: thresholds\n\n# moshpit run-1: PASS\n\n');
  });

  it('does nothing when the variable is unset or empty, or the run wrote no markdown', () => {
    expect(appendStepSummary(run, {})).toBeNull();
    expect(appendStepSummary(run, { GITHUB_STEP_SUMMARY: '  ' })).toBeNull();
    const summary = join(tmp, 'untouched.md');
    writeFileSync(summary, 'x\n');
    expect(appendStepSummary(join(tmp, 'results', 'empty'), { GITHUB_STEP_SUMMARY: summary })).toBeNull();
    expect(readFileSync(summary, 'utf8')).toBe('x\n');
  });
});
