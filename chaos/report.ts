// results/<run-id>/chaos-report.json: what each fault did and how fast the platform came back.
// Everything comes from the run's merged metrics stream (chaos/samples.ts; either engine) and
// the controller's chaos-windows.json:
//   windows     each fault window as it really happened (chaos-windows.json) + its recovery time:
//               from the window's end until the per-second error rate and p95 are back within
//               the thresholds for `stableSamples` seconds in a row (chaos/recovery.ts)
//   phases      error rate and latency outside windows (steady), inside them, and recovering
//   faults      the same per fault tag
//   load        what the load saw: indeterminate writes per operation, retries, offline sales and
//               shortfalls, rerouted scans, webhook deliveries by kind, money-rule violations
//   verdict     recoveries within the bound; every fault applied and removed
import { CHAOS_METRICS, METRICS, outcomeMetric } from '../core/metric-names.js';
import { WRITE_OPERATIONS } from '../core/operations.js';
import { selectSeries, type MergedRun } from '../core/metrics-stream/merge.js';
import { metricValues } from '../core/metrics-stream/summary.js';
import { SLO } from '../core/thresholds.js';
import { computeRecoveries, type MetricSample, type RecoveryThresholds } from './recovery.js';
import type { SampleSummary, Stat } from './samples.js';
import type { ChaosWindowsFile, WindowRecord } from './windows-file.js';

export interface WindowReport {
  fault: string;
  kind: string;
  executor: string;
  status: string;
  params: WindowRecord['params'];
  plannedStartMs: number;
  plannedEndMs: number;
  startMs: number | null;
  endMs: number | null;
  /** requests tagged with this fault while it was on */
  during: Stat | null;
  /**
   * Recovery is measured from here: the window's end, or later if platform faults (toxic,
   * process) were still on at its end: then from when the last of them ended, since their
   * effect is not this fault's. Client faults act on clients and do not defer it.
   */
  recoveryFromMs: number | null;
  recoveryMs: number | null;
  /** recovered | not-recovered (watched long enough, never healthy) | unmeasured (next fault or the end came first) | not-run */
  recovery: 'recovered' | 'not-recovered' | 'unmeasured' | 'not-run';
  withinBound: boolean | null;
  error?: string;
}

export interface ChaosReport {
  version: 1;
  runId: string | null;
  t0Ms: number;
  durationS: number;
  recoveryBoundS: number;
  recoveryThresholds: Required<RecoveryThresholds>;
  controller: { outcome: string; error?: string };
  windows: WindowReport[];
  phases: Record<string, Stat>;
  faults: Record<string, Stat>;
  /** what the load saw (its own counters in the metrics stream); null without a stream */
  load: {
    indeterminate: Record<string, number>;
    retries: number;
    violations: number;
    offlineOrders: Record<string, number>;
    offlineShortfallCents: number;
    offlineScans: number;
    reroutedScans: number;
    terminalOfflineSkips: number;
    webhookDeliveries: Record<string, number>;
    burstReplays: number;
  } | null;
  /**
   * How long after t0 the latest load process started its schedule (ms; 0 = on time; null: no
   * stream). Client faults and phase tags run on t0's clock, so a late load misses them.
   */
  loadLateMs: number | null;
  verdict: { ok: boolean; problems: string[] };
}

/** A load process may start its schedule this much after t0 (the tags' margin before a window). */
export const LOAD_START_TOLERANCE_MS = 1000;

/** How late the load's processes started their schedules, from their streams' start records. */
export function loadLateness(sources: readonly { source: string; startedAt: number }[], t0Ms: number): { lateMs: number; late: string[] } {
  const late = sources.filter((s) => s.startedAt - t0Ms > LOAD_START_TOLERANCE_MS).map((s) => `${s.source} +${((s.startedAt - t0Ms) / 1000).toFixed(1)}s`);
  return { lateMs: Math.max(0, ...sources.map((s) => s.startedAt - t0Ms)), late };
}

/** Health after a fault: the steady-state failure budget and the largest p95 budget. */
export const RECOVERY_THRESHOLDS: Required<RecoveryThresholds> = { maxErrorRate: SLO.maxFailureRate, maxP95Ms: SLO.concessionP95Ms, stableSamples: 3 };

/** Whole-run count of a metric (a counter's sum, a trend's samples), over every tag set. */
function countOf(metrics: MergedRun['metrics'], name: string, tags: Record<string, string> = {}): number {
  const sel = selectSeries(metrics.get(name), tags);
  return sel ? (metricValues(sel.data, 1).count ?? 0) : 0;
}

/** A metric's whole-run count per value of one tag (series without the tag are left out). */
function countByTag(metrics: MergedRun['metrics'], name: string, tag: string): Record<string, number> {
  const values = new Set((metrics.get(name) ?? []).map((s) => s.tags[tag]).filter((v): v is string => v !== undefined));
  return Object.fromEntries([...values].sort().map((v) => [v, countOf(metrics, name, { [tag]: v })]));
}

function loadSide(metrics: MergedRun['metrics'] | null): ChaosReport['load'] {
  if (!metrics) return null;
  const count = (name: string) => countOf(metrics, name);
  return {
    indeterminate: Object.fromEntries(WRITE_OPERATIONS.map((op) => [op, count(outcomeMetric(op, 'indeterminate'))])),
    retries: count(METRICS.retries),
    violations: count(CHAOS_METRICS.violations),
    offlineOrders: { total: count(CHAOS_METRICS.offlineOrders), ...countByTag(metrics, CHAOS_METRICS.offlineOrders, 'status') },
    offlineShortfallCents: count(CHAOS_METRICS.shortfallCents),
    offlineScans: count(CHAOS_METRICS.offlineScans),
    reroutedScans: count(CHAOS_METRICS.rerouted),
    terminalOfflineSkips: count(CHAOS_METRICS.terminalOffline),
    webhookDeliveries: countByTag(metrics, CHAOS_METRICS.webhookDeliveries, 'kind'),
    burstReplays: count(CHAOS_METRICS.burstReplays),
  };
}

/** A window's requests: its own seconds when the samples were cut per window, else every window of its fault. */
function during(samples: SampleSummary | null, fault: string, index: number): Stat | null {
  if (!samples) return null;
  if (index < samples.duringWindow.length) return samples.duringWindow[index] ?? null;
  return samples.duringFault[fault] ?? null;
}

export function buildChaosReport(input: {
  windows: ChaosWindowsFile;
  samples: SampleSummary | null;
  /** the merged run's whole-run metrics (MergedRun.metrics): the load side of the report */
  metrics: MergedRun['metrics'] | null;
  /** the load processes' stream sources (MergedRun.sources): did each start on t0? */
  sources?: readonly { source: string; startedAt: number }[];
  recoveryBoundS: number;
  thresholds?: Required<RecoveryThresholds>;
  /** the end of observation (ms epoch): the load's end */
  endMs: number;
}): ChaosReport {
  const th = input.thresholds ?? RECOVERY_THRESHOLDS;
  const doc = input.windows;
  const samples: MetricSample[] = input.samples?.perSecond ?? [];
  const faults = input.samples?.byFault ?? {};
  const happened = doc.windows.filter((w) => w.startMs !== null && w.endMs !== null);
  const spans = happened.map((w) => ({ fault: w.fault, startMs: w.startMs!, endMs: w.endMs! }));
  const platform = spans.filter((_, i) => happened[i]!.kind !== 'client');
  const from = spans.map((w) => {
    let end = w.endMs;
    for (let changed = true, rounds = 0; changed && rounds <= spans.length; rounds++) {
      changed = false;
      for (const o of platform) if (o !== w && o.startMs <= end && o.endMs > end) { end = o.endMs; changed = true; }
    }
    return end;
  });
  const recoveries = computeRecoveries(spans.map((w, i) => ({ ...w, endMs: from[i]! })), samples, th);
  const boundMs = input.recoveryBoundS * 1000;
  const problems: string[] = [];

  const windows: WindowReport[] = doc.windows.map((w, index) => {
    const i = happened.indexOf(w);
    const base = {
      fault: w.fault, kind: w.kind, executor: w.executor, status: w.status, params: w.params,
      plannedStartMs: w.plannedStartMs, plannedEndMs: w.plannedEndMs, startMs: w.startMs, endMs: w.endMs,
      during: during(input.samples, w.fault, index), ...(w.error ? { error: w.error } : {}),
    };
    if (w.status === 'failed') problems.push(`${w.fault}: could not be applied (${w.error ?? 'unknown error'})`);
    if (i < 0) return { ...base, recoveryFromMs: null, recoveryMs: null, recovery: 'not-run', withinBound: null };
    const fromMs = from[i]!;
    const r = recoveries[i]!;
    if (r.recoveryMs !== null) {
      const ok = r.recoveryMs <= boundMs;
      if (!ok) problems.push(`${w.fault}: recovered after ${(r.recoveryMs / 1000).toFixed(1)} s, over the ${input.recoveryBoundS} s bound`);
      return { ...base, recoveryFromMs: fromMs, recoveryMs: r.recoveryMs, recovery: 'recovered', withinBound: ok };
    }
    // Not recovered: a failure only if it was watched for longer than the bound.
    const nextStart = Math.min(input.endMs, ...spans.filter((s) => s.startMs >= fromMs).map((s) => s.startMs));
    const watched = nextStart - fromMs;
    if (watched >= boundMs + th.stableSamples * 1000) {
      problems.push(`${w.fault}: not back within thresholds ${input.recoveryBoundS} s after the window's end`);
      return { ...base, recoveryFromMs: fromMs, recoveryMs: null, recovery: 'not-recovered', withinBound: false };
    }
    return { ...base, recoveryFromMs: fromMs, recoveryMs: null, recovery: 'unmeasured', withinBound: null };
  });
  if (doc.outcome === 'error') problems.push(`chaos controller: ${doc.error ?? 'error'}`);
  if (!input.samples) problems.push('no metrics stream from the load: recoveries could not be measured');
  const lateness = input.sources?.length ? loadLateness(input.sources, doc.t0Ms) : null;
  if (lateness?.late.length) {
    problems.push(`the load started after t0 (${lateness.late.join(', ')}): its client faults and phase tags missed the controller's timeline`);
  }

  return {
    version: 1,
    runId: doc.runId,
    t0Ms: doc.t0Ms,
    durationS: doc.durationS,
    recoveryBoundS: input.recoveryBoundS,
    recoveryThresholds: th,
    controller: { outcome: doc.outcome, ...(doc.error ? { error: doc.error } : {}) },
    windows,
    phases: input.samples?.byPhase ?? {},
    faults,
    load: loadSide(input.metrics),
    loadLateMs: lateness?.lateMs ?? null,
    verdict: { ok: problems.length === 0, problems },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const ms = (x: number | null) => (x === null ? '-' : `${Math.round(x)}ms`);

/** The console version: one line per window, the phase comparison, the load side, the verdict. */
export function formatChaosReport(r: ChaosReport): string {
  const out: string[] = [`chaos: ${r.windows.length} fault window(s), recovery bound ${r.recoveryBoundS}s (error rate <= ${pct(r.recoveryThresholds.maxErrorRate)}, p95 <= ${r.recoveryThresholds.maxP95Ms}ms, ${r.recoveryThresholds.stableSamples}s in a row)`];
  for (const w of r.windows) {
    const at = w.startMs === null ? 'never applied' : `${((w.startMs - r.t0Ms) / 1000).toFixed(1)}s..${w.endMs === null ? '?' : ((w.endMs - r.t0Ms) / 1000).toFixed(1)}s`;
    const d = w.during ? `inside: ${w.during.requests} req, ${pct(w.during.errorRate)} failed, p95 ${ms(w.during.p95Ms)}` : 'inside: no tagged requests';
    const after = w.recoveryFromMs !== null && w.endMs !== null && w.recoveryFromMs > w.endMs ? ` (after the faults around it, from ${((w.recoveryFromMs - r.t0Ms) / 1000).toFixed(1)}s)` : '';
    const rec = w.recovery === 'recovered' ? `recovered in ${(w.recoveryMs! / 1000).toFixed(1)}s${after}` : `${w.recovery}${after}`;
    out.push(`  ${w.withinBound === false ? '✗' : '✓'} ${w.fault.padEnd(19)} ${w.status.padEnd(11)} ${at.padEnd(16)} ${d}; ${rec}`);
  }
  for (const [phase, s] of Object.entries(r.phases)) {
    out.push(`  ${phase.padEnd(9)} ${String(s.requests).padStart(7)} requests  ${pct(s.errorRate).padStart(7)} failed  p50 ${ms(s.p50Ms)}  p95 ${ms(s.p95Ms)}  p99 ${ms(s.p99Ms)}`);
  }
  if (r.load) {
    const ind = Object.entries(r.load.indeterminate).filter(([, n]) => n > 0).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
    out.push(`  indeterminate writes (reported to validation): ${ind}; retries ${r.load.retries}`);
    out.push(`  offline sales ${JSON.stringify(r.load.offlineOrders)}, shortfall ${r.load.offlineShortfallCents} cents; offline scans ${r.load.offlineScans}, rerouted scans ${r.load.reroutedScans}; webhook deliveries ${JSON.stringify(r.load.webhookDeliveries)}`);
    out.push(`  money rules broken in front of the load: ${r.load.violations}`);
  }
  out.push(r.verdict.ok ? 'chaos verdict: PASS' : `chaos verdict: FAIL\n  - ${r.verdict.problems.join('\n  - ')}`);
  return out.join('\n');
}
