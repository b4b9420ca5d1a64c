// The chaos report's figures from the run's merged metrics stream (core/metrics-stream/merge.ts:
// every load process's per-second histograms and rates, whatever the engine). Two per-request
// series matter: http_req_failed (a rate; honours each request's expected statuses) and
// http_req_duration (ms, a histogram). Per second for recovery times, and per chaos phase /
// fault tag (set by the chaos load on every request) to compare error rate and latency inside
// and outside fault windows. Histograms merge exactly, so every percentile here (a second, a
// phase, all the tag groups of one fault) is the merged histogram's nearest rank: the same
// definition the verdict's thresholds use (core/metrics-stream/summary.ts).
import { ENGINE_METRICS } from '../core/metric-names.js';
import { emptyHistogram, mergeHistogram, quantile, type HistogramData } from '../core/metrics-stream/histogram.js';
import type { MergedRun, MergedSeries } from '../core/metrics-stream/merge.js';
import { CHAOS_TAG, FAULT_TAG, NO_FAULT } from '../lib/chaos/contract.js';
import { PRE_WINDOW_MARGIN_S } from '../lib/chaos/schedule.js';
import type { MetricSample } from './recovery.js';

/** Requests the chaos load did not tag with a phase. */
export const UNTAGGED = 'untagged';

export interface Stat {
  requests: number;
  failed: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface SampleSummary {
  /** one per second that saw requests, t = end of the second (ms epoch) */
  perSecond: MetricSample[];
  /** by chaos tag: steady | fault | recovery (requests without one: 'untagged') */
  byPhase: Record<string, Stat>;
  /** by "<phase>|<fault tag>" (the fault tag names every active window: "db-latency+webhook-dup") */
  byFault: Record<string, Stat>;
  /**
   * by fault name: every request tagged chaos=fault with that fault among the active ones
   * (all its tag groups merged, so its percentiles are exact, not the worst group's)
   */
  duringFault: Record<string, Stat>;
  /**
   * one per `opts.windows` entry, in its order: the requests tagged chaos=fault with that
   * window's fault, in the seconds the window was on (from PRE_WINDOW_MARGIN_S before its start
   * to its end); null for a window that never started. Two windows of one fault stay apart.
   */
  duringWindow: Array<Stat | null>;
  /** samples counted (http_req_failed + http_req_duration) */
  rows: number;
}

/** A fault window as it happened (chaos-windows.json): null times if it never started. */
export interface WindowSpan { fault: string; startMs: number | null; endMs: number | null }

class Acc {
  requests = 0;
  failed = 0;
  readonly h: HistogramData = emptyHistogram();

  add(s: MergedSeries): void {
    if (s.m === ENGINE_METRICS.httpReqFailed && s.data.k === 'rate') {
      this.requests += s.data.n;
      this.failed += s.data.trues;
    } else if (s.m === ENGINE_METRICS.httpReqDuration && s.data.k === 'trend') {
      mergeHistogram(this.h, s.data.h);
    }
  }

  stat(): Stat {
    const p = (q: number) => (this.h.n ? quantile(this.h, q) : null);
    return {
      requests: this.requests,
      failed: this.failed,
      errorRate: this.requests ? this.failed / this.requests : 0,
      p50Ms: p(0.5),
      p95Ms: p(0.95),
      p99Ms: p(0.99),
      maxMs: this.h.n ? this.h.max : null,
    };
  }
}

function accOf<K>(m: Map<K, Acc>, k: K): Acc {
  let a = m.get(k);
  if (!a) m.set(k, (a = new Acc()));
  return a;
}

/**
 * Aggregates the merged run's per-second series. `fromMs`: seconds that end at or before it are
 * left out (the load's schedule starts at the timeline's t0; nothing before it is the run's).
 */
export function summarizeSamples(run: Pick<MergedRun, 'seconds'>, opts: { fromMs?: number; windows?: readonly WindowSpan[] } = {}): SampleSummary {
  const seconds = new Map<number, Acc>();
  const phases = new Map<string, Acc>();
  const faults = new Map<string, Acc>();
  const during = new Map<string, Acc>();
  const spans = (opts.windows ?? []).map((w) => (w.startMs === null ? null : {
    fault: w.fault,
    fromMs: w.startMs - PRE_WINDOW_MARGIN_S * 1000,
    toMs: w.endMs ?? Infinity,
    acc: new Acc(),
  }));
  let rows = 0;
  for (const [second, series] of run.seconds) {
    if (opts.fromMs !== undefined && (second + 1) * 1000 <= opts.fromMs) continue;
    for (const s of series) {
      const failedSeries = s.m === ENGINE_METRICS.httpReqFailed && s.data.k === 'rate';
      const durationSeries = s.m === ENGINE_METRICS.httpReqDuration && s.data.k === 'trend';
      if (!failedSeries && !durationSeries) continue;
      rows += s.data.k === 'rate' ? s.data.n : s.data.k === 'trend' ? s.data.h.n : 0;
      const phase = s.tags[CHAOS_TAG] ?? UNTAGGED;
      const fault = s.tags[FAULT_TAG] ?? NO_FAULT;
      accOf(seconds, second).add(s);
      accOf(phases, phase).add(s);
      accOf(faults, `${phase}|${fault}`).add(s);
      if (phase !== 'fault') continue;
      const names = new Set(fault.split('+'));
      for (const name of names) if (name && name !== NO_FAULT) accOf(during, name).add(s);
      // the second [second, second + 1) overlaps the window's [fromMs, toMs)
      for (const w of spans) if (w && names.has(w.fault) && second * 1000 < w.toMs && (second + 1) * 1000 > w.fromMs) w.acc.add(s);
    }
  }
  const perSecond: MetricSample[] = [...seconds.entries()].sort((a, b) => a[0] - b[0]).map(([s, a]) => {
    const st = a.stat();
    return { t: (s + 1) * 1000, errorRate: a.requests ? st.errorRate : Number.NaN, p95: st.p95Ms ?? Number.NaN };
  });
  const stats = (m: Map<string, Acc>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, a]) => [k, a.stat()]));
  return { perSecond, byPhase: stats(phases), byFault: stats(faults), duringFault: stats(during), duringWindow: spans.map((w) => w?.acc.stat() ?? null), rows };
}
