// The metrics stream every load process writes, whatever its engine: JSON lines in
// results/<run-id>/streams/<source>.jsonl. One "start" line, then one "window" line per
// second of samples (mergeable: histograms, sums, counts), then one "end" line when the
// process finished cleanly. moshpit merges any number of these into one verdict.
import type { Tags } from '../load-port.js';
import type { HistogramData } from './histogram.js';

export const STREAM_VERSION = 1;

export type MetricKind = 'trend' | 'counter' | 'rate' | 'gauge';

export type SeriesData =
  | { k: 'trend'; h: HistogramData }
  | { k: 'counter'; sum: number; n: number }
  | { k: 'rate'; trues: number; n: number }
  | { k: 'gauge'; last: number; min: number; max: number };

/** One metric with one tag set over one window. `time`: the trend holds milliseconds. */
export type SeriesRecord = { m: string; tags: Tags; time?: boolean } & SeriesData;

export interface StartRecord {
  v: typeof STREAM_VERSION;
  type: 'start';
  /** Unique per process in the run, e.g. "artillery-entry-s0". */
  source: string;
  engine: 'artillery' | 'k6';
  runId: string;
  /** ms since epoch */
  startedAt: number;
  /** Free-form: workload, shard, schedule (for the report). */
  info?: Record<string, unknown>;
}

export interface WindowRecord {
  v: typeof STREAM_VERSION;
  type: 'window';
  /** Unix second the samples fell in. */
  t: number;
  series: SeriesRecord[];
}

export interface EndRecord {
  v: typeof STREAM_VERSION;
  type: 'end';
  endedAt: number;
  /** What the process itself counted (for the report's "achieved vs scheduled"). */
  info?: Record<string, unknown>;
}

export type StreamRecord = StartRecord | WindowRecord | EndRecord;

/** Stable key of a tag set: sorted k=v pairs. */
export function tagKey(tags: Tags): string {
  return Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`).join(',');
}

/** File name of a source's stream inside results/<run-id>/streams/. */
export function streamFileName(source: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(source)) throw new Error(`stream source "${source}" must be a plain file-name word`);
  return `${source}.jsonl`;
}

