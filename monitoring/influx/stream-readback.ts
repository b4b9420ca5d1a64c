// Reads a run's metrics streams back from InfluxDB (the points stream-records.ts wrote), by
// run id, one stream per source, and checks they are whole: every point from 0 to the last
// seq, every window's series. What comes back is what the processes wrote to their stream
// files, so the verdict (cli/pipeline/run-verdict.ts) reads it exactly as a local run's.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { streamFileName, type SeriesRecord, type StreamRecord } from '../../core/metrics-stream/records.js';
import { RUN_DIRS } from '../../core/results-layout.js';
import { STREAM_MEASUREMENT } from './stream-records.js';
import { quoteIdent, type InfluxClient } from './influx-client.js';

export class StreamReadbackError extends Error {}

export interface ReadbackStream { name: string; records: StreamRecord[] }

interface Row { kind: string; seq: number; json: string | null; t: number | null; w: number | null; n: number | null; part: number | null; parts: number | null }

const PAGE = 10_000;

async function fetchRows(client: InfluxClient, runId: string, database: string): Promise<Map<string, Row[]>> {
  const bySource = new Map<string, Map<number, Row>>();
  for (let offset = 0; ; offset += PAGE) {
    const series = await client.query(
      `SELECT "json", "kind", "seq", "t", "w", "n", "part", "parts" FROM ${quoteIdent(STREAM_MEASUREMENT)} WHERE "testid" = $runId GROUP BY "source" LIMIT ${PAGE} OFFSET ${offset}`,
      { database, params: { runId } },
    );
    let full = false;
    for (const s of series) {
      const source = s.tags?.source ?? '';
      const rows = bySource.get(source) ?? new Map<number, Row>();
      bySource.set(source, rows);
      const col = (name: string) => s.columns.indexOf(name);
      for (const v of s.values) {
        const get = (name: string) => v[col(name)] ?? null;
        const row: Row = {
          kind: String(get('kind')), seq: Number(get('seq')), json: get('json') as string | null,
          t: get('t') as number | null, w: get('w') as number | null, n: get('n') as number | null,
          part: get('part') as number | null, parts: get('parts') as number | null,
        };
        rows.set(row.seq, row);
      }
      if (s.values.length === PAGE) full = true;
    }
    if (!full) break;
  }
  return new Map([...bySource].map(([source, rows]) => [source, [...rows.values()].sort((a, b) => a.seq - b.seq)]));
}

/** One source's points back into its records; throws on anything missing. */
function rebuild(source: string, rows: Row[]): StreamRecord[] {
  const last = rows.at(-1)?.seq ?? -1;
  if (rows.length !== last + 1) throw new StreamReadbackError(`${source}: ${last + 1 - rows.length} of ${last + 1} stream points are missing in InfluxDB (lost writes)`);
  const records: StreamRecord[] = [];
  let i = 0;
  // Joins the parts of one JSON text starting at rows[i].
  const whole = (): string => {
    const first = rows[i]!;
    const parts = first.parts ?? 1;
    let json = '';
    for (let p = 0; p < parts; p++, i++) {
      const r = rows[i];
      if (!r || r.part !== p || r.kind !== first.kind) throw new StreamReadbackError(`${source}: point ${first.seq} has ${parts} parts, part ${p} is missing`);
      json += r.json ?? '';
    }
    return json;
  };
  while (i < rows.length) {
    const r = rows[i]!;
    if (r.kind === 'window') {
      i += 1;
      const series: SeriesRecord[] = [];
      for (let k = 0; k < (r.n ?? 0); k++) {
        if (rows[i]?.kind !== 'series' || rows[i]?.w !== r.w) throw new StreamReadbackError(`${source}: window ${r.w} (second ${r.t}) should hold ${r.n} series, found ${k}`);
        series.push(JSON.parse(whole()) as SeriesRecord);
      }
      records.push({ v: 1, type: 'window', t: Number(r.t), series });
    } else if (r.kind === 'start' || r.kind === 'end') {
      records.push(JSON.parse(whole()) as StreamRecord);
    } else {
      throw new StreamReadbackError(`${source}: unexpected ${r.kind} point at seq ${r.seq}`);
    }
  }
  if (records[0]?.type !== 'start') throw new StreamReadbackError(`${source}: no start record`);
  return records;
}

/** Every stream of the run in InfluxDB (database `database`), by source; throws when none is there. */
export async function readStreamsFromInflux(client: InfluxClient, runId: string, database = 'k6'): Promise<ReadbackStream[]> {
  const bySource = await fetchRows(client, runId, database);
  if (bySource.size === 0) throw new StreamReadbackError(`no ${STREAM_MEASUREMENT} points for run ${runId} in InfluxDB database ${database}: the load processes did not ship their streams`);
  return [...bySource].sort(([a], [b]) => a.localeCompare(b)).map(([source, rows]) => ({ name: streamFileName(source), records: rebuild(source, rows) }));
}

/** Writes the streams where a local run's processes write theirs: results/<run-id>/streams/. */
export function writeStreams(resultsDir: string, streams: ReadbackStream[]): string[] {
  const dir = join(resultsDir, RUN_DIRS.streams);
  mkdirSync(dir, { recursive: true });
  return streams.map((s) => {
    const file = join(dir, s.name);
    writeFileSync(file, s.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    return file;
  });
}
