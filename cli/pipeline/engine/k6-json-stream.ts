// k6 (the user's own binary) writes every sample with `--out json=FILE`; this turns that file
// into moshpit's metrics stream, so a k6 run is merged and judged exactly like the default
// engine's. The per-sample rule (tags kept, kind dispatch) is core/metrics-stream/k6-samples.ts.
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { StreamAggregator } from '../../../core/metrics-stream/aggregator.js';
import { addK6Sample, type K6MetricKind, type K6MetricType } from '../../../core/metrics-stream/k6-samples.js';
import { STREAM_VERSION, type StreamRecord } from '../../../core/metrics-stream/records.js';

export async function k6JsonToStream(opts: { jsonFile: string; streamFile: string; source: string; runId: string; startedAt: number; endedAt: number | null }): Promise<{ points: number }> {
  const kinds = new Map<string, K6MetricType>();
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
      kinds.set(name, { kind: rec.data.type as K6MetricKind, time: rec.data.contains === 'time' });
      continue;
    }
    if (rec.type !== 'Point' || typeof rec.data.value !== 'number' || !rec.data.time) continue;
    const meta = kinds.get(name);
    if (!meta) continue;
    points += 1;
    addK6Sample(agg, meta, { metric: name, atMs: Date.parse(rec.data.time), value: rec.data.value, tags: rec.data.tags });
  }
  const records: StreamRecord[] = [{ v: STREAM_VERSION, type: 'start', source: opts.source, engine: 'k6', runId: opts.runId, startedAt: opts.startedAt }, ...agg.drain()];
  if (opts.endedAt !== null) records.push({ v: STREAM_VERSION, type: 'end', endedAt: opts.endedAt, info: { points } });
  writeFileSync(opts.streamFile, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { points };
}
