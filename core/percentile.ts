// The one percentile definition moshpit reports: nearest rank. The q-quantile of n samples is
// the ceil(q·n)-th smallest (1-based), a value that was observed, never one between two. The
// verdict's thresholds take it over merged histograms (core/metrics-stream/histogram.ts), the
// chaos report over the same histograms, the request-log analyzer over sorted samples: so a
// p95 from any of them compares with the others. (k6's own summary interpolates between ranks;
// moshpit's verdict does not, whatever the engine.)

/** The 1-based rank of the q-quantile (0 < q < 1) among n samples, at least 1. */
export function nearestRank(q: number, n: number): number {
  // toPrecision: 0.07 * 100 is 7.000000000000001 in floating point, whose ceiling is not 7.
  return Math.min(n, Math.max(1, Math.ceil(Number((q * n).toPrecision(12)))));
}

/** The p-th percentile (0..100) of samples sorted ascending, nearest rank; null when empty. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (p <= 0) return sorted[0]!;
  if (p >= 100) return sorted[n - 1]!;
  return sorted[nearestRank(p / 100, n) - 1]!;
}
