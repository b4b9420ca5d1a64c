// The k6-operator verdict path: two k6 runners' samples written into a real influxd exactly as
// k6's InfluxDB v1 output writes them (measurement = metric name, field `value`, the sample's tags
// as tags, vu/iter/url/error/ip as fields, ns timestamps, testid + instance_id on every point),
// read back by run id, merged, judged, and validated once by `moshpit verdict`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../core/exit-codes.js';
import { parseStreamText } from '../../core/metrics-stream/merge.js';
import { tagKey, type StreamRecord } from '../../core/metrics-stream/records.js';
import { ENGINE_METRICS, latencyMetric, METRICS } from '../../core/metric-names.js';
import { PROFILES, SCENARIO_WORKLOADS } from '../../core/profiles.js';
import { RUN_DIRS, RUN_FILES } from '../../core/results-layout.js';
import { newRunId } from '../../core/run-id.js';
import { defaultThresholds, type Thresholds } from '../../core/thresholds.js';
import { k6JsonToStream } from '../../cli/pipeline/engine/k6-json-stream.js';
import { judgeRun } from '../../cli/pipeline/run-verdict.js';
import { int, toLine, type FieldValue } from '../../monitoring/influx/line-protocol.js';
import { NoK6SamplesError, readK6RunFromInflux, unknownMetricsNote } from '../../monitoring/influx/k6-readback.js';
import { writeStreams } from '../../monitoring/influx/stream-readback.js';
import { seed } from '../../seed/index.js';
import { projectRoot } from '../../stack/paths.js';
import { useTestDatabase } from '../support/db.js';
import { startTestInflux, type TestInflux } from './influx-fixture.js';

const DB = 'k6';
const RUNNERS = 2;
const ITERATIONS = 20;
const FLOW_ERRORS_PER_RUNNER = 6;
const UNKNOWN = 'k6_custom_unknown_metric';

interface Sample { metric: string; type: 'counter' | 'trend' | 'rate' | 'gauge'; contains: 'default' | 'time' | 'data'; atMs: number; value: number; tags: Record<string, string>; vu: number; iter: number; url?: string }

/** One runner's samples: what one k6 runner pod would emit for ITERATIONS order iterations. */
function runnerSamples(runId: string, runner: number, t0: number): Sample[] {
  const out: Sample[] = [];
  const run = { testid: runId, instance_id: `runner-${runner}`, profile: 'smoke', scenario: 'concession' };
  for (let k = 0; k < ITERATIONS; k++) {
    const at = t0 + runner * 3 + k * 150;
    const vu = 1 + (k % 5);
    const http = { ...run, name: 'POST /orders', method: 'POST', status: k % 10 === 9 ? '503' : '201', expected_response: k % 10 === 9 ? 'false' : 'true', group: '', proto: 'HTTP/1.1' };
    const url = `http://127.0.0.1:3000/orders?wallet=w-${runner}-${k}`;
    const s = (metric: string, type: Sample['type'], contains: Sample['contains'], value: number, tags: Record<string, string>, dt = 0, withUrl = false): void => {
      out.push({ metric, type, contains, atMs: at + dt, value, tags, vu, iter: k, ...(withUrl ? { url } : {}) });
    };
    s(ENGINE_METRICS.httpReqs, 'counter', 'default', 1, http, 0, true);
    s(ENGINE_METRICS.httpReqDuration, 'trend', 'time', 20 + (k % 7) * 10 + runner * 5, http, 0, true);
    s('http_req_waiting', 'trend', 'time', 15 + (k % 7) * 10, http, 0, true);
    s(ENGINE_METRICS.httpReqFailed, 'rate', 'default', k % 10 === 9 ? 1 : 0, http, 0, true);
    s(ENGINE_METRICS.checks, 'rate', 'default', k % 10 === 9 ? 0 : 1, { ...run, check: 'order acked', group: '' }, 1);
    s(latencyMetric('order'), 'trend', 'time', 25 + (k % 7) * 10, { ...run, op: 'order', group: '' }, 1);
    s('data_sent', 'counter', 'data', 300 + k, { ...run, group: '' }, 2);
    s(ENGINE_METRICS.iterations, 'counter', 'default', 1, { ...run, group: '' }, 3);
    s('iteration_duration', 'trend', 'time', 40 + k, { ...run, group: '' }, 3);
    s('vus', 'gauge', 'default', vu, run, 4);
    if (k < FLOW_ERRORS_PER_RUNNER) s(METRICS.flowErrors, 'counter', 'default', 1, { ...run, reason: 'unexpected_status', group: '' }, 5);
    s(UNKNOWN, 'counter', 'default', 1, { ...run, group: '' }, 6);
  }
  return out;
}

/** k6's InfluxDB v1 line for a sample: tags minus the tags-as-fields, which are fields. */
function k6Line(s: Sample): string {
  const tags: Record<string, string> = Object.fromEntries(Object.entries(s.tags).filter(([, v]) => v !== ''));
  const fields: Record<string, FieldValue> = { value: s.value, vu: int(s.vu), iter: int(s.iter) };
  if (s.url) fields.url = s.url;
  return `${toLine({ measurement: s.metric, tags, fields })} ${BigInt(s.atMs) * 1_000_000n}`;
}

/** k6's `--out json` lines for the same samples (Metric declarations, then Points). */
function k6Json(samples: Sample[]): string {
  const declared = new Map<string, Sample>();
  for (const s of samples) if (!declared.has(s.metric)) declared.set(s.metric, s);
  const lines = [...declared.values()].map((s) => ({ type: 'Metric', metric: s.metric, data: { name: s.metric, type: s.type, contains: s.contains, thresholds: [], submetrics: null } }));
  const points = samples.map((s) => ({ type: 'Point', metric: s.metric, data: { time: new Date(s.atMs).toISOString(), value: s.value, tags: { ...s.tags, vu: String(s.vu), iter: String(s.iter), ...(s.url ? { url: s.url } : {}) } } }));
  return [...lines, ...points].map((l) => JSON.stringify(l)).join('\n') + '\n';
}

async function writeK6Points(influx: TestInflux, lines: string[]): Promise<void> {
  // As k6 does: POST /write with nanosecond timestamps, in batches.
  for (let i = 0; i < lines.length; i += 500) {
    const res = await fetch(`${influx.influx.url}/write?db=${DB}&precision=ns`, { method: 'POST', body: lines.slice(i, i + 500).join('\n') });
    expect(res.status, await res.text()).toBe(204);
  }
}

/** Window series in a stable order: the two readers meet samples in different orders. */
function normalized(records: StreamRecord[]): StreamRecord[] {
  return records.map((r) => (r.type === 'window' ? { ...r, series: [...r.series].sort((a, b) => `${a.m}|${tagKey(a.tags)}`.localeCompare(`${b.m}|${tagKey(b.tags)}`)) } : r));
}

const THRESHOLDS: Thresholds = {
  [ENGINE_METRICS.httpReqDuration]: ['p(95)<500'],
  [ENGINE_METRICS.httpReqFailed]: ['rate<0.2'],
  [ENGINE_METRICS.checks]: ['rate>0.8'],
  [latencyMetric('order')]: ['p(95)<1000'],
  // Counts: each runner alone passes (6 and 20), the run does not (12 and 40).
  [METRICS.flowErrors]: ['count<10'],
  [ENGINE_METRICS.httpReqs]: ['count<30'],
};

const work = mkdtempSync(join(tmpdir(), 'mp-k6-readback-'));
const db = await useTestDatabase();
let influx: TestInflux;
const runId = newRunId('concession');
const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
const samples = Array.from({ length: RUNNERS }, (_, r) => runnerSamples(runId, r, t0));
const known = (list: Sample[]) => list.filter((s) => s.metric !== UNKNOWN);
const info = { runId, scenario: 'concession', profile: 'smoke', targetKind: 'rest', targetUrl: 'http://127.0.0.1:3000' };

beforeAll(async () => {
  influx = await startTestInflux();
  await influx.client().createDatabase(DB);
  await writeK6Points(influx, samples.flat().map(k6Line));
  // Another run in the same database: must not leak into this one.
  await writeK6Points(influx, runnerSamples('20260101-000000-concession-beef', 0, t0).map(k6Line));
  await seed({ databaseUrl: db.url, wallets: 50, fixturesDir: join(work, 'fixtures') });
}, 180_000);

afterAll(async () => {
  await influx?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('k6 InfluxDB output read back by run id', () => {
  it('gives, per runner, the stream the k6 JSON path gives for the same samples', async () => {
    const back = await readK6RunFromInflux(influx.client(DB), runId, DB, { pageSize: 5, chunkMs: 1000 }); // small chunks and pages: both are exercised
    expect(back.streams.map((s) => s.name)).toEqual(['k6-operator-runner-0.jsonl', 'k6-operator-runner-1.jsonl']);
    expect(back.points).toBe(known(samples.flat()).length);
    for (let r = 0; r < RUNNERS; r++) {
      const mine = known(samples[r]!);
      const jsonFile = join(work, `runner-${r}.json`);
      const streamFile = join(work, `runner-${r}.jsonl`);
      writeFileSync(jsonFile, k6Json(mine));
      const startedAt = Math.min(...mine.map((s) => s.atMs));
      const endedAt = Math.max(...mine.map((s) => s.atMs));
      await k6JsonToStream({ jsonFile, streamFile, source: `k6-operator-runner-${r}`, runId, startedAt, endedAt });
      const fromJson = parseStreamText(streamFile, readFileSync(streamFile, 'utf8'));
      expect(normalized(back.streams[r]!.records)).toEqual(normalized(fromJson));
    }
  });

  it('the global verdict equals the JSON path\'s, and fails counts that every runner alone passes', async () => {
    const back = await readK6RunFromInflux(influx.client(DB), runId, DB);
    const fromInflux = join(work, 'influx', runId);
    mkdirSync(fromInflux, { recursive: true });
    writeStreams(fromInflux, back.streams);
    const fromJson = join(work, 'json', runId);
    mkdirSync(join(fromJson, RUN_DIRS.streams), { recursive: true });
    for (let r = 0; r < RUNNERS; r++) {
      const mine = known(samples[r]!);
      writeFileSync(join(work, `j${r}.json`), k6Json(mine));
      await k6JsonToStream({ jsonFile: join(work, `j${r}.json`), streamFile: join(fromJson, RUN_DIRS.streams, `k6-operator-runner-${r}.jsonl`), source: `k6-operator-runner-${r}`, runId, startedAt: Math.min(...mine.map((s) => s.atMs)), endedAt: Math.max(...mine.map((s) => s.atMs)) });
    }
    const a = judgeRun({ resultsDir: fromInflux, engine: 'k6', thresholds: THRESHOLDS, run: info });
    const b = judgeRun({ resultsDir: fromJson, engine: 'k6', thresholds: THRESHOLDS, run: info });
    expect(a.outcomes).toEqual(b.outcomes);
    const metrics = (d: string) => (JSON.parse(readFileSync(join(d, RUN_FILES.summary), 'utf8')) as { metrics: Record<string, unknown> }).metrics;
    expect(metrics(fromInflux)).toEqual(metrics(fromJson));
    // The other run's samples stayed out: 2 runners x 20 requests.
    expect((metrics(fromInflux)[ENGINE_METRICS.httpReqs] as { values: { count: number } }).values.count).toBe(RUNNERS * ITERATIONS);

    const failed = (v: typeof a) => v.outcomes.filter((o) => !o.ok).map((o) => o.selector).sort();
    expect(a.thresholdsOk).toBe(false);
    expect(failed(a)).toEqual([ENGINE_METRICS.httpReqs, METRICS.flowErrors].sort());
    // Each runner judged alone (what k6-operator's per-pod thresholds see) passes.
    for (const s of back.streams) {
      const alone = join(work, 'alone', s.name);
      mkdirSync(alone, { recursive: true });
      writeStreams(alone, [s]);
      const v = judgeRun({ resultsDir: alone, engine: 'k6', thresholds: THRESHOLDS, run: info });
      expect(v.outcomes.filter((o) => !o.ok), s.name).toEqual([]);
    }
  });

  it('lists metrics it does not know instead of guessing their kind', async () => {
    const back = await readK6RunFromInflux(influx.client(DB), runId, DB);
    expect(back.unknownMetrics).toEqual([{ metric: UNKNOWN, points: RUNNERS * ITERATIONS }]);
    const note = unknownMetricsNote(back.unknownMetrics)!;
    expect(note).toContain(`${UNKNOWN} (${RUNNERS * ITERATIONS} samples)`);
    const dir = join(work, 'notes', runId);
    mkdirSync(dir, { recursive: true });
    writeStreams(dir, back.streams);
    const v = judgeRun({ resultsDir: dir, engine: 'k6', thresholds: THRESHOLDS, run: info, notes: [note] });
    expect(v.notes).toContain(note);
    expect(readFileSync(join(dir, RUN_FILES.summaryMarkdown), 'utf8')).toContain(UNKNOWN);
  });

  it('a run id with no samples is a clear error', async () => {
    await expect(readK6RunFromInflux(influx.client(DB), '20260101-000000-concession-0000', DB)).rejects.toThrow(NoK6SamplesError);
    await expect(readK6RunFromInflux(influx.client(DB), '20260101-000000-concession-0000', DB)).rejects.toThrow(/no samples for run id 20260101-000000-concession-0000/);
  });
});

describe('moshpit verdict --from-influx (the command, against a seeded database)', () => {
  const results = join(work, 'results');
  // Every default threshold of the scenario off (the synthetic run has no money writes), then ours.
  const only = (t: Thresholds) => JSON.stringify({ ...Object.fromEntries(Object.keys(defaultThresholds(SCENARIO_WORKLOADS.concession, PROFILES.smoke)).map((k) => [k, null])), ...t });
  const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'verdict', ...args], {
    cwd: projectRoot, encoding: 'utf8', env: { ...process.env, MOSHPIT_RESULTS_DIR: results, DATABASE_URL: '', THRESHOLDS_JSON: '', MOSHPIT_SLO_POLICY: '', MOSHPIT_SLO_BUCKET_SECONDS: '', CI: '', ...env },
  });
  const base = () => ['--from-influx', influx.influx.url, '--db', DB, '--run-id', runId, '--profile', 'smoke', '--database-url', db.url];
  const validationRuns = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('moshpit validation:')).length;

  it('exits 99 when the merged run breaches a count every runner passes; validation still runs, once', () => {
    const r = cli(base(), { THRESHOLDS_JSON: only({ [METRICS.flowErrors]: ['count<10'] }), MOSHPIT_SLO_POLICY: 'report' }); // the 99 is the count's
    expect(r.status, r.stderr).toBe(EXIT.thresholds);
    expect(existsSync(join(results, runId, RUN_DIRS.streams, 'k6-operator-runner-0.jsonl'))).toBe(true);
    expect(existsSync(join(results, runId, RUN_DIRS.streams, 'k6-operator-runner-1.jsonl'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(results, runId, RUN_FILES.summary), 'utf8')) as { moshpit: { thresholds: Array<{ selector: string; ok: boolean; observed: number }>; notes: string[] } };
    expect(summary.moshpit.thresholds).toEqual([expect.objectContaining({ selector: METRICS.flowErrors, ok: false, observed: RUNNERS * FLOW_ERRORS_PER_RUNNER })]);
    expect(summary.moshpit.notes.join('\n')).toContain(UNKNOWN);
    expect(existsSync(join(results, runId, RUN_FILES.junit))).toBe(true);
    expect(existsSync(join(results, runId, RUN_FILES.validation))).toBe(true);
    expect(validationRuns(r.stdout), r.stdout).toBe(1);
  }, 120_000);

  // The synthetic runners fail 10 % of their requests: a critical SLO tier in every bucket.
  it('exits 99 on a critical SLO tier (judged per bucket from the first sample) though every threshold holds', () => {
    const r = cli(base(), { THRESHOLDS_JSON: only({ [METRICS.flowErrors]: ['count<100'] }), MOSHPIT_SLO_POLICY: 'enforce' });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(EXIT.thresholds);
    const summary = JSON.parse(readFileSync(join(results, runId, RUN_FILES.summary), 'utf8')) as { moshpit: { thresholds: Array<{ ok: boolean }>; sloTiers: { verdict: { ok: boolean; highest: string } } } };
    expect(summary.moshpit.thresholds.every((t) => t.ok)).toBe(true);
    expect(summary.moshpit.sloTiers.verdict).toMatchObject({ ok: false, highest: 'critical' });
    expect(r.stderr).toContain('SLO tier failed the run');
  }, 120_000);

  it('exits 0 when the thresholds hold and the money is right (SLO tiers reported only)', () => {
    const r = cli(base(), { THRESHOLDS_JSON: only({ [METRICS.flowErrors]: ['count<100'] }), MOSHPIT_SLO_POLICY: 'report' });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(EXIT.ok);
    expect(validationRuns(r.stdout), r.stdout).toBe(1);
  }, 120_000);

  it('exits 4 when validation finds a broken balance (thresholds held)', async () => {
    await db.pool.query(`UPDATE wallets SET balance_cents = balance_cents + 1 WHERE id = (SELECT min(id) FROM wallets)`);
    try {
      const r = cli(base(), { THRESHOLDS_JSON: only({ [METRICS.flowErrors]: ['count<100'] }), MOSHPIT_SLO_POLICY: 'report' });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(EXIT.validationFailed);
    } finally {
      await db.pool.query(`UPDATE wallets SET balance_cents = balance_cents - 1 WHERE id = (SELECT min(id) FROM wallets)`);
    }
  }, 120_000);

  it('exits 3 (NOT READY, nothing written) for a run id with no samples, an unreachable InfluxDB or database', () => {
    const none = '20260101-000000-concession-0000';
    const r = cli(['--from-influx', influx.influx.url, '--db', DB, '--run-id', none, '--database-url', db.url]);
    expect(r.status).toBe(EXIT.notReady);
    expect(r.stderr).toContain(`no samples for run id ${none}`);
    expect(existsSync(join(results, none))).toBe(false);
    const down = cli(['--from-influx', 'http://127.0.0.1:9', '--run-id', runId, '--database-url', db.url]);
    expect(down.status).toBe(EXIT.notReady);
    expect(down.stderr).toMatch(/NOT READY: InfluxDB: .*cannot reach/);
    const dbDown = cli(['--from-influx', influx.influx.url, '--db', DB, '--run-id', none, '--database-url', 'postgres://moshpit:secret@127.0.0.1:9/none']);
    expect(dbDown.status).toBe(EXIT.notReady);
    expect(dbDown.stderr).toMatch(/NOT READY: the database cannot be reached/);
    expect(dbDown.stderr).not.toContain('secret');
  }, 120_000);

  it('exits 2 on bad input before contacting anything', () => {
    const remote = cli(['--from-influx', 'http://influx.example.org:8086', '--run-id', runId, '--database-url', db.url], { MOSHPIT_ALLOW_REMOTE: '' });
    expect(remote.status).toBe(EXIT.usage);
    expect(remote.stderr).toMatch(/not a loopback address/);
    expect(cli(['--from-influx', influx.influx.url, '--run-id', runId]).status).toBe(EXIT.usage); // no database to validate
    expect(cli(['--from-influx', influx.influx.url, '--run-id', 'no-scenario-here', '--database-url', db.url]).status).toBe(EXIT.usage);
  }, 120_000);
});
