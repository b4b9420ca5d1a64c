// Process contract of platform/server/main.ts: configuration errors exit 2 with a clear message,
// an unreachable database exits 1, health turns 503 when the database goes away, SIGTERM
// drains in-flight requests, and a vanished parent process takes the server down with it.
import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/server/config.js';
import { DEFECT_MODES } from '../../platform/server/defects.js';
import { createTestDatabase } from '../support/databases.js';
import { useTestDatabase } from '../support/db.js';
import { call, readRequestLog, spawnTarget, startTarget, waitForExit } from '../support/target.js';

const db = await useTestDatabase();

const validEnv = {
  DATABASE_URL: db.url,
  MOSHPIT_API_KEY: 'k-lifecycle',
  STRIPE_WEBHOOK_SECRET: 'whsec_lifecycle',
  MOSHPIT_TARGET_PORT: '0',
};

describe('configuration', () => {
  // loadConfig is what main.ts runs first; checking every rule in-process keeps this fast.
  it.each([
    ['a missing DATABASE_URL', { DATABASE_URL: undefined }, /DATABASE_URL is required/],
    ['a non-postgres DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\//],
    ['a webhook secret without whsec_', { STRIPE_WEBHOOK_SECRET: 'sk_test_123' }, /STRIPE_WEBHOOK_SECRET must start with whsec_/],
    ['a non-loopback host', { MOSHPIT_TARGET_HOST: '0.0.0.0' }, /MOSHPIT_TARGET_HOST must be a loopback address/],
    ['a LAN host', { MOSHPIT_TARGET_HOST: '192.168.1.10' }, /MOSHPIT_TARGET_HOST must be a loopback address/],
    ['a bad port', { MOSHPIT_TARGET_PORT: '70000' }, /MOSHPIT_TARGET_PORT must be an integer from 0 to 65535/],
    ['a bad pool size', { MOSHPIT_DB_POOL: '0' }, /MOSHPIT_DB_POOL must be an integer from 1/],
    ['a fractional slowdown', { MOSHPIT_SLOW_MS: '1.5' }, /MOSHPIT_SLOW_MS must be an integer/],
    ['a bad parent pid', { MOSHPIT_PARENT_PID: 'me' }, /MOSHPIT_PARENT_PID must be a process id/],
  ])('refuses %s', (_, overrides, message) => {
    expect(() => loadConfig({ ...validEnv, ...overrides })).toThrow(ConfigError);
    expect(() => loadConfig({ ...validEnv, ...overrides })).toThrow(message);
  });

  it('applies the defaults', () => {
    const { MOSHPIT_TARGET_PORT: _port, ...env } = validEnv;
    expect(loadConfig(env)).toMatchObject({
      host: '127.0.0.1', port: 0, defects: [], slowMs: 0, logFile: null, dbPoolSize: 20, parentPid: null,
    });
    expect(loadConfig({ ...env, MOSHPIT_TARGET_HOST: 'localhost', MOSHPIT_DEFECTS: ' lost_update, ,fee_rounding ' }))
      .toMatchObject({ host: '127.0.0.1', defects: ['lost_update', 'fee_rounding'] });
  });

  // The real process, for the exit code and the message a person sees.
  it.concurrent('exits 2 listing every problem, no stack trace, no listening line', async ({ expect }) => {
    const { code, stdout, stderr } = await waitForExit(spawnTarget({ ...validEnv, MOSHPIT_API_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined }));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/MOSHPIT_API_KEY is required/);
    expect(stderr).toMatch(/STRIPE_WEBHOOK_SECRET is required/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it.concurrent('exits 2 on an unknown defect, listing the valid ones', async ({ expect }) => {
    const { code, stderr } = await waitForExit(spawnTarget({ ...validEnv, MOSHPIT_DEFECTS: 'lost_update,drop_tables' }));
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown defect mode drop_tables/);
    expect(stderr).toContain(`valid modes: ${DEFECT_MODES.join(', ')}`);
  });

  it.concurrent('exits 2 when the request log cannot be opened', async ({ expect }) => {
    const { code, stderr } = await waitForExit(spawnTarget({ ...validEnv, MOSHPIT_TARGET_LOG: '/nonexistent-dir/requests.log' }));
    expect(code).toBe(2);
    expect(stderr).toMatch(/MOSHPIT_TARGET_LOG cannot be opened/);
  });

  it.concurrent('exits 1 with the reason when the database is unreachable', async ({ expect }) => {
    const { code, stderr } = await waitForExit(spawnTarget({ ...validEnv, DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' }));
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot reach the database at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(stderr).not.toContain('secret');
  });
});

// Independent servers and processes: run side by side.
describe.concurrent('running', () => {
  it('prints exactly one JSON listening line on stdout', async ({ expect }) => {
    const child = spawnTarget(validEnv);
    const lines: string[] = [];
    await new Promise<void>((resolve) => {
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (c: string) => { lines.push(...c.split('\n').filter(Boolean)); resolve(); });
    });
    process.kill(child.pid!, 'SIGTERM');
    const { code } = await waitForExit(child);
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    const msg = JSON.parse(lines[0]!);
    expect(msg).toEqual({ event: 'listening', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), pid: child.pid });
  });

  it('reports the database down in health (503) when it goes away', async ({ expect }) => {
    const doomed = await createTestDatabase(inject('pgServerUrl'), inject('pgTemplate'));
    const target = await startTarget({ databaseUrl: doomed.url });
    try {
      expect((await call(target.url, 'GET', '/v1/health')).status).toBe(200);
      await doomed.drop();
      const res = await call(target.url, 'GET', '/v1/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'unavailable', database: 'unreachable', defects: [] });
      const read = await call(target.url, 'GET', '/v1/wallets/w-1', { headers: { 'X-Api-Key': target.apiKey } });
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe('unavailable');
    } finally {
      await target.stop();
      await doomed.drop();
    }
  });

  it('drains an in-flight request on SIGTERM, then exits', async ({ expect }) => {
    const target = await startTarget({ databaseUrl: db.url, slowMs: 400 });
    const inFlight = call(target.url, 'GET', '/v1/wallets/w-none', { headers: { 'X-Api-Key': target.apiKey } });
    await new Promise((r) => setTimeout(r, 100));
    await target.stop();
    const res = await inFlight;
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('wallet_not_found');
  });

  it('adds MOSHPIT_SLOW_MS to every request but health, and logs one line per request', async ({ expect }) => {
    const target = await startTarget({ databaseUrl: db.url, slowMs: 300 });
    let readMs: number;
    try {
      await call(target.url, 'GET', '/v1/health');
      const t = performance.now();
      await call(target.url, 'GET', '/v1/wallets/w-secret-id', { headers: { 'X-Api-Key': target.apiKey } });
      readMs = performance.now() - t;
    } finally {
      await target.stop();
    }
    expect(readMs).toBeGreaterThanOrEqual(300);
    const lines = readRequestLog(target.logFile);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({
      ts: expect.any(String), req_id: expect.any(String), method: 'GET', route: '/v1/wallets/:id', status: 404,
      code: 'wallet_not_found', latency_ms: expect.any(Number), op: 'wallet_read', surface: 'rest', replayed: false,
      wallet_id: 'w-secret-id',
    });
    // Server-measured, so a busy test machine cannot blur it: health skips the slowdown.
    expect(lines[0]).toMatchObject({ route: '/v1/health', op: 'health', status: 200 });
    expect(lines[0]!.latency_ms as number).toBeLessThan(300);
    expect(lines[1]!.latency_ms as number).toBeGreaterThanOrEqual(300);
    expect(JSON.stringify(lines.map((l) => l.route))).not.toContain('w-secret-id');
  });

  it('exits when the parent process named by MOSHPIT_PARENT_PID is gone', async ({ expect }) => {
    const parent = spawn('sleep', ['30'], { stdio: 'ignore' });
    const child = spawnTarget({ ...validEnv, MOSHPIT_PARENT_PID: String(parent.pid) });
    // No bound on how fast: it polls every second, and a shared machine can be slow. It must exit.
    const exit = waitForExit(child, 60_000);
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    process.kill(parent.pid!, 'SIGTERM');
    const { code } = await exit; // it polls its parent every second; waitForExit fails a hang
    expect(code).toBe(0);
  });
});
