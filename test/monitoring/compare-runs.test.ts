// `moshpit compare A B`: what changed between two runs, regressions marked by the documented
// rules, through the real CLI on hand-made run directories with exact figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../monitoring/report/compare-runs.js';
import { readRunFiles } from '../../monitoring/report/run-files.js';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';
import { passingChecker, synthetic, writeSyntheticRun } from './synthetic-run.js';

const results = mkdtempSync(join(tmpdir(), 'mp-compare-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const baseline = writeSyntheticRun(results, { runId: '20260101-120000-full-aaaa', startedAt: '2026-01-01T12:00:00.000Z' });
const worse = writeSyntheticRun(results, {
  runId: '20260101-130000-full-bbbb',
  startedAt: '2026-01-01T13:00:00.000Z',
  exitCode: 99,
  loadExit: 0,
  metrics: {
    // order p95 60 → 900 ms: breaches its 800 ms threshold
    moshpit_order_duration: synthetic.trend(900, { 'p(95)<800': { ok: false }, 'p(99)<1000': { ok: false } }),
    // entry p95 30 → 33 ms: +10 % but only 3 ms, which is noise
    moshpit_entry_duration: synthetic.trend(33, { 'p(95)<500': { ok: true }, 'p(99)<1000': { ok: true } }),
    // funding end to end: better
    moshpit_funding_e2e_ms: synthetic.trend(200, { 'avg<=5000': { ok: true } }),
    http_req_failed: synthetic.rate(0.02, { 'rate<0.005': { ok: false } }),
    http_reqs: synthetic.counter(600),
    moshpit_order_indeterminate: synthetic.counter(2),
  },
  checkers: [
    passingChecker('no-negative-balance'),
    { ...passingChecker('ledger-sum'), ok: false, violations: 3, witnesses: [{ wallet_id: 'k6-test-w-000007', balance_cents: 100, ledger_cents: 150 }] },
  ],
});

function cli(args: string[]) {
  return exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'compare', ...args], {
    cwd: projectRoot, check: false, env: { ...process.env, MOSHPIT_RESULTS_DIR: results },
  });
}

describe('compareRuns', () => {
  const c = compareRuns(readRunFiles(baseline), readRunFiles(worse));
  const names = (list: typeof c.regressions) => list.map((x) => `${x.group}: ${x.name}`);

  it('marks the regressions, and only those', () => {
    expect(names(c.regressions).sort()).toEqual([
      'errors: HTTP failure rate',
      'latency: order p95',
      'latency: order p99',
      'money integrity: order indeterminate',
      'thresholds: http_req_failed rate<0.005',
      'thresholds: moshpit_order_duration p(95)<800',
      'thresholds: moshpit_order_duration p(99)<1000',
      'throughput: requests/s',
      'validation: ledger-sum violations',
      'validation: verdict',
    ]);
    expect(c.a.verdict).toBe('PASS');
    expect(c.b).toMatchObject({ verdict: 'FAIL', exitCode: 99 });
  });

  it('keeps small latency moves as noise and reports improvements', () => {
    const entry = c.changes.find((x) => x.name === 'entry p95')!;
    expect(entry).toMatchObject({ a: 30, b: 33, regression: false, improvement: false });
    expect(names(c.improvements)).toEqual(['latency: funding end to end avg']);
  });

  it('says when two runs are not like for like', () => {
    const other = writeSyntheticRun(results, { runId: '20260101-140000-entry-cccc', scenario: 'entry', profile: 'pilot', startedAt: '2026-01-01T14:00:00.000Z' });
    expect(compareRuns(readRunFiles(baseline), readRunFiles(other)).caveats).toEqual(['different scenarios: full vs entry', 'different profiles: smoke vs pilot']);
    rmSync(other, { recursive: true });
  });
});

describe('moshpit compare', () => {
  it('prints regressions first, and fails with --fail-on-regression', async () => {
    const r = await cli(['previous', 'latest', '--fail-on-regression']);
    expect(r.code, r.stderr).toBe(99);
    expect(r.stdout).toMatch(/^A: 20260101-120000-full-aaaa \(full\/smoke, PASS\)\nB: 20260101-130000-full-bbbb \(full\/smoke, FAIL\)/);
    expect(r.stdout).toMatch(/10 REGRESSION\(S\):/);
    expect(r.stdout).toMatch(/REGRESSION\s+latency\s+order p95\s+60 ms\s+900 ms\s+\+1400\.0%/);
    expect(r.stdout).toMatch(/REGRESSION\s+errors\s+HTTP failure rate\s+0 %\s+2 %\s+\+2\.00 pp/);
    expect(r.stdout).toMatch(/better\s+latency\s+funding end to end avg/);
  });

  it('writes Markdown and JSON, and says so when nothing regressed', async () => {
    const md = await cli([baseline, worse, '--markdown']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^## moshpit compare: ❌ 10 regression\(s\)/);
    expect(md.stdout).toMatch(/### Regressions\n\n\| \| group \| what \| A \| B \| change \|/);
    const json = JSON.parse((await cli([baseline, worse, '--json'])).stdout) as { regressions: unknown[] };
    expect(json.regressions).toHaveLength(10);
    const same = await cli(['20260101-120000-full-aaaa', '20260101-120000-full-aaaa', '--fail-on-regression']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/no regressions\./);
  });

  it('refuses what is not a run', async () => {
    const r = await cli(['latest']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give two runs/);
    const bad = await cli(['latest', 'no-such-run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no run no-such-run/);
  });
});
