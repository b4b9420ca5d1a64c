// The report's time series, from the dashboards' own panels: run against InfluxDB when the
// run streamed there (the same numbers Grafana shows), else the db monitor's panels drawn
// from results/<run-id>/db-monitor.json and the request log's buckets from request-log.json.
import { RUN_FILES } from '../../core/results-layout.js';
import { MEASUREMENTS } from '../../core/metric-names.js';
import { findPanel } from '../grafana/dashboards.js';
import type { PanelDef, SampleField } from '../grafana/panel-model.js';
import { runPanel, type QueryWindow } from '../grafana/panel-queries.js';
import type { InfluxClient } from '../influx/influx-client.js';
import type { DbMonitorFile, DbMonitorRecord } from '../db-monitor-influx.js';
import type { LogAnalysis } from '../log-analyzer/analyze.js';
import type { HLine, LineSeries } from './svg-chart.js';

export type Section = 'load' | 'latency' | 'money' | 'gates' | 'database' | 'requestLog';
export type ChartSource = 'influxdb' | typeof RUN_FILES.dbMonitor | typeof RUN_FILES.requestLog;

export interface ChartData {
  section: Section;
  title: string;
  description: string;
  unit: string;
  decimals?: number;
  series: LineSeries[];
  lines: HLine[];
  source: ChartSource;
}

interface ChartSpec {
  section: Section;
  dashboard: string;
  panel: string;
  /** Only these queries of the panel (e.g. just the p95 of p50/p95/p99). */
  queries?: number[];
  title?: string;
}

const OVERVIEW = 'moshpit-run-overview';

export const REPORT_CHARTS: readonly ChartSpec[] = [
  { section: 'load', dashboard: OVERVIEW, panel: 'request-rate' },
  { section: 'load', dashboard: OVERVIEW, panel: 'vus' },
  { section: 'load', dashboard: OVERVIEW, panel: 'error-rate' },
  { section: 'load', dashboard: OVERVIEW, panel: 'dropped-iterations' },
  { section: 'latency', dashboard: OVERVIEW, panel: 'latency-by-flow', queries: [1], title: 'p95 latency by scenario' },
  { section: 'latency', dashboard: OVERVIEW, panel: 'gate-p95' },
  { section: 'latency', dashboard: OVERVIEW, panel: 'concession-p95' },
  { section: 'latency', dashboard: OVERVIEW, panel: 'api-p95' },
  { section: 'latency', dashboard: OVERVIEW, panel: 'funding-e2e' },
  { section: 'money', dashboard: 'moshpit-money', panel: 'orders-per-minute' },
  { section: 'money', dashboard: 'moshpit-money', panel: 'revenue-over-time' },
  { section: 'money', dashboard: 'moshpit-money', panel: 'fundings-per-minute' },
  { section: 'money', dashboard: 'moshpit-money', panel: 'declines-by-reason' },
  { section: 'money', dashboard: 'moshpit-money', panel: 'indeterminate' },
  { section: 'gates', dashboard: 'moshpit-gates', panel: 'scans-per-door' },
  { section: 'gates', dashboard: 'moshpit-gates', panel: 'inside-vs-capacity' },
  { section: 'database', dashboard: 'moshpit-database', panel: 'connections' },
  { section: 'database', dashboard: 'moshpit-database', panel: 'commits' },
  { section: 'database', dashboard: 'moshpit-database', panel: 'locks' },
  { section: 'database', dashboard: 'moshpit-database', panel: 'tuples' },
  { section: 'database', dashboard: 'moshpit-database', panel: 'cache' },
  { section: 'database', dashboard: 'moshpit-database', panel: 'long-transactions' },
];

function specPanel(spec: ChartSpec): PanelDef {
  const p = findPanel(spec.dashboard, spec.panel);
  return spec.queries ? { ...p, queries: spec.queries.map((i) => p.queries[i]!) } : p;
}

function chart(spec: ChartSpec, p: PanelDef, series: LineSeries[], source: ChartSource): ChartData {
  return {
    section: spec.section,
    title: spec.title ?? p.title,
    description: p.description,
    unit: p.unit,
    decimals: p.decimals,
    series,
    lines: p.thresholds ?? [],
    source,
  };
}

const numeric = (points: Array<[number, unknown]>): Array<[number, number | null]> =>
  points.map(([t, v]) => [t, typeof v === 'number' && Number.isFinite(v) ? v : null]);

/** Every chart from InfluxDB. A panel query that fails is reported in `failed`, not thrown. */
export async function influxCharts(client: InfluxClient, w: QueryWindow): Promise<{ charts: ChartData[]; failed: string[] }> {
  const charts: ChartData[] = [];
  const failed: string[] = [];
  for (const spec of REPORT_CHARTS) {
    const p = specPanel(spec);
    try {
      const series = (await runPanel(client, p, w)).map((s) => ({ name: s.name, points: numeric(s.points) }));
      charts.push(chart(spec, p, series, 'influxdb'));
    } catch (err) {
      failed.push(`${p.title}: ${(err as Error).message}`);
    }
  }
  return { charts, failed };
}

function aggregate(values: number[], how: SampleField['aggregate']): number | null {
  if (values.length === 0) return null;
  switch (how) {
    case 'mean': return values.reduce((a, b) => a + b, 0) / values.length;
    case 'max': return Math.max(...values);
    case 'sum': return values.reduce((a, b) => a + b, 0);
    case 'last': return values[values.length - 1]!;
  }
}

function fieldValue(r: DbMonitorRecord, measurement: string, field: string): number | undefined {
  const source = measurement === MEASUREMENTS.festival ? r.festival : r.db;
  return (source as Record<string, number> | undefined)?.[field];
}

/** The same buckets InfluxDB's GROUP BY time(interval) makes (aligned to the epoch). */
function sampleSeries(file: DbMonitorFile, measurement: string, f: SampleField, intervalMs: number): LineSeries {
  const buckets = new Map<number, number[]>();
  for (const r of file.samples) {
    const v = fieldValue(r, measurement, f.field);
    if (v === undefined) continue;
    const start = Math.floor(r.t / intervalMs) * intervalMs;
    const bucket = buckets.get(start);
    if (bucket) bucket.push(v);
    else buckets.set(start, [v]);
  }
  const points = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, vs]): [number, number | null] => {
    const v = aggregate(vs, f.aggregate);
    return [t, v === null ? null : f.divideBy ? v / f.divideBy : v];
  });
  return { name: f.label, points };
}

/** Charts of panels that read only the db monitor's samples, drawn from db-monitor.json. */
export function sampleCharts(file: DbMonitorFile, intervalMs: number): ChartData[] {
  const out: ChartData[] = [];
  for (const spec of REPORT_CHARTS) {
    const p = specPanel(spec);
    if (!p.queries.every((q) => q.sampleFields)) continue;
    const series = p.queries.flatMap((q) => q.sampleFields!.fields.map((f) => sampleSeries(file, q.sampleFields!.measurement, f, intervalMs)));
    out.push(chart(spec, p, series, RUN_FILES.dbMonitor));
  }
  return out;
}

/** The target's own view per bucket: requests, rejections, errors, p95. */
export function requestLogCharts(a: LogAnalysis): ChartData[] {
  const per = a.bucketSeconds === 60 ? 'minute' : `${a.bucketSeconds} s`;
  const at = (pick: (b: LogAnalysis['series'][number]) => number | null): Array<[number, number | null]> => a.series.map((b) => [b.startMs, pick(b)]);
  return [
    {
      section: 'requestLog',
      title: `Requests per ${per} (target's request log)`,
      description: 'Answers the target logged per bucket: all, business rejections, errors (request + server).',
      unit: 'short',
      series: [
        { name: 'requests', points: at((b) => b.requests) },
        { name: 'rejections', points: at((b) => b.rejections) },
        { name: 'errors', points: at((b) => b.errors) },
      ],
      lines: [],
      source: RUN_FILES.requestLog,
    },
    {
      section: 'requestLog',
      title: `p95 latency per ${per} (target's request log)`,
      description: 'Server-side latency of every request, measured by the target.',
      unit: 'ms',
      series: [{ name: 'p95', points: at((b) => b.p95) }],
      lines: [],
      source: RUN_FILES.requestLog,
    },
  ];
}
