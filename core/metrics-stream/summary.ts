// The run's verdict from the merged stream: every metric's whole-run values, the thresholds of
// core/thresholds.ts evaluated against them, and the checks, in the shape k6's handleSummary
// data has (metrics{type, contains, values, thresholds}, root_group.checks), so every reader
// of summary.json (validation, report, compare) reads either engine's run the same way.
import { ENGINE_METRICS } from '../metric-names.js';
import type { Thresholds, ThresholdRule } from '../thresholds.js';
import { mean, quantile } from './histogram.js';
import { parseSelector, selectSeries, type MergedRun } from './merge.js';
import type { SeriesData } from './records.js';

export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'] as const;

/** Whole-run values of one (sub-)metric, named as k6 names them. */
export function metricValues(data: SeriesData, durationS: number): Record<string, number> {
  switch (data.k) {
    case 'trend': {
      const h = data.h;
      if (h.n === 0) return { count: 0 };
      return { avg: mean(h), min: h.min, med: quantile(h, 0.5), max: h.max, 'p(90)': quantile(h, 0.9), 'p(95)': quantile(h, 0.95), 'p(99)': quantile(h, 0.99), count: h.n };
    }
    case 'counter':
      return { count: data.sum, rate: durationS > 0 ? data.sum / durationS : 0 };
    case 'rate':
      return { rate: data.n ? data.trues / data.n : 0, passes: data.trues, fails: data.n - data.trues };
    case 'gauge':
      return { value: data.last, min: data.min, max: data.max };
  }
}

/** Extra quantiles a threshold may ask for (p(99.9)), computed on demand. */
function valueFor(data: SeriesData, aggregate: string, values: Record<string, number>): number | null {
  if (aggregate in values) return values[aggregate] as number;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(aggregate);
  if (p && data.k === 'trend' && data.h.n > 0) return quantile(data.h, Number(p[1]) / 100);
  return null;
}

const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

export interface ParsedExpression { aggregate: string; op: string; bound: number }

export function parseExpression(expr: string): ParsedExpression {
  const m = EXPRESSION.exec(expr);
  if (!m) throw new Error(`threshold "${expr}" is not "<aggregate> <op> <number>" (aggregates: avg, min, max, med, count, rate, value, p(N))`);
  return { aggregate: m[1]!, op: m[2]!, bound: Number(m[3]) };
}

function compare(observed: number, op: string, bound: number): boolean {
  switch (op) {
    case '<': return observed < bound;
    case '<=': return observed <= bound;
    case '>': return observed > bound;
    case '>=': return observed >= bound;
    case '==': case '===': return observed === bound;
    case '!=': return observed !== bound;
    default: return false;
  }
}

export interface ThresholdOutcome {
  selector: string;
  expression: string;
  ok: boolean;
  observed: number | null;
  /** The metric had no samples: a count is judged as 0, anything else passes (nothing to judge). */
  noData: boolean;
  abortOnFail: boolean;
}

const ruleText = (r: ThresholdRule) => (typeof r === 'string' ? r : r.threshold);

/** Evaluates every rule of the table against the merged run. */
export function evaluateThresholds(run: MergedRun, thresholds: Thresholds): ThresholdOutcome[] {
  const durationS = runDurationSeconds(run);
  const out: ThresholdOutcome[] = [];
  for (const [selector, rules] of Object.entries(thresholds)) {
    const { name, tags } = parseSelector(selector);
    const sel = selectSeries(run.metrics.get(name), tags);
    for (const rule of rules) {
      const expression = ruleText(rule);
      const { aggregate, op, bound } = parseExpression(expression);
      const abortOnFail = typeof rule !== 'string' && rule.abortOnFail === true;
      if (!sel) {
        // Never recorded: a count is 0 (so `count>0` fails), anything else has nothing to judge.
        if (aggregate === 'count') out.push({ selector, expression, ok: compare(0, op, bound), observed: 0, noData: true, abortOnFail });
        else out.push({ selector, expression, ok: true, observed: null, noData: true, abortOnFail });
        continue;
      }
      const observed = valueFor(sel.data, aggregate, metricValues(sel.data, durationS));
      if (observed === null) throw new Error(`threshold ${selector}: "${aggregate}" does not apply to a ${sel.kind} metric`);
      out.push({ selector, expression, ok: compare(observed, op, bound), observed, noData: false, abortOnFail });
    }
  }
  return out;
}

export function runDurationSeconds(run: MergedRun): number {
  return run.startedAt !== null && run.endedAt !== null ? Math.max(0.001, (run.endedAt - run.startedAt) / 1000) : 0;
}

const K6_TYPE: Record<SeriesData['k'], string> = { trend: 'trend', counter: 'counter', rate: 'rate', gauge: 'gauge' };

/**
 * summary.json's body in k6's legacy handleSummary shape: one entry per metric and per
 * thresholded sub-metric, threshold results inline, checks in root_group.
 */
export function k6ShapedSummary(run: MergedRun, outcomes: ThresholdOutcome[]): Record<string, unknown> {
  const durationS = runDurationSeconds(run);
  const metrics: Record<string, { type: string; contains: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }> = {};
  const entry = (selector: string) => {
    if (metrics[selector]) return metrics[selector];
    const { name, tags } = parseSelector(selector);
    const sel = selectSeries(run.metrics.get(name), tags);
    if (!sel) return null;
    metrics[selector] = { type: K6_TYPE[sel.kind], contains: sel.time ? 'time' : 'default', values: metricValues(sel.data, durationS) };
    return metrics[selector];
  };
  for (const name of [...run.metrics.keys()].sort()) entry(name);
  for (const o of outcomes) {
    // Never recorded: judged on a count of 0, so that is what the file says (readers of counts
    // must not meet a metric without one).
    const e = entry(o.selector) ?? (metrics[o.selector] = { type: 'counter', contains: 'default', values: o.observed === 0 ? { count: 0 } : {} });
    (e.thresholds ??= {})[o.expression] = { ok: o.ok };
  }
  const checks: Array<{ name: string; path: string; id: string; passes: number; fails: number }> = [];
  const byName = new Map<string, { passes: number; fails: number }>();
  for (const s of run.metrics.get(ENGINE_METRICS.checks) ?? []) {
    if (s.data.k !== 'rate') continue;
    const name = s.tags.check ?? '(unnamed)';
    const c = byName.get(name) ?? { passes: 0, fails: 0 };
    c.passes += s.data.trues;
    c.fails += s.data.n - s.data.trues;
    byName.set(name, c);
  }
  for (const [name, c] of [...byName.entries()].sort(([a], [b]) => a.localeCompare(b))) checks.push({ name, path: `::${name}`, id: name, ...c });
  return {
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: Math.round(durationS * 1000) },
    metrics,
    root_group: { name: '', path: '', id: '', groups: [], checks },
  };
}
