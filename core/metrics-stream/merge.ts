// Merges the streams of every load process of a run (any engine, any number of shards) into
// one set of series, whole-run and per second. Exact for counts and sums; percentiles keep
// the histogram's relative accuracy.
import type { Tags } from '../load-port.js';
import { emptyHistogram, histogramFromJson, mergeHistogram, type HistogramData } from './histogram.js';
import { STREAM_VERSION, tagKey, type EndRecord, type MetricKind, type SeriesData, type SeriesRecord, type StartRecord, type StreamRecord, type WindowRecord } from './records.js';

export interface MergedSeries { m: string; tags: Tags; time: boolean; data: SeriesData }

export interface SourceInfo {
  source: string;
  engine: StartRecord['engine'];
  startedAt: number;
  /** null: the stream has no end record (the process died or was stopped mid-run). */
  endedAt: number | null;
  windows: number;
  info: Record<string, unknown>;
  endInfo: Record<string, unknown>;
}

export interface MergedRun {
  runId: string | null;
  sources: SourceInfo[];
  startedAt: number | null;
  endedAt: number | null;
  /** metric name -> series (one per tag set), summed over the whole run */
  metrics: Map<string, MergedSeries[]>;
  /** unix second -> series summed over every source in that second */
  seconds: Map<number, MergedSeries[]>;
}

export class StreamFormatError extends Error {}

function cloneData(d: SeriesData): SeriesData {
  if (d.k === 'trend') { const h = emptyHistogram(); mergeHistogram(h, d.h); return { k: 'trend', h }; }
  return { ...d };
}

function addData(into: SeriesData, from: SeriesData, m: string): void {
  if (into.k !== from.k) throw new StreamFormatError(`metric ${m} is a ${into.k} in one stream and a ${from.k} in another`);
  if (into.k === 'trend' && from.k === 'trend') mergeHistogram(into.h, from.h);
  else if (into.k === 'counter' && from.k === 'counter') { into.sum += from.sum; into.n += from.n; }
  else if (into.k === 'rate' && from.k === 'rate') { into.trues += from.trues; into.n += from.n; }
  else if (into.k === 'gauge' && from.k === 'gauge') { into.last = from.last; into.min = Math.min(into.min, from.min); into.max = Math.max(into.max, from.max); }
}

function parseSeries(raw: SeriesRecord): { m: string; tags: Tags; time: boolean; data: SeriesData } {
  if (typeof raw.m !== 'string' || typeof raw.tags !== 'object' || raw.tags === null) throw new StreamFormatError('series without metric name or tags');
  const data: SeriesData = raw.k === 'trend' ? { k: 'trend', h: histogramFromJson(raw.h) } : (() => {
    const { k } = raw;
    if (k !== 'counter' && k !== 'rate' && k !== 'gauge') throw new StreamFormatError(`series ${String((raw as { m?: unknown }).m)}: unknown kind "${String(k)}"`);
    const { m: _m, tags: _t, time: _time, ...rest } = raw;
    return rest as SeriesData;
  })();
  return { m: raw.m, tags: raw.tags, time: raw.time === true, data };
}

class SeriesTable {
  private readonly map = new Map<string, MergedSeries>();
  add(s: { m: string; tags: Tags; time: boolean; data: SeriesData }): void {
    const key = `${s.m}|${tagKey(s.tags)}`;
    const have = this.map.get(key);
    if (have) addData(have.data, s.data, s.m);
    else this.map.set(key, { m: s.m, tags: s.tags, time: s.time, data: cloneData(s.data) });
  }
  values(): MergedSeries[] { return [...this.map.values()]; }
}

/** Merges parsed streams: each entry is one process's records, in file order. */
export function mergeStreams(streams: Array<{ name: string; records: StreamRecord[] }>): MergedRun {
  const whole = new SeriesTable();
  const perSecond = new Map<number, SeriesTable>();
  const sources: SourceInfo[] = [];
  let runId: string | null = null;
  for (const { name, records } of streams) {
    const start = records[0];
    if (!start || start.type !== 'start') throw new StreamFormatError(`${name}: the first line is not a start record`);
    if (start.v !== STREAM_VERSION) throw new StreamFormatError(`${name}: stream version ${String(start.v)}, moshpit reads ${STREAM_VERSION}`);
    if (runId === null) runId = start.runId;
    else if (start.runId !== runId) throw new StreamFormatError(`${name}: belongs to run ${start.runId}, not ${runId}`);
    let end: EndRecord | null = null;
    let windows = 0;
    for (const r of records.slice(1)) {
      if (r.type === 'end') { end = r; continue; }
      if (r.type !== 'window') throw new StreamFormatError(`${name}: unexpected record type "${(r as { type?: string }).type}"`);
      windows += 1;
      const w = r as WindowRecord;
      let table = perSecond.get(w.t);
      if (!table) perSecond.set(w.t, (table = new SeriesTable()));
      for (const raw of w.series) {
        const s = parseSeries(raw);
        whole.add(s);
        table.add(s);
      }
    }
    sources.push({ source: start.source, engine: start.engine, startedAt: start.startedAt, endedAt: end?.endedAt ?? null, windows, info: start.info ?? {}, endInfo: end?.info ?? {} });
  }
  const metrics = new Map<string, MergedSeries[]>();
  for (const s of whole.values()) {
    const list = metrics.get(s.m);
    if (list) list.push(s); else metrics.set(s.m, [s]);
  }
  const seconds = new Map<number, MergedSeries[]>();
  for (const t of [...perSecond.keys()].sort((a, b) => a - b)) seconds.set(t, perSecond.get(t)!.values());
  const starts = sources.map((s) => s.startedAt);
  const ends = sources.map((s) => s.endedAt ?? s.startedAt);
  const lastSecond = Math.max(...[...seconds.keys()].map((t) => (t + 1) * 1000), ...ends);
  return {
    runId,
    sources,
    startedAt: starts.length ? Math.min(...starts) : null,
    endedAt: sources.length ? lastSecond : null,
    metrics,
    seconds,
  };
}

/** Parses one stream file's text (JSON lines). A torn last line (a killed writer) is dropped. */
export function parseStreamText(name: string, text: string): StreamRecord[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: StreamRecord[] = [];
  lines.forEach((line, i) => {
    try {
      out.push(JSON.parse(line) as StreamRecord);
    } catch (err) {
      if (i === lines.length - 1) return; // the writer was killed mid-line
      throw new StreamFormatError(`${name}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
  });
  return out;
}

// ---- selecting and summarizing -----------------------------------------------------------

/** "name{k:v,k2:v2}" -> name and tag filter (k6's sub-metric syntax). */
export function parseSelector(selector: string): { name: string; tags: Tags } {
  const m = /^([^{}]+?)(?:\{([^{}]*)\})?$/.exec(selector.trim());
  if (!m) throw new Error(`"${selector}" is not a metric or metric{tag:value,...}`);
  const tags: Tags = {};
  for (const part of (m[2] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf(':');
    if (i <= 0) throw new Error(`"${selector}": tag filter "${part}" is not tag:value`);
    tags[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return { name: m[1]!.trim(), tags };
}

/** Sums every series of `name` whose tags include `filter`; null when there is none. */
export function selectSeries(series: MergedSeries[] | undefined, filter: Tags): { kind: MetricKind; time: boolean; data: SeriesData } | null {
  let acc: SeriesData | null = null;
  let time = false;
  for (const s of series ?? []) {
    if (!Object.entries(filter).every(([k, v]) => s.tags[k] === v)) continue;
    if (acc === null) { acc = cloneData(s.data); time = s.time; } else addData(acc, s.data, s.m);
  }
  return acc === null ? null : { kind: acc.k, time, data: acc };
}

export type { HistogramData };
