// Runs the reference target's HTTP server (platform/server/main.ts) as a child process for tests:
// a random API key and webhook secret, a private request log, and a stop() that signals only
// the PID we spawned. Callers register afterAll(stop) themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { projectRoot } from '../../stack/paths.js';

export const TARGET_MAIN = join(projectRoot, 'platform', 'server', 'main.ts');

/** Variables the server reads; never inherited from the caller's shell, so tests are hermetic. */
const TARGET_ENV_NAMES = [
  'DATABASE_URL', 'MOSHPIT_TARGET_HOST', 'MOSHPIT_TARGET_PORT', 'MOSHPIT_API_KEY', 'STRIPE_WEBHOOK_SECRET',
  'MOSHPIT_DEFECTS', 'MOSHPIT_SLOW_MS', 'MOSHPIT_TARGET_LOG', 'MOSHPIT_DB_POOL', 'MOSHPIT_PARENT_PID', 'MOSHPIT_POOL_LOG',
];

export interface StartTargetOptions {
  databaseUrl: string;
  defects?: string[];
  slowMs?: number;
  /** Extra or overriding variables; undefined removes one. */
  env?: Record<string, string | undefined>;
  /** How long to wait for the listening line. */
  timeoutMs?: number;
}

export interface RunningTarget {
  url: string;
  apiKey: string;
  webhookSecret: string;
  pid: number;
  logFile: string;
  /** The server's stderr so far (warnings, internal errors). */
  stderr(): string;
  stop(): Promise<void>;
}

const MAX_CAPTURE = 256 * 1024;

/** Spawns main.ts with exactly `env` on top of the caller's environment minus the target's variables. */
export function spawnTarget(env: Record<string, string | undefined>): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of TARGET_ENV_NAMES) delete childEnv[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  return spawn(process.execPath, ['--import', 'tsx', TARGET_MAIN], {
    cwd: projectRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a stream's text (bounded) and keeps it flowing so the child never blocks on a full pipe. */
export function capture(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => { if (text.length < MAX_CAPTURE) text += chunk; });
  return () => text;
}

// Backstops for a hang, never measurements: starting tsx alone can take several seconds on a
// busy shared machine, so these only decide when a stuck child is killed and reported.
const HANG_BACKSTOP_MS = 90_000;

/** Waits for a spawned target to exit (for configuration-error tests). */
export function waitForExit(child: ChildProcess, timeoutMs = HANG_BACKSTOP_MS): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const stdout = capture(child.stdout);
  const stderr = capture(child.stderr);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`target did not exit within ${timeoutMs} ms; stderr:\n${stderr()}`));
    }, timeoutMs);
    // 'close' (unlike 'exit') comes after the pipes are drained, so the output is complete.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout(), stderr: stderr() });
    });
  });
}

export async function startTarget(opts: StartTargetOptions): Promise<RunningTarget> {
  const apiKey = `mk_test_${randomBytes(16).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
  const logFile = join(mkdtempSync(join(tmpdir(), 'moshpit-target-')), 'requests.log');
  const child = spawnTarget({
    DATABASE_URL: opts.databaseUrl,
    MOSHPIT_API_KEY: apiKey,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    MOSHPIT_TARGET_PORT: '0',
    MOSHPIT_TARGET_LOG: logFile,
    MOSHPIT_DEFECTS: (opts.defects ?? []).join(','),
    MOSHPIT_SLOW_MS: String(opts.slowMs ?? 0),
    MOSHPIT_PARENT_PID: String(process.pid), // a crashed test run never leaves the server behind
    ...opts.env,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the target server');
  const stderr = capture(child.stderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      reject(new Error(`target server ${why}; stderr:\n${stderr()}`));
    };
    const timer = setTimeout(() => fail(`printed no listening line within ${opts.timeoutMs ?? HANG_BACKSTOP_MS} ms`), opts.timeoutMs ?? HANG_BACKSTOP_MS);
    const onEarlyExit = (code: number | null, signal: string | null) => fail(`exited (code ${code}, signal ${signal}) before listening`);
    child.once('exit', onEarlyExit);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const msg = JSON.parse(line) as { event?: string; url?: string };
          if (msg.event === 'listening' && typeof msg.url === 'string') {
            clearTimeout(timer);
            child.off('exit', onEarlyExit);
            resolve(msg.url);
            return;
          }
        } catch { /* not our line */ }
      }
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    url,
    apiKey,
    webhookSecret,
    pid,
    logFile,
    stderr,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        process.kill(pid, 'SIGTERM');
        const killer = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

/** The smallest festival the routes need: ids are prefixed so assertions read naturally. */
export async function seedFestival(pool: pg.Pool, wallets: Array<{ id: string; balanceCents: number; status?: 'active' | 'blocked' }>): Promise<void> {
  await pool.query(`INSERT INTO vendors (id, name) VALUES ('v-bar', 'Main Bar') ON CONFLICT DO NOTHING`);
  await pool.query(`INSERT INTO products (id, vendor_id, name, price_cents) VALUES
      ('p-beer', 'v-bar', 'Beer', 650), ('p-water', 'v-bar', 'Water', 250) ON CONFLICT DO NOTHING`);
  await pool.query(`INSERT INTO terminals (id, vendor_id, name) VALUES ('t-bar-1', 'v-bar', 'Bar till 1') ON CONFLICT DO NOTHING`);
  await pool.query(`INSERT INTO gateways (id, name) VALUES ('g-north', 'North gate') ON CONFLICT DO NOTHING`);
  for (const w of wallets) {
    await pool.query(
      `INSERT INTO wallets (id, status, balance_cents, opening_balance_cents) VALUES ($1, $2, $3, $3)`,
      [w.id, w.status ?? 'active', w.balanceCents],
    );
  }
}

export interface CallResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  /** JSON-encoded unless already a string (sent as is, byte for byte). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP request with a JSON answer (or text, if the answer is not JSON). */
export async function call<T = any>(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<CallResult<T>> {
  const { body } = opts;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...opts.headers },
    ...(payload !== undefined && { body: payload }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* keep text */ }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Everything a request could change; equal before and after = the request changed nothing. */
export async function dbFootprint(pool: pg.Pool): Promise<Record<string, string>> {
  const res = await pool.query<Record<string, string>>(`SELECT
    (SELECT count(*) FROM ledger)::text AS ledger,
    (SELECT count(*) FROM app_transaction_log)::text AS audit,
    (SELECT count(*) FROM idempotency_keys)::text AS idempotency_keys,
    (SELECT count(*) FROM orders)::text AS orders,
    (SELECT count(*) FROM recharges)::text AS recharges,
    (SELECT count(*) FROM funding_intents)::text AS funding_intents,
    (SELECT count(*) FROM nfc_scan_log)::text AS scans,
    (SELECT count(*) FROM stripe_events)::text AS stripe_events,
    (SELECT coalesce(sum(balance_cents), 0) FROM wallets)::text AS balances,
    (SELECT occupancy FROM venue_state)::text AS occupancy`);
  return res.rows[0]!;
}

/** Parsed lines of a target's request log (call after stop() for a complete file). */
export function readRequestLog(logFile: string): Array<Record<string, unknown>> {
  return readFileSync(logFile, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
}
