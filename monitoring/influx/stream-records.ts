// A load process's metrics stream (core/metrics-stream/records.ts), shipped to InfluxDB 1.x as
// it is written, so a run whose load processes are elsewhere (Artillery's cloud workers, pods)
// can be judged here, by run id. InfluxDB's usual points are one value per sample, which a
// verdict cannot be rebuilt from exactly; these points carry the mergeable records themselves
// (histograms, sums, counts), so the readback is the stream file, byte for byte, and the
// verdict after readback is the verdict of the local streams.
//
//   measurement  moshpit_stream
//   tags         testid (the run id), source (the process: one per shard and workload), kind
//   kind=start   json: the start record
//   kind=window  t: the window's second, w: its ordinal, n: how many series follow
//   kind=series  json: one series of window w (split in parts when longer than a string field may be)
//   kind=end     json: the end record
//   every point  seq: 0, 1, 2, ... per source (a gap is a lost point: the readback refuses it)
//   time         the stream's start (ms) in ns + seq: unique per source, in write order
import type { StreamRecord } from '../../core/metrics-stream/records.js';
import { escapeMeasurement, escapeTagKey, escapeTagValue, formatFieldValue, int, type FieldValue } from './line-protocol.js';

export const STREAM_MEASUREMENT = 'moshpit_stream';

/** InfluxDB 1.x refuses string fields over 64 KiB; parts stay well under it. */
export const MAX_JSON_CHARS = 32_000;

export type StreamPointKind = 'start' | 'window' | 'series' | 'end';

/** Turns one process's records into line-protocol lines (precision ns), in order. */
export class StreamRecordEncoder {
  private seq = 0;
  private windows = 0;
  private readonly measurement = escapeMeasurement(STREAM_MEASUREMENT);
  /** The tags after `kind` (sorted, as the server keeps them). */
  private readonly tags: string;
  private readonly baseNs: bigint;

  constructor(runId: string, source: string, startedAtMs: number) {
    this.tags = `${escapeTagKey('source')}=${escapeTagValue(source, 'source')},${escapeTagKey('testid')}=${escapeTagValue(runId, 'testid')}`;
    this.baseNs = BigInt(Math.trunc(startedAtMs)) * 1_000_000n;
  }

  lines(records: StreamRecord[]): string[] {
    const out: string[] = [];
    for (const r of records) {
      if (r.type === 'window') {
        const w = this.windows++;
        out.push(this.line('window', { t: int(r.t), w: int(w), n: int(r.series.length) }));
        for (const s of r.series) this.parts(JSON.stringify(s), 'series', out, { w: int(w) });
      } else {
        this.parts(JSON.stringify(r), r.type, out, {});
      }
    }
    return out;
  }

  private parts(json: string, kind: StreamPointKind, out: string[], extra: Record<string, FieldValue>): void {
    const parts = Math.max(1, Math.ceil(json.length / MAX_JSON_CHARS));
    for (let p = 0; p < parts; p++) {
      out.push(this.line(kind, { ...extra, json: json.slice(p * MAX_JSON_CHARS, (p + 1) * MAX_JSON_CHARS), part: int(p), parts: int(parts) }));
    }
  }

  private line(kind: StreamPointKind, fields: Record<string, FieldValue>): string {
    const seq = this.seq++;
    const all: Record<string, FieldValue> = { ...fields, seq: int(seq) };
    const f = Object.entries(all).map(([k, v]) => `${k}=${formatFieldValue(k, v)}`).join(',');
    return `${this.measurement},kind=${kind},${this.tags} ${f} ${this.baseNs + BigInt(seq)}`;
  }
}
