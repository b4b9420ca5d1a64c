// The merged stream's seconds summed into fixed buckets on the run's own clock (bucket 0 starts
// at t0, the instant every load process started its schedule): the latency histogram of every
// request and the HTTP failure rate of each bucket, for the SLO tiers (core/slo-tiers.ts).
import { SLO_SOURCE } from '../thresholds.js';
import { emptyHistogram, mergeHistogram, quantile } from './histogram.js';
import type { MergedRun } from './merge.js';

export interface SloBucket {
  index: number;
  /** ms epoch; the last bucket may be shorter (the run's tail) */
  startMs: number;
  endMs: number;
  /** http_req_duration samples in the bucket */
  requests: number;
  p95: number | null;
  p99: number | null;
  /** http_req_failed over the bucket's requests, the adversarial share left out; null: none */
  errorRate: number | null;
  failed: number;
}

/**
 * Buckets of `bucketSeconds` from t0 (rounded down to its second, the stream's resolution) to
 * the last second with samples. A second before t0 (none in a normal run) counts in bucket 0.
 */
export function sloBuckets(run: MergedRun, t0Ms: number, bucketSeconds: number): SloBucket[] {
  if (!Number.isInteger(bucketSeconds) || bucketSeconds < 1) throw new Error(`SLO bucket must be a whole number of seconds >= 1, got ${bucketSeconds}`);
  const t0s = Math.floor(t0Ms / 1000);
  const seconds = [...run.seconds.keys()];
  if (seconds.length === 0) return [];
  const count = Math.floor((Math.max(...seconds) - t0s) / bucketSeconds) + 1;
  const acc = Array.from({ length: Math.max(0, count) }, () => ({ h: emptyHistogram(), failed: 0, judged: 0 }));
  const { tag, value } = SLO_SOURCE.excludeFromErrors;
  for (const [t, series] of run.seconds) {
    const b = acc[Math.max(0, Math.floor((t - t0s) / bucketSeconds))];
    if (!b) continue;
    for (const s of series) {
      if (s.m === SLO_SOURCE.latency && s.data.k === 'trend') mergeHistogram(b.h, s.data.h);
      else if (s.m === SLO_SOURCE.errors && s.data.k === 'rate' && s.tags[tag] !== value) {
        b.failed += s.data.trues;
        b.judged += s.data.n;
      }
    }
  }
  const lastSecond = Math.max(...seconds);
  return acc.map((b, index) => {
    const start = t0s + index * bucketSeconds;
    return {
      index,
      startMs: start * 1000,
      endMs: Math.min(start + bucketSeconds, lastSecond + 1) * 1000,
      requests: b.h.n,
      p95: b.h.n ? quantile(b.h, 0.95) : null,
      p99: b.h.n ? quantile(b.h, 0.99) : null,
      errorRate: b.judged ? b.failed / b.judged : null,
      failed: b.failed,
    };
  });
}
