// `moshpit compare --baseline <file> --max-regression 10%`: the CI gate on p95s and error
// rates, through the real CLI on hand-made summaries with exact figures, passing and failing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineGate, parsePercent } from '../../monitoring/report/baseline-gate.js';
import { readRunFiles } from '../../monitoring/report/run-files.js';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';
import { synthetic, writeSyntheticRun } from './synthetic-run.js';

const results = mkdtempSync(join(tmpdir(), 'mp-baseline-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

// Baseline: order p95 60 ms, entry p95 30 ms, all requests p95 40 ms, no failed requests.
const baseline = writeSyntheticRun(results, { runId: '20260101-120000-full-base', startedAt: '2026-01-01T12:00:00.000Z' });
// Within 10 %: order p95 65 ms (+8.3 %), failed requests 0.05 % (under the 0.1 pp floor).
const within = writeSyntheticRun(results, {
  runId: '20260101-130000-full-near', startedAt: '2026-01-01T13:00:00.000Z',
  metrics: { moshpit_order_duration: synthetic.trend(65), http_req_failed: synthetic.rate(0.0005) },
});
// p95 beyond: order p95 70 ms (+16.7 %, +10 ms).
const slower = writeSyntheticRun(results, {
  runId: '20260101-140000-full-slow', startedAt: '2026-01-01T14:00:00.000Z',
  metrics: { moshpit_order_duration: synthetic.trend(70) },
});
// Error rate beyond: 0 → 1 % failed requests, latency unchanged.
const failing = writeSyntheticRun(results, {
  runId: '20260101-150000-full-errs', startedAt: '2026-01-01T15:00:00.000Z',
  metrics: { http_req_failed: synthetic.rate(0.01) },
});

function cli(args: string[]) {
  return exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'compare', ...args], {
    cwd: projectRoot, check: false, env: { ...process.env, MOSHPIT_RESULTS_DIR: results },
  });
}

const summaryOf = (dir: string) => readRunFiles(dir).summary!;
const bounds = { maxRegression: 0.1, minLatencyMs: 5, minRate: 0.001 };

describe('baselineGate', () => {
  it('passes the same run and a run within the bound', () => {
    expect(baselineGate(summaryOf(baseline), summaryOf(baseline), bounds)).toMatchObject({ ok: true, regressions: [] });
    const v = baselineGate(summaryOf(baseline), summaryOf(within), bounds);
    expect(v.ok).toBe(true);
    expect(v.figures.find((f) => f.metric === 'moshpit_order_duration')).toMatchObject({ baseline: 60, candidate: 65, limit: 66, regression: false });
  });

  it('fails a p95 beyond the bound, naming it and only it', () => {
    const v = baselineGate(summaryOf(baseline), summaryOf(slower), bounds);
    expect(v.ok).toBe(false);
    expect(v.regressions.map((f) => `${f.kind} ${f.metric}`)).toEqual(['p95 moshpit_order_duration']);
  });

  it('fails an error rate beyond the bound', () => {
    const v = baselineGate(summaryOf(baseline), summaryOf(failing), bounds);
    expect(v.regressions.map((f) => `${f.kind} ${f.metric}`)).toEqual(['error rate http_req_failed']);
  });

  it('a wider bound lets the slower run through', () => {
    expect(baselineGate(summaryOf(baseline), summaryOf(slower), { ...bounds, maxRegression: 0.2 }).ok).toBe(true);
  });

  it('reads percentages', () => {
    expect(parsePercent('10%')).toBeCloseTo(0.1);
    expect(parsePercent('2.5')).toBeCloseTo(0.025);
    expect(parsePercent('ten')).toBeNull();
    expect(parsePercent('-5%')).toBeNull();
  });
});

describe('moshpit compare --baseline', () => {
  it('exits 0 within the bound, from a summary.json file', async () => {
    const r = await cli(['--baseline', join(baseline, 'summary.json'), within, '--max-regression', '10%']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASS: no p95 or error rate beyond the bound/);
  });

  it('exits 99 on a p95 regression, and on an error-rate regression (candidate defaults to latest)', async () => {
    const p95 = await cli(['--baseline', baseline, slower, '--max-regression', '10%']);
    expect(p95.code, p95.stderr).toBe(99);
    expect(p95.stdout).toMatch(/REGRESSION\s+p95\s+moshpit_order_duration\s+60\.0 ms →\s+70\.0 ms\s+\(limit 66\.0 ms\)/);
    // `latest` is the newest run: the one with 1 % failed requests.
    const errors = await cli(['--baseline', '20260101-120000-full-base', '--max-regression', '10%']);
    expect(errors.code, errors.stderr).toBe(99);
    expect(errors.stdout).toMatch(/REGRESSION\s+error rate\s+http_req_failed\s+0\.00 % →\s+1\.00 %/);
    expect(errors.stdout).toMatch(/FAIL: 1 figure\(s\) beyond the bound/);
  });

  it('refuses bad input with exit 2', async () => {
    const pct = await cli(['--baseline', baseline, '--max-regression', 'lots']);
    expect(pct.code).toBe(2);
    expect(pct.stderr).toMatch(/--max-regression must be a percentage/);
    const missing = await cli(['--baseline', join(results, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such summary file/);
    const alone = await cli(['previous', 'latest', '--max-regression', '10%']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--max-regression goes with --baseline/);
  });
});
