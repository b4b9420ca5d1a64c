// The default engine's samples reach a real influxd the way k6's built-in InfluxDB output
// wrote them: the Artillery port and stream sink of a load process, driven here in the test
// process against a loopback target, with the forwarder configured exactly as the orchestrator
// configures it (engineInfluxOutput -> MOSHPIT_INFLUX_WRITE). Checked: measurement names, run
// tags, k6's tags-as-fields, values, and that InfluxDB holds the same totals as the stream.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeStreams, parseStreamText } from '../../core/metrics-stream/merge.js';
import type { HttpRequest } from '../../core/load-port.js';
import { flushAndClose, influxForwarderFromEnv, InfluxForwarder, INFLUX_WRITE_ENV, parseInfluxWrite } from '../../lib/bindings/artillery/influx-forwarder.js';
import { ArtilleryPort } from '../../lib/bindings/artillery/port.js';
import { StreamSink } from '../../lib/bindings/artillery/stream-sink.js';
import { rows } from '../../monitoring/influx/influx-client.js';
import { engineInfluxOutput } from '../../monitoring/influx/engine-output.js';
import { eventually } from '../support/eventually.js';
import { startTestInflux, type TestInflux } from './influx-fixture.js';

let t: TestInflux;
let server: Server;
let targetUrl: string;
let served = 0;
const work = mkdtempSync(join(tmpdir(), 'mp-influx-artillery-'));
const root = resolve(import.meta.dirname, '../..');

beforeAll(async () => {
  server = createServer((req, res) => {
    served++;
    // /v1/entry answers 409 every third call: an expected status for entries (not a failure).
    res.statusCode = req.url === '/v1/entry' && served % 3 === 0 ? 409 : req.url === '/v1/broken' ? 500 : 200;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await startTestInflux();
}, 300_000);

afterAll(async () => {
  await t?.stop();
  await new Promise((r) => server?.close(r));
  rmSync(work, { recursive: true, force: true });
});

const noEvents = { emit: () => {} };
const req = (path: string, op: string, expected: HttpRequest['expected'] = 'success'): HttpRequest => ({
  method: 'POST', url: `${targetUrl}${path}`, body: '{}', headers: { 'content-type': 'application/json' }, timeoutSeconds: 5,
  tags: { op, name: `POST ${path}` }, expected,
});

describe('Artillery process -> InfluxDB (MOSHPIT_INFLUX_WRITE)', () => {
  it('writes every sample as k6 did: measurement, run tags, tags-as-fields, values; same totals as the stream', async () => {
    const runId = `20260101-000000-influx-${process.pid.toString(16).slice(-4).padStart(4, '0')}`;
    const env = engineInfluxOutput(t.influx.url, { runId, profile: 'smoke', database: 'k6', extraTags: { target_kind: 'rest' } }).env;
    const forwarder = influxForwarderFromEnv(env, { pushIntervalMs: 200 });
    expect(forwarder).not.toBeNull();
    const streamFile = join(work, 'streams', 'artillery-entry-s0.jsonl');
    const sink = new StreamSink(streamFile, { source: 'artillery-entry-s0', engine: 'artillery', runId, startedAt: Date.now() }, forwarder);
    const port = new ArtilleryPort(sink, noEvents, { flow: 'entry', scenario: 'entry_door_0' }, {}, { vu: 'artillery-entry-s0-0', iteration: 0, lane: 0 });

    const before = served;
    for (let i = 0; i < 12; i++) await port.request(req('/v1/entry', 'entry', 'entry'));
    await port.batch([req('/v1/wallets', 'wallet_read'), req('/v1/broken', 'order', 'order')]);
    // No answer at all: status 0 and k6's `error` tag, which InfluxDB gets as a field.
    await port.request({ ...req('/v1/entry', 'entry', 'entry'), url: 'http://127.0.0.1:1/v1/entry' });
    for (let i = 0; i < 3; i++) port.counter('moshpit_order_acked_cents', 1250, { op: 'order' });
    port.trend('moshpit_entry_duration', 12.5, { op: 'entry' });
    port.check('entry answered', true);
    port.check('entry answered', false);
    sink.gauge('vus', 3, { scenario: 'entry' });
    sink.gauge('vus', 2, { scenario: 'entry' });
    port.counter('iterations', 1);
    // A burst in one series and one millisecond: each sample stays its own point.
    for (let i = 0; i < 2000; i++) port.counter('moshpit_retries', 1, { op: 'order' });
    sink.end({ arrivals: 1 });
    await flushAndClose();
    expect(forwarder!.stats()).toEqual({ written: expect.any(Number), lost: 0, failedWrites: 0, pending: 0 });
    const requests = served - before + 1;

    const k6db = t.client('k6');
    const one = async (q: string) => rows(await k6db.query(q, { params: { id: runId } }))[0] ?? {};
    expect((await one('SELECT count("value") FROM "http_reqs" WHERE "testid" = $id')).count).toBe(requests);

    const tagKeys = (await k6db.query('SHOW TAG KEYS FROM "http_reqs"'))[0]!.values.flat();
    expect(tagKeys).toEqual(expect.arrayContaining(['testid', 'profile', 'target_kind', 'scenario', 'flow', 'op', 'name', 'method', 'status', 'expected_response']));
    for (const k of ['vu', 'iter', 'url', 'error']) expect(tagKeys).not.toContain(k);
    const fieldKinds = Object.fromEntries((await k6db.query('SHOW FIELD KEYS FROM "http_reqs"'))[0]!.values as [string, string][]);
    expect(fieldKinds).toEqual({ value: 'float', error: 'string' });
    expect(await one(`SELECT "value", "error", "status" FROM "http_reqs" WHERE "testid" = $id AND "error" != ''`)).toMatchObject({ error: 'network_error', status: '0', value: 1 });

    const tags = await one(`SELECT "value", "profile", "target_kind", "flow", "scenario", "name" FROM "moshpit_order_acked_cents" WHERE "testid" = $id LIMIT 1`);
    expect(tags).toMatchObject({ value: 1250, profile: 'smoke', target_kind: 'rest', flow: 'entry', scenario: 'entry_door_0' });
    expect((await one('SELECT sum("value") FROM "moshpit_order_acked_cents" WHERE "testid" = $id')).sum).toBe(3750);
    // Rates are 1/0: the 500 and the missing answer failed; 409 on an entry is expected.
    expect((await one('SELECT sum("value"), count("value") FROM "http_req_failed" WHERE "testid" = $id'))).toMatchObject({ sum: 2, count: requests });
    expect((await one(`SELECT count("value") FROM "http_reqs" WHERE "testid" = $id AND "status" = '409' AND "expected_response" = 'true'`)).count).toBe(4);
    expect((await one('SELECT mean("value") FROM "checks" WHERE "testid" = $id')).mean).toBe(0.5);
    expect(await one(`SELECT "value" FROM "moshpit_entry_duration" WHERE "testid" = $id`)).toMatchObject({ value: 12.5 });
    expect((await one('SELECT count("value") FROM "moshpit_retries" WHERE "testid" = $id')).count).toBe(2000);
    // vus as written; vus_max: the peak so far (k6's "allocated").
    expect(rows(await k6db.query('SELECT "value" FROM "vus" WHERE "testid" = $id', { params: { id: runId } })).map((r) => r.value)).toEqual([3, 2]);
    expect(rows(await k6db.query('SELECT "value" FROM "vus_max" WHERE "testid" = $id', { params: { id: runId } })).map((r) => r.value)).toEqual([3, 3]);

    // The same totals in InfluxDB as in the process's metrics stream, metric by metric.
    const merged = mergeStreams([{ name: 'stream', records: parseStreamText('stream', readFileSync(streamFile, 'utf8')) }]);
    for (const [m, series] of merged.metrics) {
      const got = await one(`SELECT count("value"), sum("value") FROM "${m}" WHERE "testid" = $id`);
      let n = 0;
      let sum = 0;
      for (const s of series) {
        const d = s.data;
        if (d.k === 'trend') { n += d.h.n; sum += d.h.sum; } else if (d.k === 'counter') { n += d.n; sum += d.sum; } else if (d.k === 'rate') { n += d.n; sum += d.trues; } else { n += 1; sum = NaN; }
      }
      if (m === 'vus') continue; // a gauge: the stream keeps one value per second
      expect(got.count, m).toBe(n);
      expect(got.sum as number, m).toBeCloseTo(sum, 6);
    }
    expect([...merged.metrics.keys()]).toEqual(expect.arrayContaining(['http_reqs', 'http_req_duration', 'http_req_failed', 'checks', 'iterations', 'moshpit_order_acked_cents']));
  });

  it('a missing InfluxDB never blocks or fails the load: writes are counted lost and reported once', async () => {
    const lines: string[] = [];
    const f = new InfluxForwarder(parseInfluxWrite(JSON.stringify({ url: 'http://127.0.0.1:1', database: 'k6', tags: { testid: 'x' } })), { pushIntervalMs: 50, log: (l) => lines.push(l), source: 'artillery-test-s0' });
    // sample() is synchronous: the load's loop never waits for the network.
    for (let i = 0; i < 5000; i++) expect(f.sample('counter', 'http_reqs', 1, { op: 'entry' })).toBeUndefined();
    await eventually(() => f.stats().failedWrites, { what: 'a failed push', until: (n) => n >= 1 });
    const closeStarted = performance.now();
    await f.close();
    expect(performance.now() - closeStarted).toBeLessThan(5000);
    expect(f.stats()).toMatchObject({ written: 0, lost: 5000, pending: 0 });
    expect(f.stats().failedWrites).toBeGreaterThanOrEqual(1);
    expect(lines).toHaveLength(2); // the first failure, and the count at the end
    expect(lines[0]).toMatch(/artillery-test-s0: InfluxDB: cannot write to http:\/\/127\.0\.0\.1:1 .*the load goes on/);
    expect(lines[1]).toMatch(/5000 point\(s\) not written/);
    f.sample('counter', 'http_reqs', 1, {}); // after close: ignored, no throw
  });

  it('a hung InfluxDB holds the end of a process for one write timeout at most', async () => {
    const hung = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    try {
      const lines: string[] = [];
      const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
      const f = new InfluxForwarder({ url, database: 'k6', tags: { testid: 'x' } }, { timeoutMs: 500, batchLines: 100, concurrentWrites: 2, log: (l) => lines.push(l) });
      for (let i = 0; i < 1000; i++) f.sample('trend', 'http_req_duration', i, { op: 'entry' });
      const started = performance.now();
      await f.close();
      expect(performance.now() - started).toBeLessThan(3000);
      expect(f.stats()).toMatchObject({ written: 0, lost: 1000, pending: 0 });
      expect(lines).toHaveLength(2);
    } finally {
      hung.closeAllConnections();
      await new Promise((r) => hung.close(r));
    }
  });

  it('a malformed MOSHPIT_INFLUX_WRITE leaves the load running without InfluxDB', () => {
    const lines: string[] = [];
    expect(influxForwarderFromEnv({ [INFLUX_WRITE_ENV]: '{"url":"ftp://x"}' }, { log: (l) => lines.push(l) })).toBeNull();
    expect(lines[0]).toMatch(/MOSHPIT_INFLUX_WRITE ignored: .*url/);
    expect(influxForwarderFromEnv({})).toBeNull();
  });

  it('the processor bundle takes only pure modules from monitoring/ (no client, no report, no pg)', async () => {
    const r = await build({
      absWorkingDir: root, entryPoints: [join(root, 'lib/bindings/artillery/processor.ts')], bundle: true, platform: 'node', format: 'cjs',
      target: 'node20', external: ['undici'], write: false, metafile: true, logLevel: 'silent',
    });
    const fromMonitoring = Object.keys(r.metafile.inputs).map((p) => relative(root, resolve(root, p))).filter((p) => p.startsWith('monitoring/')).sort();
    expect(fromMonitoring).toEqual(['monitoring/influx/engine-output.ts', 'monitoring/influx/k6-output.ts', 'monitoring/influx/line-protocol.ts', 'monitoring/influx/loopback.ts', 'monitoring/influx/stream-records.ts']);
    expect(r.outputFiles[0]!.text).toContain(INFLUX_WRITE_ENV);
  });
});
