// What the load benchmarks drive: a fresh migrated database with N seeded test wallets (and their
// fixture files), and the reference target serving it on 127.0.0.1. The target is a child we
// spawn and stop by its PID; it also exits by itself if this process dies.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seed } from '../../seed/seed.js';
import { projectRoot } from '../../stack/paths.js';
import type { BenchContext } from './types.js';
import type { BenchDatabase } from './postgres.js';

export interface BenchTarget {
  url: string;
  apiKey: string;
  webhookSecret: string;
  pid: number;
  /** PostgreSQL connections the target's pool may open (MOSHPIT_DB_POOL). */
  dbPool: number;
  stop(): Promise<void>;
}

export const TARGET_DB_POOL = 20; // platform/server/config.ts DEFAULT_DB_POOL, pinned so pgbench can match it

export async function startBenchTarget(databaseUrl: string, logDir: string, timeoutMs = 30_000): Promise<BenchTarget> {
  mkdirSync(logDir, { recursive: true });
  const apiKey = `mp_bench_${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'platform', 'server', 'main.ts')], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      MOSHPIT_TARGET_HOST: '127.0.0.1',
      MOSHPIT_TARGET_PORT: '0',
      MOSHPIT_API_KEY: apiKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      MOSHPIT_DEFECTS: '',
      MOSHPIT_SLOW_MS: '0',
      MOSHPIT_DB_POOL: String(TARGET_DB_POOL),
      // Like the embedded stack under load: no request log (it is opt-in, MOSHPIT_REQUEST_LOG=on).
      MOSHPIT_TARGET_LOG: '',
      MOSHPIT_PARENT_PID: String(process.pid),
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the target server');
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      reject(new Error(`target server printed no listening line within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`target server exited (${code}) during start-up:\n${stderr}`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      for (const line of buffered.split('\n')) {
        try {
          const msg = JSON.parse(line) as { event?: string; url?: string };
          if (msg.event === 'listening' && msg.url) {
            clearTimeout(timer);
            resolve(msg.url);
          }
        } catch { /* partial or other line */ }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
  });
  child.stdout.resume();
  let stopping: Promise<void> | undefined;
  return {
    url,
    apiKey,
    webhookSecret,
    pid,
    dbPool: TARGET_DB_POOL,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        try { process.kill(pid, 'SIGTERM'); } catch { return; }
        const killer = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

export interface Festival {
  db: BenchDatabase;
  fixturesDir: string;
  wallets: number;
  target: BenchTarget;
  /** A seeded wallet id. */
  someWalletId: string;
  close(): Promise<void>;
}

/** A fresh database with `wallets` seeded test wallets and the target serving it. */
export async function openFestival(ctx: BenchContext, label: string, wallets: number): Promise<Festival> {
  const db = await ctx.server.createDatabase(label);
  const fixturesDir = join(ctx.workDir, `${label}-fixtures`);
  try {
    const summary = await seed({ databaseUrl: db.url, wallets, prefix: 'k6-test-', fixturesDir });
    const first = await ctx.server.query<{ id: string }>(db.url, `SELECT id FROM wallets WHERE id LIKE $1 ORDER BY id LIMIT 1`, [`${summary.prefix}w-%`]);
    const target = await startBenchTarget(db.url, join(ctx.workDir, `${label}-logs`));
    return {
      db,
      fixturesDir,
      wallets,
      target,
      someWalletId: first.rows[0]?.id ?? summary.manifest.probe_wallet_id,
      async close() {
        await target.stop();
        if (!ctx.keep) await db.drop();
      },
    };
  } catch (err) {
    if (!ctx.keep) await db.drop().catch(() => {});
    throw err;
  }
}

/** The environment every engine process of a scenario reads (scenarios/README.md). */
export function bundleEnv(f: Festival, profile: string, runId: string, resultsDir: string, extra: Record<string, string> = {}): Record<string, string> {
  mkdirSync(resultsDir, { recursive: true });
  return {
    TARGET_URL: f.target.url,
    TARGET_KIND: 'rest',
    API_KEY: f.target.apiKey,
    STRIPE_WEBHOOK_SECRET: f.target.webhookSecret,
    PROFILE: profile,
    RUN_ID: runId,
    FIXTURES_DIR: f.fixturesDir,
    RESULTS_DIR: resultsDir,
    ...extra,
  };
}
