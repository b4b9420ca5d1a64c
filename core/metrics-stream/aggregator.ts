// Collects samples into per-second, per-series aggregates and hands out finished seconds as
// WindowRecords. Pure: the Artillery binding feeds it live, the k6 JSON-output converter
// feeds it after the run; both write what it drains.
import type { Tags } from '../load-port.js';
import { addSample, emptyHistogram, histogramToJson, type HistogramData } from './histogram.js';
import { STREAM_VERSION, tagKey, type SeriesData, type SeriesRecord, type WindowRecord } from './records.js';

type Cell = { m: string; tags: Tags; time?: boolean } & SeriesData;

export class StreamAggregator {
  /** unix second -> series key -> aggregate */
  private readonly seconds = new Map<number, Map<string, Cell>>();

  private cell(second: number, m: string, tags: Tags, make: () => SeriesData, time?: boolean): Cell {
    let sec = this.seconds.get(second);
    if (!sec) this.seconds.set(second, (sec = new Map()));
    const key = `${m}|${tagKey(tags)}`;
    let c = sec.get(key);
    if (!c) {
      c = { m, tags: { ...tags }, ...(time ? { time } : {}), ...make() } as Cell;
      sec.set(key, c);
    }
    return c;
  }

  trend(atMs: number, m: string, value: number, tags: Tags, time = true): void {
    const c = this.cell(Math.floor(atMs / 1000), m, tags, () => ({ k: 'trend', h: emptyHistogram() }), time);
    if (c.k === 'trend') addSample(c.h, value);
  }

  counter(atMs: number, m: string, value: number, tags: Tags): void {
    const c = this.cell(Math.floor(atMs / 1000), m, tags, () => ({ k: 'counter', sum: 0, n: 0 }));
    if (c.k === 'counter') { c.sum += value; c.n += 1; }
  }

  rate(atMs: number, m: string, ok: boolean, tags: Tags): void {
    const c = this.cell(Math.floor(atMs / 1000), m, tags, () => ({ k: 'rate', trues: 0, n: 0 }));
    if (c.k === 'rate') { c.n += 1; if (ok) c.trues += 1; }
  }

  gauge(atMs: number, m: string, value: number, tags: Tags): void {
    const c = this.cell(Math.floor(atMs / 1000), m, tags, () => ({ k: 'gauge', last: value, min: value, max: value }));
    if (c.k === 'gauge') { c.last = value; c.min = Math.min(c.min, value); c.max = Math.max(c.max, value); }
  }

  /** Windows strictly before `beforeSecond` (all of them when omitted), oldest first. */
  drain(beforeSecond = Infinity): WindowRecord[] {
    const out: WindowRecord[] = [];
    for (const t of [...this.seconds.keys()].sort((a, b) => a - b)) {
      if (t >= beforeSecond) break;
      const cells = this.seconds.get(t)!;
      this.seconds.delete(t);
      out.push({ v: STREAM_VERSION, type: 'window', t, series: [...cells.values()].map(toRecord) });
    }
    return out;
  }
}

function toRecord(c: Cell): SeriesRecord {
  if (c.k === 'trend') return { ...c, h: histogramToJson(c.h) as HistogramData };
  return c;
}
