// A results/<run-id>/ directory written by hand, shaped like a real run's files (metadata.json
// as cli/pipeline/run-metadata.ts declares it, summary.json in the k6-shaped form moshpit writes
// from the merged stream, validation.json), for report and comparison tests that need exact
// figures rather than a live run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunMetadata } from '../../core/run-metadata.js';
import type { CheckerResult } from '../../validate/types.js';

type Metric = { type: string; contains: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> };

export interface SyntheticRun {
  runId: string;
  scenario?: string;
  profile?: string;
  exitCode?: number | null;
  /** The load step's exit (0 unless a load process failed). */
  loadExit?: number;
  /** Extra or replaced summary metrics. */
  metrics?: Record<string, Metric>;
  checkers?: CheckerResult[];
  startedAt?: string;
}

const trend = (p95: number, thresholds?: Record<string, { ok: boolean }>, count = 100): Metric => ({
  type: 'trend', contains: 'time', values: { count, avg: p95 / 2, min: 1, med: p95 / 3, max: p95 * 1.5, 'p(90)': p95 * 0.9, 'p(95)': p95, 'p(99)': p95 * 1.3 }, ...(thresholds && { thresholds }),
});
const counter = (count: number, seconds = 10): Metric => ({ type: 'counter', contains: 'default', values: { count, rate: count / seconds } });
const rate = (r: number, thresholds?: Record<string, { ok: boolean }>): Metric => ({ type: 'rate', contains: 'default', values: { rate: r, passes: Math.round(r * 1000), fails: 1000 - Math.round(r * 1000) }, ...(thresholds && { thresholds }) });

export const synthetic = { trend, counter, rate };

export function passingChecker(name: string): CheckerResult {
  return { name, anomaly: `${name}-anomaly`, description: `${name} holds`, ok: true, violations: 0, witnesses: [], durationMs: 3 };
}

export function defaultMetrics(): Record<string, Metric> {
  return {
    http_reqs: counter(1000),
    http_req_failed: rate(0, { 'rate<0.005': { ok: true } }),
    http_req_duration: trend(40),
    iterations: counter(300),
    checks: rate(1, { 'rate>0.995': { ok: true } }),
    success_rate: rate(1, { 'rate>0.995': { ok: true } }),
    moshpit_order_duration: trend(60, { 'p(95)<800': { ok: true }, 'p(99)<1000': { ok: true } }),
    moshpit_entry_duration: trend(30, { 'p(95)<500': { ok: true }, 'p(99)<1000': { ok: true } }),
    moshpit_funding_e2e_ms: trend(400, { 'avg<=5000': { ok: true } }),
    moshpit_order_acked: counter(40),
    moshpit_order_acked_cents: counter(123_456),
    moshpit_order_rejected: counter(5),
    moshpit_order_rejected_cents: counter(9_000),
    moshpit_entry_acked: counter(30),
    moshpit_entry_acked_cents: counter(1_500),
  };
}

export function writeSyntheticRun(resultsDir: string, r: SyntheticRun): string {
  const dir = join(resultsDir, r.runId);
  mkdirSync(dir, { recursive: true });
  const scenario = r.scenario ?? 'full';
  const profile = r.profile ?? 'smoke';
  const startedAt = r.startedAt ?? '2026-01-01T12:00:00.000Z';
  const exitCode = r.exitCode === undefined ? 0 : r.exitCode;
  const checkers = r.checkers ?? [passingChecker('ledger-sum'), passingChecker('no-negative-balance')];
  const ok = checkers.every((c) => c.ok);
  const write = (name: string, v: unknown) => writeFileSync(join(dir, name), `${JSON.stringify(v, null, 2)}\n`);
  const metrics = { ...defaultMetrics(), ...r.metrics };
  const thresholdsOk = Object.values(metrics).every((m) => Object.values(m.thresholds ?? {}).every((t) => t.ok));
  const metadata: RunMetadata = {
    runId: r.runId, scenario, profile, target: { kind: 'rest', url: 'http://127.0.0.1:9', embedded: true, defects: [] },
    engine: { name: 'artillery', version: '2.0.34' }, gitRevision: 'abc1234', node: 'v20', startedAt, finishedAt: new Date(Date.parse(startedAt) + 12_000).toISOString(),
    ...(exitCode !== null && { exit: { load: r.loadExit ?? 0, thresholds: thresholdsOk ? 'passed' : 'failed', validation: ok ? 'passed' : 'failed', preflight: 'ready', code: exitCode } }),
  };
  write('metadata.json', metadata);
  write('summary.json', {
    metrics,
    root_group: { name: '', path: '', checks: [{ name: 'order total is the sum of its lines', path: '::order total', passes: 40, fails: 0 }], groups: [] },
    state: { testRunDurationMs: 10_000 },
    moshpit: { runId: r.runId, scenario, profile, targetKind: 'rest', targetUrl: 'http://127.0.0.1:9', summaryFormat: 'legacy', durationScale: 1, rateScale: 1 },
  });
  const violations = checkers.reduce((n, c) => n + c.violations, 0);
  write('validation.json', {
    ok, verdict: ok ? `PASSED: no violations (${checkers.length} checkers, 0.1 s)` : `FAILED: ${violations} violations`, runId: r.runId, prefix: 'k6-test-',
    database: 'postgres://127.0.0.1/x', asOf: startedAt, snapshot: 'shared', summaryFile: null, bounds: { stuckKeySeconds: 60, pendingFundingSeconds: 300, duplicateScanWindowSeconds: 2 },
    startedAt, durationMs: 80,
    counts: { checkers: checkers.length, passed: checkers.filter((c) => c.ok).length, failed: checkers.filter((c) => !c.ok).length, errors: 0, skipped: 0, violations },
    results: checkers,
  });
  return dir;
}
