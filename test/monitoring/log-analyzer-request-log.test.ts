// The request-log analyzer on a hand-written log with every kind of line the target writes
// (and some it never should): answer classes, per-endpoint error rate and percentiles,
// failures by code, both kinds of wallet mismatch, the run window, the per-bucket series,
// and `moshpit analyze-logs` on top.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeRequestLog, bucketFor, classify } from '../../monitoring/log-analyzer/analyze.js';
import { percentileOfSorted } from '../../core/percentile.js';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'mp-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-01-01T12:00:00.000Z');
let seq = 0;
function entry(offsetMs: number, method: string, route: string | null, status: number, o: { code?: string; latency?: number; op?: string; wallet?: string; replayed?: boolean; defect?: string } = {}): string {
  return JSON.stringify({
    ts: new Date(T0 + offsetMs).toISOString(), req_id: `r-${++seq}`, method, route, status, code: o.code ?? null, latency_ms: o.latency ?? 5,
    op: o.op ?? null, surface: 'rest', replayed: o.replayed ?? false, wallet_id: o.wallet ?? null, ...(o.defect && { defect: o.defect }),
  });
}

const reads = Array.from({ length: 100 }, (_, i) => entry(i * 100, 'GET', '/v1/wallets/:id', 200, { latency: i + 1, op: 'wallet_read', wallet: `w${i % 7}` }));
const lines = [
  entry(-60_000, 'GET', '/v1/health', 200, { op: 'health' }), // before the window
  ...reads,
  entry(10_000, 'POST', '/v1/orders', 201, { op: 'order', wallet: 'w-ok', latency: 20 }),
  entry(10_050, 'POST', '/v1/orders', 201, { op: 'order', wallet: 'w-ok', latency: 3, replayed: true }), // same answer: fine
  entry(11_000, 'POST', '/v1/orders', 402, { op: 'order', wallet: 'w-poor', code: 'insufficient_funds', latency: 12 }),
  entry(12_000, 'POST', '/v1/orders', 500, { op: 'order', wallet: 'w-5xx', code: 'internal_error', latency: 800 }),
  entry(13_000, 'POST', '/v1/orders', 201, { op: 'order', wallet: 'w-flip', latency: 25 }),
  entry(13_100, 'POST', '/v1/orders', 409, { op: 'order', wallet: 'w-flip', code: 'idempotency_key_in_flight', latency: 4, replayed: true, defect: 'replay_double_charge' }),
  entry(61_000, 'POST', '/v1/scans/entry', 409, { op: 'entry', wallet: 'w-dup', code: 'duplicate_entry', latency: 9 }),
  entry(62_000, 'POST', '/v1/scans/entry', 401, { op: 'entry', code: 'unauthorized', latency: 1 }),
  entry(63_000, 'GET', '/v1/wallets/:id', 503, { op: 'wallet_read', wallet: 'w-read', code: 'unavailable', latency: 30 }), // a read: no mismatch
  entry(64_000, 'GET', null, 404, { code: 'not_found', latency: 1 }),
  '{"ts":"2026-01-01T12:01:05.000Z","status":"x"}', // not an entry
  'moshpit target listening', // not JSON
  '',
  '{"ts":"2026-01-01T12:01:0', // torn last line
];
const logFile = join(dir, 'target-requests.jsonl');
writeFileSync(logFile, `${lines.join('\n')}\n`);
const window = { fromMs: T0, toMs: T0 + 120_000 };

describe('request log analysis', () => {
  it('classifies answers: ok, business rejection, request error, server error', () => {
    expect(classify({ status: 201, code: null })).toBe('ok');
    expect(classify({ status: 402, code: 'insufficient_funds' })).toBe('rejection');
    expect(classify({ status: 409, code: 'duplicate_entry' })).toBe('rejection');
    expect(classify({ status: 409, code: 'idempotency_key_in_flight' })).toBe('request_error');
    expect(classify({ status: 401, code: 'unauthorized' })).toBe('request_error');
    expect(classify({ status: 503, code: 'unavailable' })).toBe('server_error');
  });

  it('counts what it read, skipped and left outside the window', async () => {
    const a = await analyzeRequestLog(logFile, { window });
    expect(a.read).toEqual({ lines: 114, malformed: 3, outsideWindow: 1, used: 110 });
    expect(a.totals).toMatchObject({ requests: 110, rejections: 2, requestErrors: 3, serverErrors: 2, firstMs: T0, lastMs: T0 + 64_000 });
    expect(a.totals.errorRate).toBeCloseTo(5 / 110, 12);
  });

  it('gives error rate and percentiles per endpoint (route template), nearest rank like the verdict', async () => {
    const a = await analyzeRequestLog(logFile, { window });
    const wallets = a.endpoints.find((e) => e.endpoint === 'GET /v1/wallets/:id')!;
    expect(wallets).toMatchObject({ requests: 101, serverErrors: 1, rejections: 0, op: 'wallet_read' });
    expect(wallets.errorRate).toBeCloseTo(1 / 101, 12);
    const latencies = [...Array.from({ length: 100 }, (_, i) => i + 1), 30].sort((x, y) => x - y);
    expect(wallets.p95).toBe(latencies[Math.ceil(0.95 * latencies.length) - 1]); // the 96th of 101: nearest rank
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2); // an observed value, never one between ranks
    const orders = a.endpoints.find((e) => e.endpoint === 'POST /v1/orders')!;
    expect(orders).toMatchObject({ requests: 6, rejections: 1, requestErrors: 1, serverErrors: 1, max: 800 });
    expect(a.endpoints.map((e) => e.endpoint)).toContain('GET (no route)');
  });

  it('lists failures by status and code, most frequent first', async () => {
    const a = await analyzeRequestLog(logFile, { window });
    expect(a.failuresByCode.map((c) => [c.status, c.code, c.class, c.count])).toEqual([
      [401, 'unauthorized', 'request_error', 1],
      [402, 'insufficient_funds', 'rejection', 1],
      [404, 'not_found', 'request_error', 1],
      [409, 'duplicate_entry', 'rejection', 1],
      [409, 'idempotency_key_in_flight', 'request_error', 1],
      [500, 'internal_error', 'server_error', 1],
      [503, 'unavailable', 'server_error', 1],
    ].sort((x, y) => String(x[1]).localeCompare(String(y[1]))));
    expect(a.defects).toEqual({ replay_double_charge: 1 });
  });

  it('finds wallet mismatches: a write with unknown outcome, a replay that changed its answer', async () => {
    const a = await analyzeRequestLog(logFile, { window });
    expect(a.walletMismatches.wallets).toBe(2);
    expect(a.walletMismatches.byKind).toEqual({ unknown_write_outcome: 1, replay_changed_answer: 1 });
    expect(a.walletMismatches.examples).toEqual([
      { walletId: 'w-5xx', kind: 'unknown_write_outcome', endpoint: 'POST /v1/orders', at: '2026-01-01T12:00:12.000Z', status: 500, code: 'internal_error' },
      { walletId: 'w-flip', kind: 'replay_changed_answer', endpoint: 'POST /v1/orders', at: '2026-01-01T12:00:13.100Z', status: 409, code: 'idempotency_key_in_flight', originalStatus: 201 },
    ]);
  });

  it('builds the time series per minute (or any bucket)', async () => {
    const perMinute = await analyzeRequestLog(logFile, { window });
    expect(perMinute.bucketSeconds).toBe(60);
    expect(perMinute.series.map((b) => [b.startMs - T0, b.requests, b.rejections, b.errors])).toEqual([[0, 106, 1, 2], [60_000, 4, 1, 3]]);
    const per10s = await analyzeRequestLog(logFile, { window, bucketSeconds: 10 });
    expect(per10s.series.map((b) => b.requests).reduce((x, y) => x + y, 0)).toBe(110);
    expect(bucketFor(12_000)).toBe(1);
    expect(bucketFor(25 * 60_000)).toBe(60);
  });
});

describe('moshpit analyze-logs', () => {
  const cli = (args: string[]) => exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'analyze-logs', ...args], {
    cwd: projectRoot, check: false, env: { ...process.env, MOSHPIT_STATE_DIR: dir, MOSHPIT_RESULTS_DIR: join(dir, 'results') },
  });

  it('prints the same analysis as text and as JSON', async () => {
    const text = await cli(['--log', logFile]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/111 requests: 2 business rejections, 3 request errors, 2 server errors/);
    expect(text.stdout).toMatch(/POST \/v1\/orders\s+6\s+1\s+2\s+33\.33%/);
    expect(text.stdout).toMatch(/wallet mismatches: 2 wallets \(unknown write outcome: 1, replay changed answer: 1\)/);
    expect(text.stdout).toMatch(/skipped 3 lines that are not request-log entries/);
    const json = JSON.parse((await cli(['--log', logFile, '--json', '--bucket', '30'])).stdout) as { bucketSeconds: number; totals: { requests: number } };
    expect(json).toMatchObject({ bucketSeconds: 30, totals: { requests: 111 } });
  });

  it('refuses bad input with usage (exit 2)', async () => {
    expect((await cli(['--log', logFile, '--bucket', '0'])).code).toBe(2);
    expect((await cli(['--log', join(dir, 'missing.jsonl')])).stderr).toMatch(/no request log at/);
    expect((await cli(['--log', logFile, '--save'])).stderr).toMatch(/--save needs --run/);
  });
});
