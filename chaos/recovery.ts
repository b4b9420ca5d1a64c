// Recovery time after each fault window: from the window's end until the error rate and p95
// are both back within thresholds and stay there for N consecutive samples. Pure functions.

export interface MetricSample {
  /** ms epoch, stamped at the end of the sample's aggregation interval */
  t: number;
  /** failed / total requests in the interval, 0..1 */
  errorRate: number;
  /** ms */
  p95: number;
}

export interface RecoveryThresholds {
  maxErrorRate: number;
  maxP95Ms: number;
  /** consecutive healthy samples needed (default 3): one good sample is not a recovery */
  stableSamples?: number;
}

export interface FaultSpan {
  fault: string;
  startMs: number;
  endMs: number;
}

export interface Recovery {
  fault: string;
  windowEndMs: number;
  /** t of the first sample of the healthy run, or null if the system never recovered */
  recoveredAtMs: number | null;
  /** recoveredAtMs - windowEndMs, or null */
  recoveryMs: number | null;
}

function healthy(s: MetricSample, th: RecoveryThresholds): boolean {
  // NaN (an interval without traffic) is not evidence of health
  return Number.isFinite(s.errorRate) && Number.isFinite(s.p95) && s.errorRate <= th.maxErrorRate && s.p95 <= th.maxP95Ms;
}

/**
 * Recovery after one window end. Only samples after the end count (a sample stamped at the
 * end aggregates time inside the window); samples at or after `untilMs` are ignored.
 */
export function recoveryAfter(windowEndMs: number, samples: readonly MetricSample[], th: RecoveryThresholds, untilMs = Infinity): number | null {
  const need = Math.max(1, Math.floor(th.stableSamples ?? 3));
  const after = samples.filter((s) => s.t > windowEndMs && s.t < untilMs).sort((a, b) => a.t - b.t);
  let run = 0;
  for (const [i, s] of after.entries()) {
    run = healthy(s, th) ? run + 1 : 0;
    if (run === need) return after[i - need + 1]!.t - windowEndMs;
  }
  return null;
}

/**
 * Recovery for every window. By default a window's observation ends when the next window
 * (of any fault) starts: a recovery measured across the next fault would not be this one's.
 */
export function computeRecoveries(
  windows: readonly FaultSpan[],
  samples: readonly MetricSample[],
  th: RecoveryThresholds,
  opts: { untilNextWindow?: boolean } = {},
): Recovery[] {
  const untilNext = opts.untilNextWindow ?? true;
  return windows.map((w) => {
    const nextStart = untilNext
      ? Math.min(Infinity, ...windows.filter((o) => o !== w && o.startMs >= w.endMs).map((o) => o.startMs))
      : Infinity;
    const recoveryMs = recoveryAfter(w.endMs, samples, th, nextStart);
    return { fault: w.fault, windowEndMs: w.endMs, recoveredAtMs: recoveryMs === null ? null : w.endMs + recoveryMs, recoveryMs };
  });
}

/** The windows that really happened (both ends known), from chaos-windows.json records. */
export function spansFromRecords(records: readonly { fault: string; startMs: number | null; endMs: number | null }[]): FaultSpan[] {
  return records.filter((r) => r.startMs !== null && r.endMs !== null).map((r) => ({ fault: r.fault, startMs: r.startMs!, endMs: r.endMs! }));
}
