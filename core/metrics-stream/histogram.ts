// A mergeable latency histogram: log-spaced buckets with a fixed relative accuracy (as in
// DDSketch), so histograms from any number of processes and seconds add up exactly and every
// percentile of the merge is within ACCURACY of the true sample. Count, sum, min and max are exact.
import { nearestRank } from '../percentile.js';

/** Relative accuracy of a percentile read from the buckets (0.5 %). */
export const ACCURACY = 0.005;
const GAMMA = (1 + ACCURACY) / (1 - ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) land in the zero bucket: far below any network latency. */
const MIN_POSITIVE = 1e-3;

export interface HistogramData {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Samples <= MIN_POSITIVE (including 0 and negatives). */
  zero: number;
  /** Bucket index -> count. Index i covers (GAMMA^(i-1), GAMMA^i]. */
  b: Record<string, number>;
}

export function emptyHistogram(): HistogramData {
  return { n: 0, sum: 0, min: Infinity, max: -Infinity, zero: 0, b: {} };
}

export function bucketIndex(value: number): number {
  return Math.ceil(Math.log(value) / LOG_GAMMA);
}

/** The value a bucket stands for: within ACCURACY of every value in it. */
function bucketValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

export function addSample(h: HistogramData, value: number): void {
  h.n += 1;
  h.sum += value;
  if (value < h.min) h.min = value;
  if (value > h.max) h.max = value;
  if (value <= MIN_POSITIVE) h.zero += 1;
  else {
    const i = bucketIndex(value);
    h.b[i] = (h.b[i] ?? 0) + 1;
  }
}

/** Adds `from` into `into` (exact: counts add, min/max combine). */
export function mergeHistogram(into: HistogramData, from: HistogramData): void {
  into.n += from.n;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  into.zero += from.zero;
  for (const [i, c] of Object.entries(from.b)) into.b[i] = (into.b[i] ?? 0) + c;
}

/**
 * The q-quantile (0..1), nearest rank (core/percentile.ts) over the buckets, clamped to the exact min and max.
 * NaN for an empty histogram.
 */
export function quantile(h: HistogramData, q: number): number {
  if (h.n === 0) return NaN;
  if (q <= 0) return h.min;
  if (q >= 1) return h.max;
  const rank = nearestRank(q, h.n);
  let seen = h.zero;
  if (seen >= rank) return Math.max(h.min, Math.min(0, h.max));
  const indexes = Object.keys(h.b).map(Number).sort((a, b) => a - b);
  for (const i of indexes) {
    seen += h.b[i] as number;
    if (seen >= rank) return Math.min(h.max, Math.max(h.min, bucketValue(i)));
  }
  return h.max;
}

export function mean(h: HistogramData): number {
  return h.n === 0 ? NaN : h.sum / h.n;
}

/** JSON has no Infinity: an empty histogram serializes min/max as null. */
export function histogramToJson(h: HistogramData): unknown {
  return { ...h, min: h.n ? h.min : null, max: h.n ? h.max : null };
}

export function histogramFromJson(raw: unknown): HistogramData {
  const r = raw as Partial<Record<keyof HistogramData, unknown>>;
  const num = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`histogram: "${name}" is not a finite number`);
    return v;
  };
  const n = num(r.n, 'n');
  const b: Record<string, number> = {};
  if (typeof r.b !== 'object' || r.b === null) throw new Error('histogram: "b" is not an object');
  for (const [i, c] of Object.entries(r.b as Record<string, unknown>)) {
    if (!/^-?\d+$/.test(i)) throw new Error(`histogram: bucket "${i}" is not an integer index`);
    b[i] = num(c, `b.${i}`);
  }
  return {
    n,
    sum: num(r.sum, 'sum'),
    min: n ? num(r.min, 'min') : Infinity,
    max: n ? num(r.max, 'max') : -Infinity,
    zero: num(r.zero ?? 0, 'zero'),
    b,
  };
}
