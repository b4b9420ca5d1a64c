// The PostgreSQL every benchmark of a run uses, subject and reference alike: a private cluster
// of its own (MOSHPIT_CLUSTER_ID=bench, stopped again if this run started it), or a server the
// caller names (--database-url; tests use theirs). Either way the bench only ever touches
// databases it created itself (mpbench_*), and drops them at the end.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { exec } from '../../stack/exec.js';
import { migrate } from '../../stack/migrate.js';
import { checkoutId } from '../../stack/paths.js';
import { clusterInfo, findPgBinDir, startCluster, stopCluster } from '../../stack/postgres.js';
import { isAlive } from '../../stack/processes.js';

export const BENCH_CLUSTER_ID = 'bench';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export interface PgbenchInit {
  seconds: number;
  rows: number;
  /** pgbench's own breakdown: "drop tables 0.00 s, create tables ..., client-side generate ...". */
  steps: Record<string, number>;
}

export interface PgbenchRun {
  tps: number;
  clients: number;
  seconds: number;
  transactions: number;
  latencyAvgMs: number | null;
}

export interface BenchServer {
  kind: 'private-cluster' | 'server';
  /** URL of the server's `postgres` database (administration). */
  adminUrl: string;
  version: string;
  pgBinDir: string;
  pgbenchVersion: string;
  /** A fresh database, migrated with the suite's schema unless `migrated: false`. */
  createDatabase(label: string, opts?: { migrated?: boolean }): Promise<BenchDatabase>;
  /**
   * A database that outlives the run (read-only datasets that are slow to build): returned as
   * is when a complete one of that name exists, else created (migrated) for `build`, then marked
   * complete. Other databases starting with `family` are dropped (an older dataset version).
   */
  cachedDatabase(name: string, family: string, build: (db: BenchDatabase) => Promise<void>): Promise<{ db: BenchDatabase; reused: boolean }>;
  /** Drops every kept dataset whose name starts with `family`. */
  dropCached(family: string): Promise<string[]>;
  /** `pgbench -i -s <scale>` into a fresh database; the database stays for runs until dropped. */
  pgbenchInit(scale: number): Promise<{ db: BenchDatabase; init: PgbenchInit }>;
  /**
   * `pgbench` on a database: the built-in TPC-B-like transaction (on a pgbenchInit database),
   * or the given custom script files (`-f`, equal weights) on any database.
   */
  pgbenchRun(db: BenchDatabase, clients: number, seconds: number, scripts?: readonly string[]): Promise<PgbenchRun>;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params?: unknown[]): Promise<pg.QueryResult<T>>;
  /** Drops every database this server object created and still holds; stops the cluster if we started it. */
  close(keep: boolean): Promise<void>;
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function connectionArgs(url: string): string[] {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
}

function connectionEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return u.password ? { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } : { ...process.env };
}

export function parsePgbenchInit(output: string): { seconds: number; steps: Record<string, number> } {
  const m = /done in ([\d.]+) s \(([^)]*)\)/.exec(output);
  if (!m) throw new Error(`pgbench -i printed no "done in" line:\n${output.trim().split('\n').slice(-10).join('\n')}`);
  const steps: Record<string, number> = {};
  for (const part of m[2]!.split(',')) {
    const s = /^\s*(.+?)\s+([\d.]+) s\s*$/.exec(part);
    if (s) steps[s[1]!] = Number(s[2]);
  }
  return { seconds: Number(m[1]), steps };
}

export function parsePgbenchRun(output: string): Omit<PgbenchRun, 'clients' | 'seconds'> {
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output) ?? /tps = ([\d.]+)/.exec(output);
  if (!tps) throw new Error(`pgbench printed no tps line:\n${output.trim().split('\n').slice(-10).join('\n')}`);
  const tx = /number of transactions actually processed: (\d+)/.exec(output);
  const lat = /latency average = ([\d.]+) ms/.exec(output);
  return { tps: Number(tps[1]), transactions: tx ? Number(tx[1]) : 0, latencyAvgMs: lat ? Number(lat[1]) : null };
}

function postmasterRunning(dataDir: string): boolean {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive({ pid, startTicks: null });
}

export async function openBenchServer(opts: { databaseUrl?: string; log: (line: string) => void }): Promise<BenchServer> {
  let adminUrl: string;
  let stop: (() => Promise<void>) | null = null;
  let kind: BenchServer['kind'];
  if (opts.databaseUrl) {
    kind = 'server';
    adminUrl = withDatabase(opts.databaseUrl, 'postgres');
  } else {
    // The checkout's own cluster is the shared test cluster: never benchmark on it.
    if (checkoutId !== BENCH_CLUSTER_ID) {
      throw new Error(`the bench's private cluster needs MOSHPIT_CLUSTER_ID=${BENCH_CLUSTER_ID} set before stack/paths.ts is loaded (got '${checkoutId}'); or pass --database-url`);
    }
    kind = 'private-cluster';
    const info = await clusterInfo();
    const wasRunning = postmasterRunning(info.dataDir);
    const cluster = await startCluster();
    adminUrl = withDatabase(cluster.url, 'postgres');
    if (!wasRunning) stop = () => stopCluster(cluster.dataDir);
    opts.log(`PostgreSQL: private bench cluster on 127.0.0.1:${cluster.port}${wasRunning ? ' (already running)' : ''}`);
  }

  const pgBinDir = await findPgBinDir();
  if (!pgBinDir || !existsSync(join(pgBinDir, 'pgbench'))) throw new Error('pgbench not found next to the PostgreSQL server binaries (install postgresql / postgresql-contrib)');
  const pgbench = join(pgBinDir, 'pgbench');
  const pgbenchVersion = (await exec(pgbench, ['--version'])).stdout.trim();

  const query = async <T extends pg.QueryResultRow>(url: string, sql: string, params?: unknown[]) => {
    const c = new pg.Client({ connectionString: url, application_name: 'moshpit-bench' });
    await c.connect();
    try {
      return await c.query<T>(sql, params);
    } finally {
      await c.end();
    }
  };
  const version = (await query<{ v: string }>(adminUrl, "SELECT current_setting('server_version') AS v")).rows[0]!.v;

  const created = new Map<string, BenchDatabase>();
  const createDatabase = async (label: string, o: { migrated?: boolean } = {}): Promise<BenchDatabase> => {
    const name = `mpbench_${label.replace(/[^a-z0-9]/g, '_')}_${process.pid}_${randomBytes(2).toString('hex')}`;
    await query(adminUrl, `CREATE DATABASE ${name}`);
    const db: BenchDatabase = {
      name,
      url: withDatabase(adminUrl, name),
      drop: async () => {
        created.delete(name);
        await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
    created.set(name, db);
    if (o.migrated !== false) await migrate(db.url);
    return db;
  };

  const COMPLETE = 'moshpit bench dataset: complete';
  const cachedDatabase: BenchServer['cachedDatabase'] = async (name, family, build) => {
    const { rows } = await query<{ datname: string; complete: string | null }>(
      adminUrl,
      `SELECT datname, shobj_description(oid, 'pg_database') AS complete FROM pg_database WHERE starts_with(datname, $1)`,
      [family],
    );
    const db: BenchDatabase = {
      name,
      url: withDatabase(adminUrl, name),
      drop: () => query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined),
    };
    for (const r of rows) {
      if (r.datname === name && r.complete === COMPLETE) return { db, reused: true };
      await query(adminUrl, `DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`); // stale or half-built
    }
    await query(adminUrl, `CREATE DATABASE ${name}`);
    try {
      await migrate(db.url);
      await build(db);
      await query(adminUrl, `COMMENT ON DATABASE ${name} IS '${COMPLETE}'`);
    } catch (err) {
      await db.drop().catch(() => {});
      throw err;
    }
    return { db, reused: false };
  };

  const dropCached = async (family: string) => {
    const { rows } = await query<{ datname: string }>(adminUrl, 'SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [family]);
    for (const r of rows) await query(adminUrl, `DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    return rows.map((r) => r.datname);
  };

  return {
    kind,
    adminUrl,
    cachedDatabase,
    dropCached,
    version,
    pgBinDir,
    pgbenchVersion,
    createDatabase,
    query,
    async pgbenchInit(scale) {
      const db = await createDatabase(`pgbench_s${scale}`, { migrated: false });
      // Default steps (dtgvp): drop, create, client-side COPY generate, vacuum, primary keys.
      const r = await exec(pgbench, ['-i', '-s', String(scale), ...connectionArgs(db.url), db.name], { env: connectionEnv(db.url) });
      const parsed = parsePgbenchInit(`${r.stdout}\n${r.stderr}`);
      return { db, init: { ...parsed, rows: scale * 100_000 } };
    },
    async pgbenchRun(db, clients, seconds, scripts = []) {
      const threads = Math.max(1, Math.min(clients, 2));
      const scriptArgs = scripts.flatMap((f) => ['-f', `${f}@1`]);
      const r = await exec(pgbench, ['-c', String(clients), '-j', String(threads), '-T', String(seconds), '-n', ...scriptArgs, ...connectionArgs(db.url), db.name], { env: connectionEnv(db.url) });
      return { ...parsePgbenchRun(`${r.stdout}\n${r.stderr}`), clients, seconds };
    },
    async close(keep) {
      if (!keep) {
        for (const db of [...created.values()]) await db.drop().catch(() => {});
      }
      if (stop && !keep) await stop();
    },
  };
}
