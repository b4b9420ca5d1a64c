// k6 (the user's own binary) writes every sample with `--out json=FILE`; this turns that file
// into moshpit's metrics stream, so a k6 run is merged and judged exactly like the default
// engine's. Per-sample tags that would explode cardinality are dropped, as for InfluxDB.
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { StreamAggregator } from '../../../core/metrics-stream/aggregator.js';
import { STREAM_VERSION, type StreamRecord } from '../../../core/metrics-stream/records.js';

/** Unbounded per run: ids in URLs, VU and iteration numbers, free-text errors, addresses. */
const DROPPED_TAGS = new Set(['url', 'vu', 'iter', 'error', 'ip', 'proto', 'tls_version', 'group']);

type K6Kind = 'trend' | 'counter' | 'rate' | 'gauge';

export async function k6JsonToStream(opts: { jsonFile: string; streamFile: string; source: string; runId: string; startedAt: number; endedAt: number | null }): Promise<{ points: number }> {
  const kinds = new Map<string, { kind: K6Kind; time: boolean }>();
  const agg = new StreamAggregator();
  let points = 0;
  const lines = createInterface({ input: createReadStream(opts.jsonFile), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    let rec: { type?: string; metric?: string; data?: { type?: string; contains?: string; time?: string; value?: number; tags?: Record<string, string> | null } };
    try { rec = JSON.parse(line); } catch { continue; } // a torn last line from a killed k6
    const name = rec.metric;
    if (!name || !rec.data) continue;
    if (rec.type === 'Metric') {
      kinds.set(name, { kind: rec.data.type as K6Kind, time: rec.data.contains === 'time' });
      continue;
    }
    if (rec.type !== 'Point' || typeof rec.data.value !== 'number' || !rec.data.time) continue;
    const meta = kinds.get(name);
    if (!meta) continue;
    const at = Date.parse(rec.data.time);
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec.data.tags ?? {})) if (!DROPPED_TAGS.has(k) && typeof v === 'string') tags[k] = v;
    points += 1;
    if (meta.kind === 'trend') agg.trend(at, name, rec.data.value, tags, meta.time);
    else if (meta.kind === 'counter') agg.counter(at, name, rec.data.value, tags);
    else if (meta.kind === 'rate') agg.rate(at, name, rec.data.value !== 0, tags);
    else agg.gauge(at, name, rec.data.value, tags);
  }
  const records: StreamRecord[] = [{ v: STREAM_VERSION, type: 'start', source: opts.source, engine: 'k6', runId: opts.runId, startedAt: opts.startedAt }, ...agg.drain()];
  if (opts.endedAt !== null) records.push({ v: STREAM_VERSION, type: 'end', endedAt: opts.endedAt, info: { points } });
  writeFileSync(opts.streamFile, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { points };
}
