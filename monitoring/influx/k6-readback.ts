// Reads back what k6's own InfluxDB v1 output (`--out influxdb=URL/DB`, the output the
// k6-operator TestRun of `moshpit k8s manifest` configures) wrote for one run, by its testid tag,
// and turns it into moshpit metrics streams, so a k6-operator run is judged on the merge of
// every runner's samples like any other run. k6's format: one measurement per metric name, the
// sample in field `value`, the sample's tags as tags except K6_INFLUXDB_TAGS_AS_FIELDS (k6's
// default vu,iter,url; moshpit's k6-output.ts adds error and ip), which are fields. It carries
// no metric types: the kinds are moshpit's own (its load metrics and k6's built-ins); a metric
// moshpit does not know is listed, never guessed.
import { StreamAggregator } from '../../core/metrics-stream/aggregator.js';
import { addK6Sample, type K6MetricType } from '../../core/metrics-stream/k6-samples.js';
import { STREAM_VERSION, streamFileName, type StreamRecord } from '../../core/metrics-stream/records.js';
import { K6_BUILTIN_METRICS, MEASUREMENTS } from '../../core/metric-names.js';
import { LOAD_METRICS } from '../../lib/metrics.js';
import { quoteIdent, quoteString, type InfluxClient } from './influx-client.js';
import type { ReadbackStream } from './stream-readback.js';
import { STREAM_MEASUREMENT } from './stream-records.js';

/** Nothing of the run is in the database: a wrong run id, database or URL. */
export class NoK6SamplesError extends Error {}

/** The tag that tells runners apart when present: one stream per runner, else one for all. */
export const RUNNER_TAG = 'instance_id';
const SOURCE_PREFIX = 'k6-operator';

/** The k6 metric's type as moshpit knows it; null for a metric moshpit does not know. */
export function k6MetricType(name: string): K6MetricType | null {
  const builtin = K6_BUILTIN_METRICS[name];
  if (builtin) return builtin;
  // moshpit's trends are all times (ms), as the k6 binding declares them (Trend(name, true)).
  const spec = LOAD_METRICS.find((m) => m.name === name);
  return spec ? { kind: spec.kind, time: spec.kind === 'trend' } : null;
}

export interface K6Readback {
  /** One per runner (by instance_id) or one for the run; what results/<run-id>/streams/ gets. */
  streams: ReadbackStream[];
  /** Samples turned into the streams. */
  points: number;
  /** Measurements of the run whose metric moshpit does not know, with their sample counts. */
  unknownMetrics: Array<{ metric: string; points: number }>;
}

/** moshpit's own measurements (stream records, verdict points, annotations) are not k6 samples. */
const OWN_MEASUREMENTS: ReadonlySet<string> = new Set([STREAM_MEASUREMENT, ...Object.values(MEASUREMENTS)]);

function sourceOf(runner: string | undefined): string {
  if (!runner) return SOURCE_PREFIX;
  return `${SOURCE_PREFIX}-${runner.replace(/[^A-Za-z0-9._-]+/g, '_')}`.slice(0, 128);
}

/** Every sample of the run (tag testid = runId), `chunkMs` of run time and `pageSize` rows per query. */
export async function readK6RunFromInflux(client: InfluxClient, runId: string, database: string, opts: { pageSize?: number; chunkMs?: number } = {}): Promise<K6Readback> {
  const page = opts.pageSize ?? 10_000;
  const chunkMs = opts.chunkMs ?? 5 * 60_000;
  // SHOW ... WHERE takes no bound parameters: the run id goes in as a quoted literal.
  const shown = await client.query(`SHOW MEASUREMENTS WHERE ${quoteIdent('testid')} = ${quoteString(runId)}`, { database });
  const measurements = shown.flatMap((s) => s.values.map((v) => String(v[0]))).filter((m) => !OWN_MEASUREMENTS.has(m)).sort();
  if (measurements.length === 0) throw new NoK6SamplesError(`no samples for run id ${runId} in InfluxDB database ${database}: check --run-id (the testid tag of the TestRun from moshpit k8s manifest), --db and the URL`);

  const bySource = new Map<string, { agg: StreamAggregator; first: number; last: number; points: number }>();
  const unknownMetrics: K6Readback['unknownMetrics'] = [];
  let points = 0;
  for (const m of measurements) {
    const type = k6MetricType(m);
    if (!type) {
      const counted = await client.query(`SELECT count("value") FROM ${quoteIdent(m)} WHERE "testid" = $runId`, { database, params: { runId } });
      unknownMetrics.push({ metric: m, points: Number(counted[0]?.values[0]?.[1] ?? 0) });
      continue;
    }
    // SELECT * mixes tags and fields; the tag keys say which columns are tags.
    const tagKeys = new Set((await client.query(`SHOW TAG KEYS FROM ${quoteIdent(m)}`, { database })).flatMap((s) => s.values.map((v) => String(v[0]))));
    // Time chunks, and pages within a chunk: a large run never comes back in one response, and
    // no page pays InfluxDB for skipping more than one chunk's rows (OFFSET scans what it skips).
    const bounds = async (fn: 'first' | 'last') => {
      const r = await client.query(`SELECT ${fn}("value") FROM ${quoteIdent(m)} WHERE "testid" = $runId`, { database, params: { runId } });
      return Number(r[0]?.values[0]?.[0]);
    };
    const [from, to] = [await bounds('first'), await bounds('last')];
    if (!Number.isFinite(from) || !Number.isFinite(to)) continue;
    // from - 1: the bounds come back in whole ms, the samples keep their ns.
    for (let start = from - 1; start <= to; start += chunkMs) {
      for (let offset = 0; ; offset += page) {
        const series = await client.query(
          `SELECT * FROM ${quoteIdent(m)} WHERE "testid" = $runId AND time >= ${start}ms AND time < ${start + chunkMs}ms LIMIT ${page} OFFSET ${offset}`,
          { database, params: { runId } },
        );
        let rowsInPage = 0;
        for (const s of series) {
          const timeCol = s.columns.indexOf('time');
          const valueCol = s.columns.indexOf('value');
          const tagCols = s.columns.map((c, i) => [c, i] as const).filter(([c]) => tagKeys.has(c));
          for (const row of s.values) {
            rowsInPage += 1;
            const value = row[valueCol];
            if (typeof value !== 'number') continue;
            const tags: Record<string, string> = {};
            for (const [c, i] of tagCols) if (typeof row[i] === 'string') tags[c] = row[i] as string;
            const atMs = Number(row[timeCol]);
            const source = sourceOf(tags[RUNNER_TAG]);
            let acc = bySource.get(source);
            if (!acc) bySource.set(source, (acc = { agg: new StreamAggregator(), first: atMs, last: atMs, points: 0 }));
            acc.first = Math.min(acc.first, atMs);
            acc.last = Math.max(acc.last, atMs);
            acc.points += 1;
            points += 1;
            addK6Sample(acc.agg, type, { metric: m, atMs, value, tags });
          }
        }
        if (rowsInPage < page) break;
      }
    }
  }
  if (points === 0) {
    throw new NoK6SamplesError(`no samples of a metric moshpit knows for run id ${runId} in InfluxDB database ${database} (unknown: ${unknownMetrics.map((u) => u.metric).join(', ')})`);
  }
  const streams = [...bySource].sort(([a], [b]) => a.localeCompare(b)).map(([source, acc]): ReadbackStream => {
    const records: StreamRecord[] = [
      { v: STREAM_VERSION, type: 'start', source, engine: 'k6', runId, startedAt: acc.first },
      ...acc.agg.drain(),
      { v: STREAM_VERSION, type: 'end', endedAt: acc.last, info: { points: acc.points } },
    ];
    return { name: streamFileName(source), records };
  });
  return { streams, points, unknownMetrics };
}

/** The verdict's note naming what was left out, or null when every metric was known. */
export function unknownMetricsNote(unknown: K6Readback['unknownMetrics']): string | null {
  if (unknown.length === 0) return null;
  return `metrics moshpit does not know were left out of the verdict (InfluxDB carries no metric types, so their kind is not guessed): ${unknown.map((u) => `${u.metric} (${u.points} samples)`).join(', ')}`;
}
