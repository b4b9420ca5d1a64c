// The readback-and-merge path of cloud runs, here with 2 local shards standing in for the
// workers: real Artillery processes ship their metrics streams to a real influxd (the same
// writer as --influx, with `records`), moshpit reads them back by run id, and the verdict
// taken from the readback equals the verdict taken from the local stream files.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStreamText } from '../../core/metrics-stream/merge.js';
import { RUN_DIRS } from '../../core/results-layout.js';
import { PROFILES, SCENARIO_WORKLOADS } from '../../core/profiles.js';
import { applyThresholdOverrides, defaultThresholds } from '../../core/thresholds.js';
import { judgeRun } from '../../cli/pipeline/run-verdict.js';
import { engineInfluxOutput, withStreamRecords } from '../../monitoring/influx/engine-output.js';
import { quoteIdent } from '../../monitoring/influx/influx-client.js';
import { StreamRecordEncoder, STREAM_MEASUREMENT } from '../../monitoring/influx/stream-records.js';
import { readStreamsFromInflux, StreamReadbackError, writeStreams } from '../../monitoring/influx/stream-readback.js';
import { seed } from '../../seed/index.js';
import { useTestDatabase } from '../support/db.js';
import { runEngine, type EngineRun, type TargetUnderTest } from '../support/engine-run.js';
import { RELAXED_LATENCY } from '../support/relaxed-thresholds.js';
import { startTarget, type RunningTarget } from '../support/target.js';
import { startTestInflux, type TestInflux } from './influx-fixture.js';

const work = mkdtempSync(join(tmpdir(), 'mp-readback-'));
const db = await useTestDatabase();
let influx: TestInflux;
let running: RunningTarget;
let target: TargetUnderTest;
let run: EngineRun;

const localStreams = (dir: string) => Object.fromEntries(readdirSync(join(dir, RUN_DIRS.streams)).sort()
  .map((f) => [f, parseStreamText(f, readFileSync(join(dir, RUN_DIRS.streams, f), 'utf8'))]));

beforeAll(async () => {
  influx = await startTestInflux();
  const fixturesDir = join(work, 'fixtures');
  await seed({ databaseUrl: db.url, wallets: 300, fixturesDir });
  running = await startTarget({ databaseUrl: db.url });
  target = { url: running.url, apiKey: running.apiKey, webhookSecret: running.webhookSecret, fixturesDir };
  // The orchestrator's InfluxDB output, plus the stream records: what a cloud worker gets.
  const env = withStreamRecords(engineInfluxOutput(influx.influx.url, { runId: 'readback-test', profile: 'smoke', database: 'k6' }).env);
  run = await runEngine({ engine: 'artillery', scenario: 'concession', kind: 'rest', target, workDir: work, shards: 2, env });
}, 300_000);

afterAll(async () => {
  await running?.stop();
  await influx?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('metrics streams through InfluxDB, by run id', () => {
  it('reads back every shard\'s stream exactly as the process wrote its file', async () => {
    expect(run.loadExit).toBe(0);
    const back = await readStreamsFromInflux(influx.client('k6'), run.runId, 'k6');
    const local = localStreams(run.resultsDir);
    expect(back.map((s) => s.name)).toEqual(Object.keys(local));
    expect(back.some((s) => s.name.endsWith('-s0.jsonl')) && back.some((s) => s.name.endsWith('-s1.jsonl'))).toBe(true);
    for (const s of back) expect(s.records, s.name).toEqual(local[s.name]);
  });

  it('the verdict from the readback equals the verdict from the local streams', async () => {
    const dir = join(work, 'readback', run.runId);
    mkdirSync(dir, { recursive: true });
    writeStreams(dir, await readStreamsFromInflux(influx.client('k6'), run.runId, 'k6'));
    const thresholds = applyThresholdOverrides(defaultThresholds(SCENARIO_WORKLOADS.concession, PROFILES.smoke), RELAXED_LATENCY);
    const info = { runId: run.runId, scenario: 'concession', profile: 'smoke', targetKind: 'rest', targetUrl: target.url };
    const fromInflux = judgeRun({ resultsDir: dir, engine: 'artillery', thresholds, run: info });
    const fromFiles = judgeRun({ resultsDir: run.resultsDir, engine: 'artillery', thresholds, run: info });
    expect(fromInflux.outcomes).toEqual(fromFiles.outcomes);
    expect(fromInflux.thresholdsOk).toBe(fromFiles.thresholdsOk);
    const summary = (d: string) => JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')) as { metrics: unknown };
    expect(summary(dir).metrics).toEqual(summary(run.resultsDir).metrics);
    // Not a vacuous equality: the run has latency samples from both shards.
    const orders = (summary(dir).metrics as Record<string, { values: { count: number } }>).moshpit_order_duration;
    expect(orders?.values.count).toBeGreaterThan(0);
  });

  it('refuses a readback with points missing, and a run with none', async () => {
    const client = influx.client('k6');
    const [first] = await readStreamsFromInflux(client, run.runId, 'k6');
    const source = first!.name.replace(/\.jsonl$/, '');
    await client.queryAll(`DROP SERIES FROM ${quoteIdent(STREAM_MEASUREMENT)} WHERE "testid" = '${run.runId}' AND "source" = '${source}' AND "kind" = 'window'`);
    await expect(readStreamsFromInflux(client, run.runId, 'k6')).rejects.toThrow(new RegExp(`${source}: \\d+ of \\d+ stream points are missing`));
    await expect(readStreamsFromInflux(client, 'no-such-run', 'k6')).rejects.toThrow(StreamReadbackError);
  });
});

describe('StreamRecordEncoder', () => {
  it('splits a series longer than a string field may be into parts, and numbers every point', () => {
    const enc = new StreamRecordEncoder('r1', 'src-s0', 1_700_000_000_000);
    const big = { m: 'x', tags: { k: 'v'.repeat(70_000) }, k: 'counter' as const, sum: 1, n: 1 };
    const lines = enc.lines([
      { v: 1, type: 'start', source: 'src-s0', engine: 'artillery', runId: 'r1', startedAt: 1_700_000_000_000 },
      { v: 1, type: 'window', t: 1_700_000_000, series: [big] },
    ]);
    expect(lines.map((l) => /kind=(\w+)/.exec(l)![1])).toEqual(['start', 'window', 'series', 'series', 'series']);
    expect(lines.map((l) => /seq=(\d+)i/.exec(l)![1])).toEqual(['0', '1', '2', '3', '4']);
    expect(lines[1]).toMatch(/^moshpit_stream,kind=window,source=src-s0,testid=r1 t=1700000000i,w=0i,n=1i,seq=1i 1700000000000000001$/);
    expect(lines[2]).toMatch(/part=0i,parts=3i/);
  });
});
