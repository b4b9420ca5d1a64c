// The CI baseline gate (`moshpit compare --baseline <file> --max-regression 10%`): the candidate
// fails when a p95 or an error rate is worse than the baseline's by more than the bound. Only
// these two families gate (thresholds and money already decide a run's own exit); every other
// change stays information in `moshpit compare`.
import { ENGINE_METRICS, latencyMetric, METRICS, TIMED_OPERATIONS } from '../../core/metric-names.js';
import { metricValue, type RunSummaryData } from './summary-reader.js';

export interface BaselineBounds {
  /** Largest allowed relative worsening, e.g. 0.10 for 10 %. */
  maxRegression: number;
  /** A p95 must also grow by more than this many ms (a 2 → 3 ms move is noise, not news). */
  minLatencyMs: number;
  /** An error rate must also grow by more than this (absolute, 0.001 = 0.1 percentage points). */
  minRate: number;
}

export const DEFAULT_BASELINE_BOUNDS: Omit<BaselineBounds, 'maxRegression'> = { minLatencyMs: 5, minRate: 0.001 };

export interface GatedFigure {
  kind: 'p95' | 'error rate';
  /** The summary metric it comes from. */
  metric: string;
  baseline: number;
  candidate: number;
  /** The most the candidate may reach: max(baseline × (1 + bound), baseline + floor). */
  limit: number;
  regression: boolean;
}

export interface BaselineVerdict {
  ok: boolean;
  figures: GatedFigure[];
  regressions: GatedFigure[];
  /** Figures only one side has (not gated, but a reader should know). */
  unmatched: string[];
}

const LATENCY_METRICS = [ENGINE_METRICS.httpReqDuration, ...TIMED_OPERATIONS.map(latencyMetric)];

function errorRate(s: RunSummaryData, metric: string): number | null {
  const r = metricValue(s, metric, 'rate');
  if (r === null) return null;
  // success_rate and checks count successes; the gate looks at what failed.
  return metric === ENGINE_METRICS.httpReqFailed ? r : 1 - r;
}

/** "10%" or "10": a percentage, as the CLI takes it; null when it is not one. */
export function parsePercent(raw: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw);
  if (!m) return null;
  return Number(m[1]) / 100;
}

export function baselineGate(baseline: RunSummaryData, candidate: RunSummaryData, bounds: BaselineBounds): BaselineVerdict {
  const figures: GatedFigure[] = [];
  const unmatched: string[] = [];
  const gate = (kind: GatedFigure['kind'], metric: string, a: number | null, b: number | null, floor: number) => {
    if (a === null && b === null) return;
    if (a === null || b === null) {
      unmatched.push(`${kind} ${metric}: only in the ${a === null ? 'candidate' : 'baseline'}`);
      return;
    }
    const limit = Math.max(a * (1 + bounds.maxRegression), a + floor);
    figures.push({ kind, metric, baseline: a, candidate: b, limit, regression: b > limit });
  };
  for (const metric of LATENCY_METRICS) {
    const has = (s: RunSummaryData) => (s.metrics[metric] ? metricValue(s, metric, 'p(95)') : null);
    gate('p95', metric, has(baseline), has(candidate), bounds.minLatencyMs);
  }
  for (const metric of [ENGINE_METRICS.httpReqFailed, METRICS.successRate, ENGINE_METRICS.checks]) {
    const has = (s: RunSummaryData) => (s.metrics[metric] ? errorRate(s, metric) : null);
    gate('error rate', metric, has(baseline), has(candidate), bounds.minRate);
  }
  const regressions = figures.filter((f) => f.regression);
  return { ok: regressions.length === 0, figures, regressions, unmatched };
}

export function formatBaselineVerdict(v: BaselineVerdict, bounds: BaselineBounds, names: { baseline: string; candidate: string }): string {
  const fmt = (f: GatedFigure, n: number) => (f.kind === 'p95' ? `${n.toFixed(1)} ms` : `${(n * 100).toFixed(2)} %`);
  const lines = [
    `baseline gate: ${names.candidate} against ${names.baseline}, max regression ${(bounds.maxRegression * 100).toFixed(1)} %`
      + ` (floors ${bounds.minLatencyMs} ms, ${(bounds.minRate * 100).toFixed(2)} pp)`,
  ];
  for (const f of v.figures) {
    lines.push(`  ${f.regression ? 'REGRESSION' : 'ok        '}  ${f.kind.padEnd(10)} ${f.metric.padEnd(36)} ${fmt(f, f.baseline).padStart(10)} → ${fmt(f, f.candidate).padStart(10)}  (limit ${fmt(f, f.limit)})`);
  }
  for (const u of v.unmatched) lines.push(`  note: ${u}`);
  lines.push(v.ok ? 'PASS: no p95 or error rate beyond the bound' : `FAIL: ${v.regressions.length} figure(s) beyond the bound`);
  return `${lines.join('\n')}\n`;
}
