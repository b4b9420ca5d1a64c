// The writer/reader against a real influxd: escaping round trips, field types, ms timestamps,
// batching, the server's own error messages, annotations and a run's verdict points.
import { MEASUREMENTS } from '../../core/metric-names.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grafanaAnnotationQuery, writeAnnotations } from '../../monitoring/influx/annotations.js';
import { InfluxClient, InfluxError, quoteString, rows } from '../../monitoring/influx/influx-client.js';
import { int } from '../../monitoring/influx/line-protocol.js';
import { RemoteInfluxRefused } from '../../monitoring/influx/loopback.js';
import { writeRunOutcome } from '../../monitoring/influx/run-points.js';
import type { CheckerResult } from '../../validate/types.js';
import { startTestInflux, type TestInflux } from './influx-fixture.js';

let t: TestInflux;
let db: InfluxClient;
beforeAll(async () => {
  t = await startTestInflux();
  db = t.client('moshpit');
}, 300_000);
afterAll(async () => {
  await t?.stop();
});

const T0 = 1_750_000_000_000;

describe('InfluxClient against influxd', () => {
  it('ping reports the server version', async () => {
    expect((await db.ping()).version).toMatch(/^1\./);
  });

  it('round-trips awkward names, tags and strings exactly', async () => {
    const tags = { 'k ey,=': 'v a,l=ue', path: 'C:\\dir\\x', mid: 'e\\,f', uni: 'héllo ☃ 🎪' };
    const text = 'say "hi" \\ back\\\\slash\nline two';
    await db.write([{ measurement: 'odd m,x', tags, fields: { 'f k=,': 'x', text }, time: T0 }]);
    const [series] = await db.query('SELECT * FROM "odd m,x"');
    const [row] = rows(series ? [series] : []);
    expect(row).toEqual({ time: T0, ...tags, 'f k=,': 'x', text });
    const tagKeys = (await db.query('SHOW TAG KEYS FROM "odd m,x"'))[0]!.values.flat();
    expect(tagKeys.sort()).toEqual(Object.keys(tags).sort());
  });

  it('stores int() as integer and numbers as float, with ms timestamps', async () => {
    await db.write([
      { measurement: 'types', fields: { i: int(7), f: 7, b: true, s: 's' }, time: new Date(T0 + 1) },
      { measurement: 'types', fields: { i: int(-2), f: 0.25, b: false, s: 't' }, time: T0 + 2 },
    ]);
    const kinds = Object.fromEntries((await db.query('SHOW FIELD KEYS FROM types'))[0]!.values as [string, string][]);
    expect(kinds).toEqual({ i: 'integer', f: 'float', b: 'boolean', s: 'string' });
    const got = rows(await db.query('SELECT i, f, b, s FROM types'));
    expect(got).toEqual([
      { time: T0 + 1, i: 7, f: 7, b: true, s: 's' },
      { time: T0 + 2, i: -2, f: 0.25, b: false, s: 't' },
    ]);
  });

  it('writes in batches and binds query parameters', async () => {
    const small = new InfluxClient({ url: t.influx.url, database: 'moshpit', batchSize: 3 });
    const points = Array.from({ length: 10 }, (_, i) => ({ measurement: 'batched', tags: { run_id: i % 2 ? 'odd' : 'even' }, fields: { n: int(i) }, time: T0 + i }));
    await small.write(points);
    expect(rows(await db.query('SELECT count(n) FROM batched'))[0]!.count).toBe(10);
    const odd = await db.query('SELECT sum(n) FROM batched WHERE run_id = $run', { params: { run: 'odd' } });
    expect(rows(odd)[0]!.sum).toBe(1 + 3 + 5 + 7 + 9);
    expect(rows(await db.query(`SELECT count(n) FROM batched WHERE run_id = ${quoteString("ev'en")}`))).toEqual([]);
  });

  it("surfaces the server's message on write and query errors", async () => {
    await db.write([{ measurement: 'conflict', fields: { v: 1 }, time: T0 }]);
    const typeClash = db.write([{ measurement: 'conflict', fields: { v: 'text' }, time: T0 + 1 }]);
    await expect(typeClash).rejects.toThrow(InfluxError);
    await expect(typeClash).rejects.toThrow(/field type conflict/);
    await expect(db.write([{ measurement: 'm', fields: { v: 1 } }], { database: 'no_such_db' })).rejects.toThrow(/database not found/);
    const badQuery = db.query('SELEKT nonsense');
    await expect(badQuery).rejects.toMatchObject({ status: 400 });
    await expect(badQuery).rejects.toThrow(/error parsing query/);
    await expect(db.query('SELECT * FROM m', { database: 'no_such_db' })).rejects.toThrow(/database not found/);
  });

  it('refuses non-loopback URLs before any traffic, and says so when nothing listens', async () => {
    expect(() => new InfluxClient({ url: 'http://192.0.2.10:8086', env: {} })).toThrow(RemoteInfluxRefused);
    const dead = new InfluxClient({ url: 'http://127.0.0.1:9', timeoutMs: 2000 });
    await expect(dead.ping()).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe('annotations and run points', () => {
  it('writes annotations Grafana can query, keeping same-millisecond ones apart', async () => {
    await writeAnnotations(db, [
      { runId: 'run-a', kind: 'phase', title: 'ramp', text: 'ramp to 50 VUs', start: T0, end: T0 + 30_000 },
      { runId: 'run-a', kind: 'chaos', title: 'db latency +200ms', start: T0 + 10_000, end: T0 + 20_000, tags: { fault: 'db-latency' } },
      { runId: 'run-a', kind: 'chaos', title: 'target restart', start: T0 + 10_000 }, // other series (no fault tag)
      { runId: 'run-a', kind: 'phase', title: 'hold', start: T0 + 30_000 },
      { runId: 'run-a', kind: 'phase', title: 'soak', start: T0 + 30_000 }, // same series and ms as 'hold'
      { runId: 'run-b', kind: 'phase', title: 'other run', start: T0 },
    ]);
    const q = grafanaAnnotationQuery('run-a').replace('$timeFilter', `time >= ${T0}ms AND time <= ${T0 + 60_000}ms`);
    const got = rows(await db.query(q));
    expect(got).toEqual([
      { time: T0, title: 'ramp', text: 'ramp to 50 VUs', end_ms: T0 + 30_000, kind: 'phase' },
      { time: T0 + 10_000, title: 'db latency +200ms', text: 'db latency +200ms', end_ms: T0 + 20_000, kind: 'chaos' },
      { time: T0 + 10_000, title: 'target restart', text: 'target restart', end_ms: null, kind: 'chaos' },
      { time: T0 + 30_000, title: 'hold', text: 'hold', end_ms: null, kind: 'phase' },
      { time: T0 + 30_001, title: 'soak', text: 'soak', end_ms: null, kind: 'phase' },
    ]);
    const kinds = Object.fromEntries((await db.query(`SHOW FIELD KEYS FROM ${MEASUREMENTS.annotations}`))[0]!.values as [string, string][]);
    expect(kinds).toEqual({ title: 'string', text: 'string', end_ms: 'integer' });
    const tagKeys = (await db.query(`SHOW TAG KEYS FROM ${MEASUREMENTS.annotations}`))[0]!.values.flat();
    expect(tagKeys).toEqual(['fault', 'kind', 'run_id']);
  });

  it("writes a run's verdict, one point per checker, and a verdict annotation", async () => {
    const checker = (name: string, violations: number, extra: Partial<CheckerResult> = {}): CheckerResult => ({
      name, anomaly: `${name}-anomaly`, description: name, ok: violations === 0 && !extra.error, violations, witnesses: [], durationMs: 12.5, ...extra,
    });
    await writeRunOutcome(db, {
      runId: 'run-v', scenario: 'concession', profile: 'smoke', verdict: 'failed', at: T0 + 5, k6Exit: 0, exitCode: 3,
      checkers: [checker('ledger-sum', 0), checker('no-negative-balance', 2), checker('order-fee-split', 0, { error: 'timeout' }), checker('entry-count', 0, { skipped: 'no summary.json' })],
    });
    const [verdict] = rows(await db.query(`SELECT * FROM ${MEASUREMENTS.verdict} WHERE run_id = $r`, { params: { r: 'run-v' } }));
    expect(verdict).toMatchObject({
      time: T0 + 5, run_id: 'run-v', scenario: 'concession', profile: 'smoke', verdict: 'failed', passed: false,
      checkers: 4, failed_checkers: 2, skipped_checkers: 1, violations: 2, k6_exit: 0, exit_code: 3,
    });
    const checks = rows(await db.query(`SELECT ok, violations, error, skip_reason FROM ${MEASUREMENTS.checks} WHERE run_id = 'run-v' GROUP BY checker`));
    expect(checks.map((c) => [c.checker, c.ok, c.violations, c.error ?? null, c.skip_reason ?? null])).toEqual([
      ['entry-count', true, 0, null, 'no summary.json'],
      ['ledger-sum', true, 0, null, null],
      ['no-negative-balance', false, 2, null, null],
      ['order-fee-split', false, 0, 'timeout', null],
    ]);
    const [note] = rows(await db.query(`SELECT text FROM ${MEASUREMENTS.annotations} WHERE run_id = 'run-v' AND kind = 'verdict'`));
    expect(note!.text).toBe('validation failed: failed: no-negative-balance (2 violations), order-fee-split (error)');
  });
});
