// results/<run-id>/report.html and report.md from what the run left there. Time series come
// from InfluxDB when the run streamed there (influx.json says where; this checkout's own
// influxd is started for the read if it is down); otherwise, or when InfluxDB cannot be
// reached, the report falls back to the summary and the run's own files and says so.
import { RUN_FILES } from '../../core/results-layout.js';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { autoInterval } from '../grafana/panel-queries.js';
import { connectInfluxUrl, connectLocalInflux, type InfluxConnection } from '../telemetry/influx-connection.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { buildReportModel } from './report-model.js';
import { influxCharts, requestLogCharts, sampleCharts, type ChartData } from './run-charts.js';
import { readRunFiles, type RunFiles } from './run-files.js';

export interface GenerateOptions {
  /** An open connection (the orchestrator's); otherwise influx.json decides. */
  influx?: InfluxConnection;
  /** Never read InfluxDB (summary-only report). */
  noInflux?: boolean;
}

export interface GeneratedReport {
  html: string;
  markdown: string;
  htmlBytes: number;
  timeSeries: 'influxdb' | 'summary';
  notes: string[];
}

/** The load's window: influx.json's timestamps, else metadata's start and the summary's duration. */
export function runWindow(f: RunFiles): { startMs: number; endMs: number } | null {
  const start = f.influx?.k6.startMs ?? (f.metadata ? Date.parse(f.metadata.startedAt) : NaN);
  if (!Number.isFinite(start)) return null;
  let end = f.influx?.k6.endMs ?? NaN;
  if (!Number.isFinite(end) && f.summary?.durationMs) end = start + f.summary.durationMs;
  if (!Number.isFinite(end) && f.metadata?.finishedAt) end = Date.parse(f.metadata.finishedAt);
  return Number.isFinite(end) && end > start ? { startMs: start, endMs: end } : null;
}

async function openInflux(f: RunFiles, notes: string[]): Promise<InfluxConnection | null> {
  const where = f.influx!;
  try {
    return where.local ? await connectLocalInflux(where.local.instanceId ?? undefined) : await connectInfluxUrl(where.url);
  } catch (err) {
    notes.push(`The run streamed to InfluxDB at ${where.url}, which cannot be read now (${(err as Error).message}): time series replaced by whole-run figures.`);
    return null;
  }
}

export async function generateRunReport(dir: string, opts: GenerateOptions = {}): Promise<GeneratedReport> {
  const files = readRunFiles(dir);
  const notes: string[] = [];
  const window = runWindow(files);
  const charts: ChartData[] = [];
  let timeSeries: GeneratedReport['timeSeries'] = 'summary';

  if (files.influx && !opts.noInflux && window) {
    const conn = opts.influx ?? (await openInflux(files, notes));
    if (conn) {
      try {
        const w = { runId: files.runId, fromMs: Math.floor(window.startMs - 2000), toMs: Math.ceil(window.endMs + 2000), intervalMs: autoInterval(window.startMs, window.endMs) };
        const r = await influxCharts(conn.client('k6'), w);
        notes.push(...r.failed.map((x) => `InfluxDB query failed: ${x}`));
        if (r.charts.some((c) => c.source === 'influxdb' && c.series.some((s) => s.points.some(([, v]) => v !== null)))) {
          charts.push(...r.charts);
          timeSeries = 'influxdb';
        } else {
          notes.push(`InfluxDB at ${conn.url} holds no points for run ${files.runId} (retention, or another server): time series replaced by whole-run figures.`);
        }
      } finally {
        if (!opts.influx) await conn.close();
      }
    }
  }
  if (timeSeries === 'summary' && files.dbMonitor && window) {
    charts.push(...sampleCharts(files.dbMonitor, Math.max(files.dbMonitor.intervalMs, autoInterval(window.startMs, window.endMs))));
  }
  if (files.requestLog) charts.push(...requestLogCharts(files.requestLog));
  if (!files.summary) notes.push('No summary.json: the load did not finish, so there are no thresholds or whole-run figures.');

  const model = buildReportModel({
    files,
    charts,
    timeSeries,
    // Charts span the load, padded so the first and last buckets are not cut off.
    window: window ? { startMs: window.startMs - 1000, endMs: window.endMs + 1000 } : null,
    notes,
  });
  const html = join(dir, RUN_FILES.reportHtml);
  const markdown = join(dir, RUN_FILES.reportMarkdown);
  writeFileSync(html, renderHtml(model));
  writeFileSync(markdown, renderMarkdown(model));
  return { html, markdown, htmlBytes: statSync(html).size, timeSeries, notes: model.notes };
}
