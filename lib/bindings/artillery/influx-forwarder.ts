// Every sample a default-engine load process records also goes to InfluxDB 1.x, written the way
// k6's built-in InfluxDB output writes it, so the dashboards (monitoring/grafana/) read either
// engine's runs with the same queries:
//   measurement  the metric name (http_reqs, moshpit_order_acked_cents, ...)
//   tags         the sample's tags plus the run's (testid, profile, target_kind); the tags k6
//                keeps as fields (K6_TAGS_AS_FIELDS: vu, iter, url, error, ip) become fields
//   field        value: trends as recorded (ms for time trends), rates 1/0, counters the
//                increment, gauges the value
//   time         nanoseconds, like k6 (it sends no precision, so ns): see timestamp() below
// On with MOSHPIT_INFLUX_WRITE (JSON { url, database, tags }), set by the orchestrator
// (monitoring/telemetry/run-telemetry.ts, `engineEnv`). Points are batched and POSTed once a
// second; a write never blocks or fails the load: failures are counted and reported once.
// Artillery terminates its worker without exit handlers, so the processor awaits
// flushAndClose() after the stream's end record (the last planned VU).
import { threadId } from 'node:worker_threads';
import { Agent, request } from 'undici';
import type { Tags } from '../../../core/load-port.js';
import { INFLUX_WRITE_ENV, parseInfluxWrite, type InfluxWriteConfig } from '../../../monitoring/influx/engine-output.js';
import { K6_TAGS_AS_FIELDS } from '../../../monitoring/influx/k6-output.js';
import { escapeMeasurement, escapeTagKey, escapeTagValue, escapeFieldKey, formatFieldValue, int, type FieldValue } from '../../../monitoring/influx/line-protocol.js';

export { INFLUX_WRITE_ENV, parseInfluxWrite, type InfluxWriteConfig };

export type SampleKind = 'trend' | 'counter' | 'rate' | 'gauge';

export interface ForwarderStats {
  /** Points accepted by InfluxDB. */
  written: number;
  /** Points lost: failed or refused writes, lines that could not be encoded, buffer overflow. */
  lost: number;
  failedWrites: number;
  /** Points still buffered or in flight. */
  pending: number;
}

export interface ForwarderOptions {
  /** Milliseconds between writes (k6's K6_INFLUXDB_PUSH_INTERVAL default: 1 s). */
  pushIntervalMs?: number;
  /** Writes in flight at once (k6's K6_INFLUXDB_CONCURRENT_WRITES default: 4). */
  concurrentWrites?: number;
  /** Lines per POST. */
  batchLines?: number;
  /** Points buffered at most while InfluxDB is slow or gone; newer ones are counted as lost. */
  maxBuffered?: number;
  /** Per-write timeout. */
  timeoutMs?: number;
  /** Where the one failure message goes (default: stderr). */
  log?: (line: string) => void;
  /** Names this process in messages (the stream's source). */
  source?: string;
}

/** k6's tags-as-fields with their kinds ("vu:int" -> vu: int). */
const TAG_FIELDS: ReadonlyMap<string, 'int' | 'string'> = new Map(
  K6_TAGS_AS_FIELDS.map((spec) => {
    const [name, kind] = spec.split(':');
    return [name!, kind === 'int' ? 'int' : 'string'] as const;
  }),
);

const ENCODE_CACHE_MAX = 20_000;

const open = new Set<InfluxForwarder>();

export class InfluxForwarder {
  private lines: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightPoints = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly agent = new Agent({ connections: 4, keepAliveTimeout: 10_000 });
  private readonly writeUrl: string;
  private readonly runTags: Array<[string, string]>;
  private readonly encoded = new Map<string, { series: string; fields: string }>();
  /** Per series (line prefix): the last timestamp written, in µs. */
  private readonly lastUs = new Map<string, number>();
  /** Per `vus` series: the highest value so far (written as vus_max). */
  private readonly vusPeak = new Map<string, number>();
  /** Appended to each µs timestamp to make ns: keeps two processes' points of one series apart. */
  private readonly nsSuffix: string;
  private readonly opts: Required<Omit<ForwarderOptions, 'source' | 'log'>> & Pick<ForwarderOptions, 'source'> & { log: (line: string) => void };
  private closing: Promise<void> | null = null;
  private reported = false;
  private readonly counts = { written: 0, lost: 0, failedWrites: 0 };

  constructor(readonly config: InfluxWriteConfig, opts: ForwarderOptions = {}) {
    this.opts = {
      pushIntervalMs: opts.pushIntervalMs ?? 1000,
      concurrentWrites: opts.concurrentWrites ?? 4,
      batchLines: opts.batchLines ?? 10_000,
      maxBuffered: opts.maxBuffered ?? 500_000,
      timeoutMs: opts.timeoutMs ?? 10_000,
      log: opts.log ?? ((line) => process.stderr.write(`${line}\n`)),
      source: opts.source,
    };
    const qs = new URLSearchParams({ db: config.database, precision: 'ns' });
    if (config.username) { qs.set('u', config.username); qs.set('p', config.password ?? ''); }
    this.writeUrl = `${config.url.replace(/\/+$/, '')}/write?${qs}`;
    this.runTags = Object.entries(config.tags).filter(([, v]) => v !== '');
    this.nsSuffix = String((process.pid * 7 + threadId) % 1000).padStart(3, '0');
    this.timer = setInterval(() => this.flush(), this.opts.pushIntervalMs);
    this.timer.unref();
    open.add(this);
  }

  /** One sample, as the stream sink received it. Never throws. */
  sample(kind: SampleKind, metric: string, value: number | boolean, tags: Tags): void {
    if (this.closing) return;
    try {
      const v = kind === 'rate' ? (value ? 1 : 0) : Number(value);
      const { series, fields } = this.encode(metric, tags);
      this.push(series, fields, v);
      if (metric === 'vus' && kind === 'gauge') {
        // k6's vus_max is the VUs allocated so far; an Artillery process allocates a VU per
        // arrival, so its equivalent is the peak of `vus` so far (per process).
        const peak = Math.max(this.vusPeak.get(series) ?? 0, v);
        this.vusPeak.set(series, peak);
        this.push(`vus_max${series.slice('vus'.length)}`, fields, peak);
      }
    } catch (err) {
      this.lose(1, `a ${metric} sample could not be encoded: ${(err as Error).message}`);
    }
  }

  /** Lines already encoded (the stream's own records, monitoring/influx/stream-records.ts). */
  pushLines(lines: string[]): void {
    if (this.closing) { this.lose(lines.length, 'stream records after the end'); return; }
    for (const line of lines) {
      if (this.lines.length >= this.opts.maxBuffered) { this.lose(1, `more than ${this.opts.maxBuffered} points waiting for InfluxDB`); continue; }
      this.lines.push(line);
    }
  }

  /**
   * Measurement plus sorted tags (the series), and the tags k6 keeps as fields. Escaping is
   * the costly part and tag sets repeat (they are low-cardinality by design), so encodings are
   * cached by the raw tag set; a cache that grows past its bound starts over.
   */
  private encode(metric: string, tags: Tags): { series: string; fields: string } {
    let key = metric;
    for (const k in tags) key += `\u0001${k}\u0002${tags[k]}`;
    let e = this.encoded.get(key);
    if (!e) {
      if (this.encoded.size >= ENCODE_CACHE_MAX) this.encoded.clear();
      e = this.encodeUncached(metric, tags);
      this.encoded.set(key, e);
    }
    return e;
  }

  private encodeUncached(metric: string, tags: Tags): { series: string; fields: string } {
    const all: Array<[string, string]> = [];
    let fields = '';
    for (const k in tags) {
      const val = tags[k]!;
      if (val === '' || this.config.tags[k] !== undefined) continue;
      const asField = TAG_FIELDS.get(k);
      if (asField) {
        const n = Number(val);
        const fv: FieldValue = asField === 'int' && Number.isSafeInteger(n) && val.trim() !== '' ? int(n) : val;
        fields += `,${escapeFieldKey(k)}=${formatFieldValue(k, fv)}`;
      } else {
        all.push([k, val]);
      }
    }
    all.push(...this.runTags);
    all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let series = escapeMeasurement(metric);
    for (const [k, v] of all) series += `,${escapeTagKey(k)}=${escapeTagValue(v, k)}`;
    return { series, fields };
  }

  private push(series: string, fields: string, value: number): void {
    if (!Number.isFinite(value)) { this.lose(1, `${series.split(',')[0]}: ${value} is not a finite number`); return; }
    if (this.lines.length >= this.opts.maxBuffered) { this.lose(1, `more than ${this.opts.maxBuffered} points waiting for InfluxDB`); return; }
    this.lines.push(`${series} value=${formatFieldValue('value', value)}${fields} ${this.timestamp(series)}`);
  }

  /**
   * Nanoseconds: the wall clock's millisecond, a sub-millisecond part from the monotonic
   * clock, a per-process suffix. InfluxDB keeps one point per series and timestamp, so within
   * this process a series' timestamps strictly increase (a sample in the same µs moves 1 µs on),
   * and the suffix keeps another process's point of the same series from overwriting it.
   */
  private timestamp(series: string): string {
    let us = Date.now() * 1000 + Math.floor((performance.now() % 1) * 1000);
    const last = this.lastUs.get(series);
    if (last !== undefined && us <= last) us = last + 1;
    this.lastUs.set(series, us);
    return `${us}${this.nsSuffix}`;
  }

  /** Sends what is buffered (as many writes as the concurrency allows); returns at once. */
  flush(): void {
    while (this.lines.length && this.inFlight.size < this.opts.concurrentWrites) {
      const batch = this.lines.length <= this.opts.batchLines ? this.lines : this.lines.slice(0, this.opts.batchLines);
      this.lines = batch === this.lines ? [] : this.lines.slice(batch.length);
      this.inFlightPoints += batch.length;
      const p = this.post(batch).finally(() => { this.inFlight.delete(p); this.inFlightPoints -= batch.length; });
      this.inFlight.add(p);
    }
  }

  private async post(batch: string[]): Promise<void> {
    try {
      const res = await request(this.writeUrl, {
        method: 'POST',
        body: batch.join('\n'),
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        dispatcher: this.agent,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const text = await res.body.text();
      if (res.statusCode === 204 || res.statusCode === 200) {
        this.counts.written += batch.length;
        return;
      }
      // 400 "partial write": the rest of the batch was written; either way, count the batch.
      this.counts.failedWrites += 1;
      this.lose(batch.length, `InfluxDB answered ${res.statusCode}: ${errorText(text)}`);
    } catch (err) {
      this.counts.failedWrites += 1;
      const e = err as Error & { code?: string; cause?: { code?: string } };
      this.lose(batch.length, `cannot write to ${this.config.url} (${e.code ?? e.cause?.code ?? e.name}: ${e.message})`);
    }
  }

  private lose(points: number, why: string): void {
    this.counts.lost += points;
    if (this.reported) return;
    this.reported = true;
    this.opts.log(`moshpit${this.opts.source ? ` ${this.opts.source}` : ''}: InfluxDB: ${why}; the load goes on, lost points are counted`);
  }

  stats(): ForwarderStats {
    return { ...this.counts, pending: this.lines.length + this.inFlightPoints };
  }

  /**
   * Stops the timer, sends everything buffered and waits for the writes: at most about one
   * write timeout in all, so a hung InfluxDB cannot hold the process's end (what is left then
   * counts as lost). Idempotent; later samples are ignored.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      const deadline = Date.now() + this.opts.timeoutMs + 1000;
      while ((this.lines.length || this.inFlight.size) && Date.now() < deadline) {
        this.flush();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now())); });
        await Promise.race([...this.inFlight, late]);
        clearTimeout(timer);
      }
      if (this.lines.length) {
        this.lose(this.lines.length, `points still waiting ${this.opts.timeoutMs + 1000} ms after the end`);
        this.lines = [];
      }
      open.delete(this);
      if (this.inFlight.size) {
        // Writes still hanging: aborted, and each counts its points as lost.
        await this.agent.destroy().catch(() => {});
        await Promise.allSettled([...this.inFlight]);
      } else {
        await this.agent.close().catch(() => {});
      }
      if (this.counts.lost) {
        this.opts.log(`moshpit${this.opts.source ? ` ${this.opts.source}` : ''}: InfluxDB: ${this.counts.lost} point(s) not written (${this.counts.failedWrites} failed write(s)), ${this.counts.written} written`);
      }
    })();
    return this.closing;
  }
}

/**
 * The forwarder MOSHPIT_INFLUX_WRITE asks for, or null. A malformed value is reported once and
 * leaves the load running without InfluxDB.
 */
export function influxForwarderFromEnv(env: Record<string, string | undefined> = process.env, opts: ForwarderOptions = {}): InfluxForwarder | null {
  const raw = env[INFLUX_WRITE_ENV];
  if (!raw) return null;
  try {
    return new InfluxForwarder(parseInfluxWrite(raw), opts);
  } catch (err) {
    (opts.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(`moshpit: ${INFLUX_WRITE_ENV} ignored: ${(err as Error).message}`);
    return null;
  }
}

/**
 * Flushes and closes every forwarder of this process (worker). The processor awaits this after
 * the stream sink's end(): Artillery ends the worker when the last VU's function returns.
 */
export async function flushAndClose(): Promise<void> {
  await Promise.all([...open].map((f) => f.close()));
}

function errorText(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: string };
    if (j.error) return j.error;
  } catch { /* not JSON */ }
  return body.trim().slice(0, 300) || '(no message)';
}
