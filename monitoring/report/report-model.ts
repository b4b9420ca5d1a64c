// What a run report says, independent of how it is rendered (HTML for people, Markdown for
// CI): the verdict and why, key figures, thresholds, latency, money (what the load saw next to what
// the database holds), validation with witnesses, the request log, charts, environment.
import { ENGINE_METRICS, latencyMetric, outcomeMetric, replayMetric, TIMED_OPERATIONS } from '../../core/metric-names.js';
import { EXIT } from '../../core/exit-codes.js';
import { WRITE_OPERATIONS } from '../../core/operations.js';
import type { SloTimelineEntry } from '../../core/slo-tiers.js';
import type { CheckerResult } from '../../validate/types.js';
import type { LogAnalysis } from '../log-analyzer/analyze.js';
import type { FestivalField } from '../db-monitor-influx.js';
import { faultWindows } from './fault-windows.js';
import { cents, formatValue } from './format-units.js';
import type { ChartData } from './run-charts.js';
import type { PreflightFile, RunFiles } from './run-files.js';
import { metricValue, type RunSummaryData } from './summary-reader.js';
import type { Band } from './svg-chart.js';

export type Verdict = 'PASS' | 'FAIL' | 'INCOMPLETE';

export interface VerdictReason { label: string; ok: boolean | null; text: string }

export interface LatencyRow { op: string; count: number; avg: number | null; p50: number | null; p95: number | null; p99: number | null; max: number | null; p95Budget: number | null; ok: boolean | null }

export interface MoneyRow {
  op: string;
  acked: number; ackedCents: number;
  /** What the database holds for the op (validation's reconcile-lost-writes), when known. */
  held: number | null; heldCents: number | null;
  rejected: number; rejectedCents: number;
  indeterminate: number; indeterminateCents: number;
  replays: number;
}

/** One fault window of a chaos run and how fast the platform came back after it. */
export interface ChaosRow { fault: string; kind: string; status: string; startMs: number | null; endMs: number | null; recovery: string; recoveryMs: number | null; withinBound: boolean | null }

/** The SLO tier timeline summary.json carries (moshpit.sloTiers, cli/pipeline/run-verdict.ts). */
export interface SloTiersView {
  t0Ms: number;
  bucketSeconds: number;
  buckets: SloTimelineEntry[];
  verdict: { ok: boolean; highest: SloTimelineEntry['tier']; rollback: boolean; text: string };
}

export interface ReportModel {
  runId: string;
  scenario: string;
  profile: string;
  verdict: Verdict;
  exitCode: number | null;
  reasons: VerdictReason[];
  keyFigures: Array<{ label: string; value: string }>;
  thresholds: RunSummaryData['thresholds'] | null;
  /** null: the run has no SLO tier timeline (older runs, runs judged elsewhere). */
  sloTiers: SloTiersView | null;
  failedChecks: Array<{ name: string; passes: number; fails: number }>;
  latency: LatencyRow[];
  money: MoneyRow[];
  /** The db monitor's last festival sample for the run (orders, fees, fundings in the database). */
  database: Partial<Record<FestivalField, number>> | null;
  conservation: Record<string, number> | null;
  validation: { verdict: string; ok: boolean; counts: Record<string, number>; checkers: CheckerResult[] } | null;
  requestLog: LogAnalysis | null;
  /** Where the time went: monitoring/report/bottleneck-section.ts renders it. */
  bottlenecks: { file: RunFiles['bottlenecks']; series: RunFiles['resourceUsage'] };
  chaos: { rows: ChaosRow[]; recoveryBoundS: number; ok: boolean; problems: string[] } | null;
  charts: ChartData[];
  bands: Band[];
  window: { startMs: number; endMs: number } | null;
  /** Where the time series came from; 'summary' when the run did not stream to InfluxDB. */
  timeSeries: 'influxdb' | 'summary';
  notes: string[];
  environment: Array<[string, string]>;
  preflight: PreflightFile | null;
  generatedAt: string;
}


function latencyRows(s: RunSummaryData): LatencyRow[] {
  const rows: LatencyRow[] = [];
  for (const op of TIMED_OPERATIONS) {
    const metric = latencyMetric(op);
    const m = s.metrics[metric];
    if (!m || !m.values.count) continue;
    const p95Rule = s.thresholds.find((t) => t.metric === metric && t.aggregate === 'p(95)');
    const budget = p95Rule ? Number(/[<>=]+\s*([\d.]+)/.exec(p95Rule.expression)?.[1]) : NaN;
    const rules = s.thresholds.filter((t) => t.metric === metric);
    rows.push({
      op,
      count: m.values.count,
      avg: m.values.avg ?? null,
      p50: m.values.med ?? null,
      p95: m.values['p(95)'] ?? null,
      p99: m.values['p(99)'] ?? null,
      max: m.values.max ?? null,
      p95Budget: Number.isFinite(budget) ? budget : null,
      ok: rules.length ? rules.every((t) => t.ok) : null,
    });
  }
  return rows;
}

function moneyRows(s: RunSummaryData, v: RunFiles['validation']): MoneyRow[] {
  const reconciled = v?.results.find((r) => r.name === 'reconcile-lost-writes')?.info?.operations;
  const held = new Map<string, { held: number; held_cents: number }>();
  if (Array.isArray(reconciled)) for (const r of reconciled as Array<Record<string, number | string>>) held.set(String(r.op), { held: Number(r.held), held_cents: Number(r.held_cents) });
  const count = (op: string, cls: 'acked' | 'rejected' | 'indeterminate', unit: 'count' | 'cents') => metricValue(s, outcomeMetric(op as never, cls, unit), 'count') ?? 0;
  return WRITE_OPERATIONS.map((op) => ({
    op,
    acked: count(op, 'acked', 'count'),
    ackedCents: count(op, 'acked', 'cents'),
    held: held.get(op)?.held ?? null,
    heldCents: held.get(op)?.held_cents ?? null,
    rejected: count(op, 'rejected', 'count'),
    rejectedCents: count(op, 'rejected', 'cents'),
    indeterminate: count(op, 'indeterminate', 'count'),
    indeterminateCents: count(op, 'indeterminate', 'cents'),
    replays: metricValue(s, replayMetric(op), 'count') ?? 0,
  })).filter((r) => r.acked + r.rejected + r.indeterminate + r.replays > 0 || (r.held ?? 0) > 0);
}

function sloTiersOf(s: RunSummaryData | null): SloTiersView | null {
  const t = s?.moshpit.sloTiers as Partial<SloTiersView> | undefined;
  if (!t || typeof t.t0Ms !== 'number' || typeof t.bucketSeconds !== 'number' || !Array.isArray(t.buckets) || typeof t.verdict !== 'object' || t.verdict === null) return null;
  return t as SloTiersView;
}

function verdictOf(f: RunFiles): { verdict: Verdict; exitCode: number | null; reasons: VerdictReason[] } {
  const reasons: VerdictReason[] = [];
  const exit = f.metadata?.exit;
  const s = f.summary;
  if (s) {
    const failed = s.thresholds.filter((t) => !t.ok);
    reasons.push({
      label: 'load thresholds',
      ok: failed.length === 0,
      text: failed.length === 0 ? `all ${s.thresholds.length} passed` : `${failed.length} of ${s.thresholds.length} breached: ${failed.map((t) => `${t.metric} ${t.expression}`).join(', ')}`,
    });
  } else {
    reasons.push({ label: 'load thresholds', ok: null, text: 'no summary.json: the load did not finish' });
  }
  const tiers = sloTiersOf(s);
  if (tiers) reasons.push({ label: 'SLO tiers', ok: tiers.verdict.highest === null ? true : tiers.verdict.ok ? null : false, text: tiers.verdict.text });
  if (exit && exit.load !== null && exit.load !== 0) {
    reasons.push({ label: 'load step', ok: false, text: `exit ${exit.load} (a load process failed; see results/<run-id>/engine/)` });
  }
  if (exit?.code === EXIT.interrupted) reasons.push({ label: 'interrupted', ok: false, text: 'stopped by a signal: what ran was validated, the run is not a pass' });
  const v = f.validation;
  if (v) {
    reasons.push({ label: 'money validation', ok: v.ok, text: `${v.ok ? 'passed' : 'failed'}: ${v.counts.checkers} checkers, ${v.counts.violations} violations${v.counts.errors ? `, ${v.counts.errors} errors` : ''}${v.counts.skipped ? `, ${v.counts.skipped} skipped` : ''}` });
  } else {
    reasons.push({ label: 'money validation', ok: null, text: exit?.validation === 'skipped' ? 'skipped (no DATABASE_URL for this target)' : 'no validation.json' });
  }
  const chaos = f.chaosReport;
  if (chaos) {
    const recovered = chaos.windows.filter((w) => w.recovery === 'recovered').length;
    reasons.push({ label: 'chaos recovery', ok: chaos.verdict.ok, text: chaos.verdict.ok ? `${recovered} of ${chaos.windows.length} fault windows recovered within ${chaos.recoveryBoundS} s` : chaos.verdict.problems.join('; ') });
  }
  if (f.preflight) reasons.push({ label: 'pre-flight', ok: f.preflight.ready, text: f.preflight.verdict });
  if (!exit) return { verdict: 'INCOMPLETE', exitCode: null, reasons };
  return { verdict: exit.code === EXIT.ok ? 'PASS' : 'FAIL', exitCode: exit.code, reasons };
}

function keyFigures(f: RunFiles, money: MoneyRow[]): ReportModel['keyFigures'] {
  const s = f.summary;
  if (!s) return [];
  const v = (m: string, k: string) => metricValue(s, m, k);
  const order = money.find((r) => r.op === 'order');
  const figures: ReportModel['keyFigures'] = [
    { label: 'duration', value: formatValue(s.durationMs, 'ms') },
    { label: 'requests', value: `${v(ENGINE_METRICS.httpReqs, 'count') ?? 0} (${formatValue(v(ENGINE_METRICS.httpReqs, 'rate'), 'reqps')})` },
    { label: 'p95 all requests', value: formatValue(v(ENGINE_METRICS.httpReqDuration, 'p(95)'), 'ms') },
    { label: 'HTTP failures', value: formatValue(v(ENGINE_METRICS.httpReqFailed, 'rate') ?? 0, 'percentunit') },
    { label: 'checks passed', value: formatValue(v(ENGINE_METRICS.checks, 'rate'), 'percentunit') },
    { label: 'success rate', value: formatValue(v('success_rate', 'rate'), 'percentunit') },
  ];
  if (order) figures.push({ label: 'orders / revenue', value: `${order.acked} / ${cents(order.ackedCents)}` });
  if (f.validation) figures.push({ label: 'money violations', value: String(f.validation.counts.violations) });
  return figures;
}

function environment(f: RunFiles): Array<[string, string]> {
  const m = f.metadata;
  const out: Array<[string, string]> = [['run id', f.runId]];
  if (m) {
    out.push(
      ['scenario / profile', `${m.scenario} / ${m.profile}`],
      ['target', `${m.target.kind} ${m.target.url}${m.target.embedded ? ' (embedded reference target)' : ''}`],
      ['defect modes', m.target.defects.length ? m.target.defects.join(', ') : 'none'],
      ['load engine', `${m.engine.name} ${m.engine.version}`],
      ['node', m.node],
      ['git revision', m.gitRevision ?? 'unknown'],
      ['started', m.startedAt],
      ['finished', m.finishedAt ?? 'not recorded'],
    );
  }
  const mp = f.summary?.moshpit ?? {};
  if (mp.durationScale !== undefined) out.push(['duration / rate scale', `${mp.durationScale} / ${mp.rateScale}`]);
  if (f.influx) {
    out.push(['InfluxDB', `${f.influx.url}${f.influx.local ? ' (this checkout\'s influxd)' : ''}, databases ${f.influx.databases.k6} + ${f.influx.databases.moshpit}`]);
    const { startMs, endMs } = f.influx.k6;
    // Relative, so it works on whatever host Grafana runs (monitoring/grafana/README.md).
    out.push(['Grafana', `/d/moshpit-run-overview?var-testid=${encodeURIComponent(f.runId)}&from=${startMs - 5000}&to=${(endMs ?? startMs) + 5000}`]);
  }
  if (f.dbMonitor) out.push(['db monitor', `${f.dbMonitor.samples.length} samples every ${f.dbMonitor.intervalMs / 1000} s`]);
  if (f.requestLog) out.push(['request log', `${f.requestLog.source} (${f.requestLog.read.used} entries in the run's window)`]);
  return out;
}

export interface ModelInputs {
  files: RunFiles;
  charts: ChartData[];
  timeSeries: 'influxdb' | 'summary';
  window: { startMs: number; endMs: number } | null;
  notes: string[];
}

export function buildReportModel(i: ModelInputs): ReportModel {
  const f = i.files;
  const { verdict, exitCode, reasons } = verdictOf(f);
  const money = f.summary ? moneyRows(f.summary, f.validation) : [];
  const lastFestival = f.dbMonitor?.samples.filter((r) => r.festival).at(-1)?.festival ?? null;
  const conservation = f.validation?.results.find((r) => r.name === 'conservation')?.info?.totals;
  const notes = [...i.notes, ...f.problems.map((p) => `could not read ${p}`)];
  if (f.dbMonitor?.errors.length) notes.push(`db monitor: ${f.dbMonitor.errors.join('; ')}`);
  return {
    runId: f.runId,
    scenario: f.metadata?.scenario ?? String(f.summary?.moshpit.scenario ?? '?'),
    profile: f.metadata?.profile ?? String(f.summary?.moshpit.profile ?? '?'),
    verdict,
    exitCode,
    reasons,
    keyFigures: keyFigures(f, money),
    thresholds: f.summary?.thresholds ?? null,
    sloTiers: sloTiersOf(f.summary),
    failedChecks: f.summary?.checks.filter((c) => c.fails > 0) ?? [],
    latency: f.summary ? latencyRows(f.summary) : [],
    money,
    database: lastFestival,
    conservation: conservation && typeof conservation === 'object' ? (conservation as Record<string, number>) : null,
    validation: f.validation ? { verdict: f.validation.verdict, ok: f.validation.ok, counts: f.validation.counts, checkers: f.validation.results } : null,
    requestLog: f.requestLog,
    bottlenecks: { file: f.bottlenecks, series: f.resourceUsage },
    chaos: f.chaosReport ? {
      rows: f.chaosReport.windows.map((w) => ({ fault: w.fault, kind: w.kind, status: w.status, startMs: w.startMs, endMs: w.endMs, recovery: w.recovery, recoveryMs: w.recoveryMs, withinBound: w.withinBound })),
      recoveryBoundS: f.chaosReport.recoveryBoundS,
      ok: f.chaosReport.verdict.ok,
      problems: f.chaosReport.verdict.problems,
    } : null,
    charts: i.charts,
    bands: f.chaos && i.window ? faultWindows(f.chaos, i.window.endMs) : [],
    window: i.window,
    timeSeries: i.timeSeries,
    notes,
    environment: environment(f),
    preflight: f.preflight,
    generatedAt: new Date().toISOString(),
  };
}
