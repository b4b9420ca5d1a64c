// One k6 sample into the metrics stream: the per-sample rule both k6 readers share (the
// `--out json` file, cli/pipeline/engine/k6-json-stream.ts, and k6's InfluxDB output read back
// by run id, monitoring/influx/k6-readback.ts), so both give the same stream for the same samples.
import type { StreamAggregator } from './aggregator.js';

export type K6MetricKind = 'trend' | 'counter' | 'rate' | 'gauge';

/** What moshpit knows of a k6 metric: its kind, and for a trend whether it holds times (ms). */
export interface K6MetricType { kind: K6MetricKind; time: boolean }

/** Unbounded per run: ids in URLs, VU and iteration numbers, free-text errors, addresses. */
export const K6_DROPPED_TAGS: ReadonlySet<string> = new Set(['url', 'vu', 'iter', 'error', 'ip', 'proto', 'tls_version', 'group']);

export interface K6Sample { metric: string; atMs: number; value: number; tags: Record<string, unknown> | null | undefined }

/** Adds one sample; tags that would explode cardinality are dropped, as for InfluxDB. */
export function addK6Sample(agg: StreamAggregator, type: K6MetricType, s: K6Sample): void {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.tags ?? {})) if (!K6_DROPPED_TAGS.has(k) && typeof v === 'string') tags[k] = v;
  if (type.kind === 'trend') agg.trend(s.atMs, s.metric, s.value, tags, type.time);
  else if (type.kind === 'counter') agg.counter(s.atMs, s.metric, s.value, tags);
  else if (type.kind === 'rate') agg.rate(s.atMs, s.metric, s.value !== 0, tags);
  else agg.gauge(s.atMs, s.metric, s.value, tags);
}
