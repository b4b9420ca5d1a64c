// The rows every summary rendering shows (text, Markdown): latency per operation, write
// outcomes with their money, and the integrity rates (success, balance integrity).
import { ENGINE_METRICS, latencyMetric, METRICS, outcomeMetric, replayMetric, TIMED_OPERATIONS, type TimedOperation } from '../../core/metric-names.js';
import { formatCents } from '../../core/money.js';
import { WRITE_OPERATIONS } from '../../core/operations.js';
import type { MetricView, SummaryView } from './summary-data.js';

export interface RunInfo {
  runId: string;
  scenario: string;
  profile: string;
  targetKind: string;
  targetUrl: string;
}

export interface OperationRow { op: TimedOperation; count: number; avg: number; p95: number; p99: number; max: number }
export interface OutcomeRow { op: string; cells: Array<{ count: number; cents: number }>; replays: number }
export interface KeyFigure { label: string; value: string }


const value = (m: MetricView | undefined, key: string): number => m?.values[key] ?? 0;

export function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${n.toFixed(1)}ms`;
}

export function percent(rate: number): string {
  return `${(rate * 100).toFixed(3).replace(/\.?0+$/, '')}%`;
}

export function duration(msTotal: number | null): string {
  if (msTotal === null) return 'unknown';
  const s = Math.round(msTotal / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function operationRows(view: SummaryView): OperationRow[] {
  const rows: OperationRow[] = [];
  for (const op of TIMED_OPERATIONS) {
    const m = view.metrics[latencyMetric(op)];
    if (!m || value(m, 'count') === 0) continue;
    rows.push({ op, count: value(m, 'count'), avg: value(m, 'avg'), p95: value(m, 'p(95)'), p99: value(m, 'p(99)'), max: value(m, 'max') });
  }
  return rows;
}

export const OUTCOME_CLASSES = ['acked', 'rejected', 'indeterminate'] as const;

export function outcomeRows(view: SummaryView): OutcomeRow[] {
  const rows: OutcomeRow[] = [];
  for (const op of WRITE_OPERATIONS) {
    const cells = OUTCOME_CLASSES.map((cls) => ({
      count: value(view.metrics[outcomeMetric(op, cls, 'count')], 'count'),
      cents: value(view.metrics[outcomeMetric(op, cls, 'cents')], 'count'),
    }));
    const replays = value(view.metrics[replayMetric(op)], 'count');
    if (cells.some((c) => c.count > 0) || replays > 0) rows.push({ op, cells, replays });
  }
  return rows;
}

export function centsText(cents: number): string {
  return formatCents(Math.round(cents));
}

export function keyFigures(view: SummaryView): KeyFigure[] {
  const m = view.metrics;
  const figures: KeyFigure[] = [];
  const rate = (name: string, label: string) => {
    const metric = m[name];
    if (metric) figures.push({ label, value: `${percent(value(metric, 'rate'))} (${value(metric, 'passes')} of ${value(metric, 'passes') + value(metric, 'fails')})` });
  };
  rate(METRICS.successRate, 'success rate');
  rate(METRICS.balanceIntegrityRate, 'balance integrity');
  figures.push({ label: 'transaction errors', value: String(value(m[METRICS.transactionErrors], 'count')) });
  figures.push({ label: 'balance errors', value: String(value(m[METRICS.balanceErrors], 'count')) });
  const e2e = m[METRICS.fundingE2e];
  if (e2e) figures.push({ label: 'funding end-to-end', value: `avg ${ms(value(e2e, 'avg'))}, p95 ${ms(value(e2e, 'p(95)'))}, n=${value(e2e, 'count')}` });
  const failed = m[ENGINE_METRICS.httpReqFailed];
  if (failed) figures.push({ label: 'HTTP failures', value: `${percent(value(failed, 'rate'))} of ${value(m[ENGINE_METRICS.httpReqs], 'count')} requests` });
  const retries = m[METRICS.retries];
  if (retries) figures.push({ label: 'write retries', value: String(value(retries, 'count')) });
  const iterations = m[ENGINE_METRICS.iterations];
  if (iterations) figures.push({ label: 'iterations', value: `${value(iterations, 'count')} (${value(iterations, 'rate').toFixed(2)}/s)` });
  if (m.vus_max) figures.push({ label: 'max VUs', value: String(value(m.vus_max, 'max')) });
  return figures;
}

export function thresholdObserved(aggregate: string | null, observed: number | null, metric: MetricView | undefined): string {
  if (aggregate === null || observed === null) return 'n/a';
  if (aggregate === 'rate') return percent(observed);
  if (metric?.contains === 'time' && aggregate !== 'count') return `${aggregate}=${ms(observed)}`;
  return `${aggregate}=${Number.isInteger(observed) ? observed : observed.toFixed(3)}`;
}
