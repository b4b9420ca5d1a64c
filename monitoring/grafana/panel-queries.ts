// Runs a dashboard panel's InfluxQL the way Grafana would for one run: macros substituted
// ($testid, $timeFilter, $__interval, $__interval_ms), each query against its datasource's
// database, series named by the panel's alias pattern and rename rule. The run report draws
// its charts from this, and the dashboard test proves every panel returns data with it.
import type { InfluxClient, Series } from '../influx/influx-client.js';
import { DATASOURCE_DATABASE, type PanelDef, type PanelQuery } from './panel-model.js';

export interface QueryWindow {
  runId: string;
  fromMs: number;
  toMs: number;
  /** Grafana's $__interval: the GROUP BY time() bucket. */
  intervalMs: number;
}

export interface NamedSeries {
  name: string;
  /** [epoch ms, value]; table queries have a single row at time 0. */
  points: Array<[number, number | string | boolean | null]>;
}

// Run ids are tag values inside '...' and /.../ in the queries: nothing that could end either.
const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Grafana's auto interval: about `points` buckets over the window, rounded to a readable step. */
export function autoInterval(fromMs: number, toMs: number, points = 120, minMs = 1000): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
  const raw = Math.max(minMs, (toMs - fromMs) / points);
  return steps.find((s) => s >= raw) ?? Math.ceil(raw / 3_600_000) * 3_600_000;
}

export function expandMacros(query: string, w: QueryWindow): string {
  if (!SAFE_RUN_ID.test(w.runId)) throw new Error(`run id ${JSON.stringify(w.runId)} cannot go into a query`);
  if (!Number.isSafeInteger(w.fromMs) || !Number.isSafeInteger(w.toMs) || !Number.isSafeInteger(w.intervalMs) || w.intervalMs <= 0) {
    throw new Error('query window: from, to and interval must be whole milliseconds');
  }
  return query
    .replaceAll('$timeFilter', `time >= ${w.fromMs}ms AND time <= ${w.toMs}ms`)
    .replaceAll('$__interval_ms', String(w.intervalMs))
    .replaceAll('$__interval', `${w.intervalMs}ms`)
    .replaceAll('$testid', w.runId);
}

/** Grafana's alias patterns: $tag_<key>, $measurement / $m, $col; without an alias "measurement.column". */
export function seriesName(alias: string | undefined, series: Series, column: string): string {
  if (!alias) return `${series.name}.${column}`;
  return alias
    .replace(/\$tag_([A-Za-z0-9_]+)/g, (_, k: string) => series.tags?.[k] ?? '')
    .replace(/\$(measurement|m)\b/g, series.name)
    .replace(/\$col\b/g, column)
    .trim();
}

export async function runQuery(client: InfluxClient, q: PanelQuery, w: QueryWindow): Promise<NamedSeries[]> {
  const database = DATASOURCE_DATABASE[q.datasource.uid];
  if (!database) throw new Error(`unknown datasource ${q.datasource.uid}`);
  const result = await client.query(expandMacros(q.query, w), { database });
  const out: NamedSeries[] = [];
  for (const s of result) {
    const timeIndex = s.columns.indexOf('time');
    s.columns.forEach((column, i) => {
      if (i === timeIndex) return;
      out.push({
        name: seriesName(q.alias, s, column),
        points: s.values.map((row) => [timeIndex >= 0 ? Number(row[timeIndex]) : 0, (row[i] ?? null) as NamedSeries['points'][number][1]]),
      });
    });
  }
  return out;
}

/** One series: the per-timestamp sum of all (nulls are absent values), like Grafana's row sum. */
export function sumSeries(name: string, series: NamedSeries[]): NamedSeries {
  const byTime = new Map<number, number | null>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      const prev = byTime.get(t) ?? null;
      byTime.set(t, typeof v === 'number' ? (prev ?? 0) + v : prev);
    }
  }
  return { name, points: [...byTime.entries()].sort((a, b) => a[0] - b[0]) };
}

/** Every query of a panel, with the panel's sum and rename rules applied. */
export async function runPanel(client: InfluxClient, p: PanelDef, w: QueryWindow): Promise<NamedSeries[]> {
  const all = (await Promise.all(p.queries.map((q) => runQuery(client, q, w)))).flat();
  const series = p.sumSeries ? [sumSeries(p.sumSeries, all)] : all;
  if (!p.rename) return series;
  const re = new RegExp(p.rename.regex);
  return series.map((s) => ({ ...s, name: s.name.replace(re, p.rename!.replacement) }));
}

/** True when a series holds at least one value Grafana would draw. */
export function hasValues(s: NamedSeries): boolean {
  return s.points.some(([, v]) => v !== null);
}
