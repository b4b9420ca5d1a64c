// What changed between two runs (A the baseline, B the candidate): latency, error rates,
// throughput, thresholds, money integrity and validation, with regressions marked by rules a
// reader can check by hand (see ComparisonRules).
import { ENGINE_METRICS, latencyMetric, METRICS, outcomeMetric, TIMED_OPERATIONS } from '../../core/metric-names.js';
import { EXIT } from '../../core/exit-codes.js';
import { WRITE_OPERATIONS } from '../../core/operations.js';
import type { RunFiles } from './run-files.js';
import { metricValue, type RunSummaryData } from './summary-reader.js';

export type ChangeGroup = 'latency' | 'errors' | 'throughput' | 'thresholds' | 'money integrity' | 'validation' | 'request log';
export type Direction = 'lower-is-better' | 'higher-is-better' | 'zero-is-right';

export interface Change {
  group: ChangeGroup;
  name: string;
  unit: string;
  a: number | string | null;
  b: number | string | null;
  /** b - a for numbers. */
  delta: number | null;
  /** (b - a) / a, when a is not 0. */
  relative: number | null;
  regression: boolean;
  improvement: boolean;
}

export interface RunHeadline { runId: string; scenario: string; profile: string; verdict: string; exitCode: number | null; durationMs: number | null }

export interface Comparison {
  a: RunHeadline;
  b: RunHeadline;
  /** Why the two runs may not be like for like (scenario, profile, scale, target). */
  caveats: string[];
  changes: Change[];
  regressions: Change[];
  improvements: Change[];
}

export interface ComparisonRules {
  /** Latency or throughput must move by more than this share (default 0.10 = 10 %). */
  relative: number;
  /** ... and latency by more than this many ms (default 5), so noise on 2 ms calls is not news. */
  latencyMs: number;
  /** A failure rate must grow by more than this (default 0.001 = 0.1 percentage points). */
  rate: number;
}

export const DEFAULT_RULES: ComparisonRules = { relative: 0.1, latencyMs: 5, rate: 0.001 };


function headline(f: RunFiles): RunHeadline {
  const code = f.metadata?.exit?.code ?? null;
  return {
    runId: f.runId,
    scenario: f.metadata?.scenario ?? String(f.summary?.moshpit.scenario ?? '?'),
    profile: f.metadata?.profile ?? String(f.summary?.moshpit.profile ?? '?'),
    verdict: code === null ? 'INCOMPLETE' : code === EXIT.ok ? 'PASS' : 'FAIL',
    exitCode: code,
    durationMs: f.summary?.durationMs ?? null,
  };
}

function numeric(group: ChangeGroup, name: string, unit: string, a: number | null, b: number | null, direction: Direction, rules: ComparisonRules): Change {
  const delta = a !== null && b !== null ? b - a : null;
  const relative = delta !== null && a !== 0 && a !== null ? delta / Math.abs(a) : null;
  let worse = false;
  let better = false;
  if (delta !== null) {
    if (unit === 'ms') {
      const moved = Math.abs(delta) > rules.latencyMs && (relative === null || Math.abs(relative) > rules.relative);
      worse = moved && delta > 0;
      better = moved && delta < 0;
    } else if (unit === 'rate') {
      const moved = Math.abs(delta) > rules.rate;
      worse = moved && (direction === 'higher-is-better' ? delta < 0 : delta > 0);
      better = moved && !worse;
    } else if (direction === 'zero-is-right') {
      worse = b! > a!;
      better = b! < a!;
    } else {
      const moved = relative === null ? delta !== 0 : Math.abs(relative) > rules.relative;
      worse = moved && (direction === 'higher-is-better' ? delta < 0 : delta > 0);
      better = moved && !worse;
    }
  }
  return { group, name, unit, a, b, delta, relative, regression: worse, improvement: better };
}

function summaryChanges(a: RunSummaryData, b: RunSummaryData, rules: ComparisonRules): Change[] {
  const out: Change[] = [];
  const both = (metric: string) => a.metrics[metric] || b.metrics[metric];
  const val = (s: RunSummaryData, metric: string, key: string) => (s.metrics[metric] ? metricValue(s, metric, key) : null);

  for (const [metric, label] of [[ENGINE_METRICS.httpReqDuration, 'all requests'], ...TIMED_OPERATIONS.map((op) => [latencyMetric(op), op])] as Array<[string, string]>) {
    if (!both(metric)) continue;
    for (const p of ['p(95)', 'p(99)']) out.push(numeric('latency', `${label} ${p.replace(/[()]/g, '')}`, 'ms', val(a, metric, p), val(b, metric, p), 'lower-is-better', rules));
  }
  if (both(METRICS.fundingE2e)) {
    out.push(numeric('latency', 'funding end to end avg', 'ms', val(a, METRICS.fundingE2e, 'avg'), val(b, METRICS.fundingE2e, 'avg'), 'lower-is-better', rules));
  }

  const rate = (s: RunSummaryData, m: string) => val(s, m, 'rate');
  const failed = (s: RunSummaryData, m: string) => { const r = rate(s, m); return r === null ? null : 1 - r; };
  out.push(numeric('errors', 'HTTP failure rate', 'rate', rate(a, ENGINE_METRICS.httpReqFailed) ?? 0, rate(b, ENGINE_METRICS.httpReqFailed) ?? 0, 'lower-is-better', rules));
  if (both('success_rate')) out.push(numeric('errors', 'unexpected outcomes (1 − success_rate)', 'rate', failed(a, 'success_rate'), failed(b, 'success_rate'), 'lower-is-better', rules));
  if (both(ENGINE_METRICS.checks)) out.push(numeric('errors', 'failed checks (1 − checks)', 'rate', failed(a, ENGINE_METRICS.checks), failed(b, ENGINE_METRICS.checks), 'lower-is-better', rules));

  out.push(numeric('throughput', 'requests/s', 'per s', val(a, ENGINE_METRICS.httpReqs, 'rate'), val(b, ENGINE_METRICS.httpReqs, 'rate'), 'higher-is-better', rules));
  out.push(numeric('throughput', 'iterations/s', 'per s', val(a, ENGINE_METRICS.iterations, 'rate'), val(b, ENGINE_METRICS.iterations, 'rate'), 'higher-is-better', rules));
  out.push(numeric('throughput', 'dropped iterations', 'count', metricValue(a, ENGINE_METRICS.droppedIterations, 'count'), metricValue(b, ENGINE_METRICS.droppedIterations, 'count'), 'zero-is-right', rules));
  for (const op of ['order', 'entry', 'funding_webhook']) {
    const m = outcomeMetric(op as never, 'acked');
    if (both(m)) out.push(numeric('throughput', `${op} acked/s`, 'per s', val(a, m, 'rate') ?? 0, val(b, m, 'rate') ?? 0, 'higher-is-better', rules));
  }

  for (const op of WRITE_OPERATIONS) {
    const m = outcomeMetric(op, 'indeterminate');
    out.push(numeric('money integrity', `${op} indeterminate`, 'count', metricValue(a, m, 'count'), metricValue(b, m, 'count'), 'zero-is-right', rules));
  }
  out.push(numeric('money integrity', 'balance errors', 'count', metricValue(a, 'balance_errors', 'count'), metricValue(b, 'balance_errors', 'count'), 'zero-is-right', rules));
  out.push(numeric('money integrity', 'transaction errors', 'count', metricValue(a, 'transaction_errors', 'count'), metricValue(b, 'transaction_errors', 'count'), 'zero-is-right', rules));

  const key = (t: { metric: string; expression: string }) => `${t.metric} ${t.expression}`;
  const ta = new Map(a.thresholds.map((t) => [key(t), t]));
  const tb = new Map(b.thresholds.map((t) => [key(t), t]));
  for (const k of [...new Set([...ta.keys(), ...tb.keys()])].sort()) {
    const x = ta.get(k);
    const y = tb.get(k);
    const word = (t: typeof x) => (t ? (t.ok ? 'passed' : 'FAILED') : 'absent');
    out.push({
      group: 'thresholds', name: k, unit: '', a: word(x), b: word(y), delta: null, relative: null,
      regression: !!x?.ok && !!y && !y.ok || (!x && !!y && !y.ok),
      improvement: !!x && !x.ok && !!y?.ok,
    });
  }
  return out;
}

function validationChanges(a: RunFiles, b: RunFiles): Change[] {
  const va = a.validation;
  const vb = b.validation;
  if (!va && !vb) return [];
  const out: Change[] = [];
  const word = (ok: boolean | undefined) => (ok === undefined ? 'not run' : ok ? 'passed' : 'FAILED');
  out.push({ group: 'validation', name: 'verdict', unit: '', a: word(va?.ok), b: word(vb?.ok), delta: null, relative: null, regression: !!va?.ok && vb?.ok === false, improvement: va?.ok === false && !!vb?.ok });
  const ca = new Map((va?.results ?? []).map((c) => [c.name, c]));
  const cb = new Map((vb?.results ?? []).map((c) => [c.name, c]));
  for (const name of [...new Set([...ca.keys(), ...cb.keys()])].sort()) {
    const x = ca.get(name);
    const y = cb.get(name);
    const va_ = x ? x.violations : null;
    const vb_ = y ? y.violations : null;
    const errored = !!y?.error && !x?.error;
    if (va_ === vb_ && !errored) continue; // unchanged checkers are not news
    out.push({
      group: 'validation', name: `${name} violations${errored ? ' (checker error)' : ''}`, unit: 'count', a: va_, b: vb_,
      delta: va_ !== null && vb_ !== null ? vb_ - va_ : null, relative: null,
      regression: (vb_ ?? 0) > (va_ ?? 0) || errored, improvement: (vb_ ?? 0) < (va_ ?? 0),
    });
  }
  return out;
}

function requestLogChanges(a: RunFiles, b: RunFiles, rules: ComparisonRules): Change[] {
  const la = a.requestLog;
  const lb = b.requestLog;
  if (!la || !lb) return [];
  return [
    numeric('request log', 'server-side error rate', 'rate', la.totals.errorRate, lb.totals.errorRate, 'lower-is-better', rules),
    numeric('request log', 'server-side p95', 'ms', la.totals.p95, lb.totals.p95, 'lower-is-better', rules),
    numeric('request log', 'wallets with mismatches', 'count', la.walletMismatches.wallets, lb.walletMismatches.wallets, 'zero-is-right', rules),
  ];
}

export function compareRuns(a: RunFiles, b: RunFiles, rules: ComparisonRules = DEFAULT_RULES): Comparison {
  const ha = headline(a);
  const hb = headline(b);
  const caveats: string[] = [];
  if (ha.scenario !== hb.scenario) caveats.push(`different scenarios: ${ha.scenario} vs ${hb.scenario}`);
  if (ha.profile !== hb.profile) caveats.push(`different profiles: ${ha.profile} vs ${hb.profile}`);
  const scale = (f: RunFiles) => `${f.summary?.moshpit.durationScale ?? 1}×${f.summary?.moshpit.rateScale ?? 1}`;
  if (scale(a) !== scale(b)) caveats.push(`different duration×rate scales: ${scale(a)} vs ${scale(b)}`);
  const kind = (f: RunFiles) => f.metadata?.target.kind ?? '?';
  if (kind(a) !== kind(b)) caveats.push(`different API surfaces: ${kind(a)} vs ${kind(b)}`);
  const defects = (f: RunFiles) => (f.metadata?.target.defects ?? []).join(',') || 'none';
  if (defects(a) !== defects(b)) caveats.push(`different defect modes: ${defects(a)} vs ${defects(b)}`);
  if (!a.summary || !b.summary) caveats.push(`no summary.json for ${!a.summary ? ha.runId : hb.runId}: the load's figures cannot be compared`);

  const changes = [
    ...(a.summary && b.summary ? summaryChanges(a.summary, b.summary, rules) : []),
    ...validationChanges(a, b),
    ...requestLogChanges(a, b, rules),
  ];
  return { a: ha, b: hb, caveats, changes, regressions: changes.filter((c) => c.regression), improvements: changes.filter((c) => c.improvement) };
}
