// Reads k6's raw samples (`--out csv=<run>/k6-samples.gz`, K6_CSV_TIME_FORMAT=unix_milli) and
// aggregates the two per-request series the chaos report needs: http_req_failed (0/1, honours
// each request's expected statuses) and http_req_duration (ms). Per second for recovery times,
// and per chaos phase / fault tag (set by the chaos bundle on every request) to compare error
// rate and latency inside and outside fault windows. Streams: a pilot run has millions of rows.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { MetricSample } from './recovery.js';

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
  /** by chaos tag: steady | fault | recovery (untagged requests, e.g. setup's: 'untagged') */
  byPhase: Record<string, Stat>;
  /** by "<phase>|<fault tag>" */
  byFault: Record<string, Stat>;
  rows: number;
}

/** Splits one CSV line (RFC 4180 quoting, as Go's encoding/csv writes it). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(field); field = ''; }
    else field += c;
  }
  out.push(field);
  return out;
}

/** k6's extra_tags column: "a=1&b=2". */
export function parseExtraTags(raw: string): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!raw) return tags;
  for (const pair of raw.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) tags[decodeURIComponent(pair.slice(0, eq))] = decodeURIComponent(pair.slice(eq + 1));
  }
  return tags;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

class Acc {
  requests = 0;
  failed = 0;
  durations: number[] = [];
  stat(): Stat {
    const d = this.durations.sort((a, b) => a - b);
    return {
      requests: this.requests, failed: this.failed, errorRate: this.requests ? this.failed / this.requests : 0,
      p50Ms: percentile(d, 50), p95Ms: percentile(d, 95), p99Ms: percentile(d, 99), maxMs: d.length ? d[d.length - 1]! : null,
    };
  }
}

function toMs(raw: string): number {
  const n = Number(raw);
  if (/^\d+$/.test(raw)) {
    // unix (s), unix_milli (ms), unix_micro (µs), unix_nano (ns): tell them apart by size
    if (n < 1e11) return n * 1000;
    if (n < 1e14) return n;
    if (n < 1e17) return n / 1e3;
    return n / 1e6;
  }
  return Date.parse(raw); // rfc3339
}

export async function summarizeSamples(file: string, opts: { fromMs?: number } = {}): Promise<SampleSummary> {
  if (!existsSync(file)) throw new Error(`k6 samples file ${file} does not exist`);
  const input = createReadStream(file);
  const lines = createInterface({ input: file.endsWith('.gz') ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  let col: Record<string, number> | null = null;
  const seconds = new Map<number, Acc>();
  const phases = new Map<string, Acc>();
  const faults = new Map<string, Acc>();
  const acc = (m: Map<string | number, Acc>, k: string | number) => {
    let a = m.get(k);
    if (!a) m.set(k, (a = new Acc()));
    return a;
  };
  let rows = 0;
  for await (const line of lines) {
    if (col === null) {
      col = Object.fromEntries(splitCsv(line).map((name, i) => [name, i]));
      for (const need of ['metric_name', 'timestamp', 'metric_value', 'extra_tags']) {
        if (col[need] === undefined) throw new Error(`${file}: no ${need} column in the CSV header`);
      }
      continue;
    }
    const failedRow = line.startsWith('http_req_failed,');
    if (!failedRow && !line.startsWith('http_req_duration,')) continue;
    const f = splitCsv(line);
    const t = toMs(f[col.timestamp!]!);
    if (opts.fromMs !== undefined && t < opts.fromMs) continue;
    rows++;
    const value = Number(f[col.metric_value!]);
    const tags = parseExtraTags(f[col.extra_tags!] ?? '');
    const phase = tags.chaos ?? 'untagged';
    const targets = [acc(seconds as Map<string | number, Acc>, Math.floor(t / 1000)), acc(phases as Map<string | number, Acc>, phase), acc(faults as Map<string | number, Acc>, `${phase}|${tags.fault ?? 'none'}`)];
    for (const a of targets) {
      if (failedRow) {
        a.requests++;
        if (value >= 1) a.failed++;
      } else a.durations.push(value);
    }
  }
  const perSecond: MetricSample[] = [...seconds.entries()].sort((a, b) => a[0] - b[0]).map(([s, a]) => {
    const st = a.stat();
    return { t: (s + 1) * 1000, errorRate: a.requests ? st.errorRate : Number.NaN, p95: st.p95Ms ?? Number.NaN };
  });
  const stats = (m: Map<string, Acc>) => Object.fromEntries([...m.entries()].sort().map(([k, a]) => [k, a.stat()]));
  return { perSecond, byPhase: stats(phases), byFault: stats(faults), rows };
}
