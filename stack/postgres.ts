// A private PostgreSQL cluster for this checkout, built from the system's PostgreSQL binaries.
// Loopback only, a non-default port, data under the cache dir of the user it runs as.
// PostgreSQL refuses to run as root, so when we are root it runs as the unprivileged
// system user `moshpit`, which this module creates.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, chownSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cacheDir, checkoutId } from './paths.js';
import { exec, which } from './exec.js';
import { own, type OwnedProcess, isAlive } from './processes.js';
import { progress, withProgress } from './progress.js';

export const PG_RUN_USER = 'moshpit';
const PG_RUN_HOME = '/var/lib/moshpit';
const BASE_PORT = 55432;

export interface PgUser { name: string; uid: number; gid: number; home: string; isSelf: boolean }

export interface ClusterInfo {
  binDir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  port: number;
  user: PgUser;
}

export interface RunningCluster { url: string; port: number; process: OwnedProcess; dataDir: string }

export class PostgresUnavailable extends Error {}

/** Locates initdb/pg_ctl: the newest /usr/lib/postgresql/N/bin, else pg_config --bindir. */
export async function findPgBinDir(): Promise<string | null> {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  }
  const pgConfig = await which('pg_config');
  if (pgConfig) {
    const r = await exec(pgConfig, ['--bindir'], { check: false });
    const dir = r.stdout.trim();
    if (r.code === 0 && existsSync(join(dir, 'initdb'))) return dir;
  }
  return null;
}

/** Finds the binaries, installing Debian's postgresql package when we can (root + apt-get). */
export async function ensurePgBinaries(): Promise<string> {
  const found = await findPgBinDir();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && (await which('apt-get'))) {
    await withProgress('installing PostgreSQL server (apt-get install postgresql)', async () => {
      await exec('apt-get', ['update'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      await exec('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    });
    const dir = await findPgBinDir();
    if (dir) return dir;
  }
  throw new PostgresUnavailable(
    'PostgreSQL server binaries (initdb, pg_ctl) were not found.\n' +
      '  Install them (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@15),\n' +
      '  or point moshpit at an existing database with DATABASE_URL=postgres://user:pass@127.0.0.1:5432/db',
  );
}

async function ensurePgUser(): Promise<PgUser> {
  const uid = process.getuid?.() ?? 1000;
  if (uid !== 0) {
    const home = process.env.HOME ?? '/tmp';
    return { name: process.env.USER ?? String(uid), uid, gid: process.getgid?.() ?? uid, home, isSelf: true };
  }
  let r = await exec('id', ['-u', PG_RUN_USER], { check: false });
  if (r.code !== 0) {
    progress(`creating unprivileged system user '${PG_RUN_USER}' to run PostgreSQL (it refuses to run as root)`);
    await exec('useradd', ['--system', '--user-group', '--home-dir', PG_RUN_HOME, '--create-home', '--shell', '/usr/sbin/nologin', PG_RUN_USER]);
    r = await exec('id', ['-u', PG_RUN_USER]);
  }
  const pgUid = Number(r.stdout.trim());
  const pgGid = Number((await exec('id', ['-g', PG_RUN_USER])).stdout.trim());
  if (!existsSync(PG_RUN_HOME)) {
    mkdirSync(PG_RUN_HOME, { recursive: true, mode: 0o700 });
    chownSync(PG_RUN_HOME, pgUid, pgGid);
  }
  return { name: PG_RUN_USER, uid: pgUid, gid: pgGid, home: PG_RUN_HOME, isSelf: false };
}

/** Runs a PostgreSQL binary as the cluster's user. */
export function execAsPgUser(user: PgUser, cmd: string, args: string[], opts: { check?: boolean } = {}) {
  if (user.isSelf) return exec(cmd, args, opts);
  return exec('runuser', ['-u', user.name, '--', cmd, ...args], { ...opts, cwd: user.home });
}

function mkdirOwned(dir: string, user: PgUser): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!user.isSelf) {
    // chown every component we created below the user's home
    let d = dir;
    while (d.startsWith(user.home) && d !== user.home) {
      chownSync(d, user.uid, user.gid);
      d = join(d, '..');
    }
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function choosePort(clusterDir: string): Promise<number> {
  const portFile = join(clusterDir, 'port');
  if (existsSync(portFile)) return Number(readFileSync(portFile, 'utf8'));
  // Start from a checkout-specific offset so clones rarely collide, then probe upward.
  let port = BASE_PORT + (createHash('sha256').update(checkoutId).digest().readUInt16BE(0) % 400);
  while (!(await portIsFree(port))) port++;
  return port;
}

export async function clusterInfo(): Promise<ClusterInfo> {
  const binDir = await ensurePgBinaries();
  const user = await ensurePgUser();
  const clusterDir = join(cacheDir(user.home), 'pg', checkoutId);
  mkdirOwned(clusterDir, user);
  const port = await choosePort(clusterDir);
  writeFileSync(join(clusterDir, 'port'), String(port));
  return { binDir, dataDir: join(clusterDir, 'data'), socketDir: clusterDir, logFile: join(clusterDir, 'postgres.log'), port, user };
}

// Throughput settings for a disposable test cluster; durability is not what we test here.
const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: "'127.0.0.1'",
  max_connections: '300',
  shared_buffers: "'512MB'",
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_wal_size: "'4GB'",
  checkpoint_timeout: "'15min'",
  track_io_timing: 'on',
  log_min_messages: 'warning',
  log_lock_waits: 'on',
  deadlock_timeout: "'200ms'",
};

async function initCluster(info: ClusterInfo): Promise<void> {
  if (existsSync(join(info.dataDir, 'PG_VERSION'))) return;
  await withProgress(`initialising a private PostgreSQL cluster (${info.dataDir})`, async () => {
    await execAsPgUser(info.user, join(info.binDir, 'initdb'), ['-D', info.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const conf = Object.entries(SERVER_SETTINGS).map(([k, v]) => `${k} = ${v}`).join('\n');
    const confPath = join(info.dataDir, 'conf.d-moshpit.conf');
    writeFileSync(confPath, `# written by moshpit stack\n${conf}\n`);
    writeFileSync(join(info.dataDir, 'postgresql.conf'), `\ninclude 'conf.d-moshpit.conf'\n`, { flag: 'a' });
    if (!info.user.isSelf) chownSync(confPath, info.user.uid, info.user.gid);
  });
}

function readPostmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function clusterUrl(port: number, database = 'moshpit'): string {
  return `postgres://postgres@127.0.0.1:${port}/${database}`;
}

/** Starts the cluster (or adopts it if this checkout's cluster is already running). */
export async function startCluster(): Promise<RunningCluster> {
  const info = await clusterInfo();
  await initCluster(info);
  const existing = readPostmasterPid(info.dataDir);
  if (existing && isAlive({ pid: existing, startTicks: null })) {
    return { url: clusterUrl(info.port), port: info.port, process: own(existing, 'postgres'), dataDir: info.dataDir };
  }
  await withProgress(`starting PostgreSQL on 127.0.0.1:${info.port}`, () =>
    execAsPgUser(info.user, join(info.binDir, 'pg_ctl'), [
      '-D', info.dataDir, '-l', info.logFile, '-w', '-t', '60',
      '-o', `-p ${info.port} -k ${info.socketDir}`,
      'start',
    ]),
  );
  const pid = readPostmasterPid(info.dataDir);
  if (!pid) throw new Error(`PostgreSQL started but wrote no postmaster.pid (see ${info.logFile})`);
  await ensureDatabase(info, 'moshpit');
  return { url: clusterUrl(info.port), port: info.port, process: own(pid, 'postgres'), dataDir: info.dataDir };
}

async function ensureDatabase(info: ClusterInfo, name: string): Promise<void> {
  const psql = join(info.binDir, 'psql');
  const args = ['-h', '127.0.0.1', '-p', String(info.port), '-U', 'postgres', '-d', 'postgres', '-tAc'];
  const r = await execAsPgUser(info.user, psql, [...args, `SELECT 1 FROM pg_database WHERE datname = '${name}'`]);
  if (r.stdout.trim() !== '1') await execAsPgUser(info.user, psql, [...args, `CREATE DATABASE ${name}`]);
}

/** Fast shutdown through pg_ctl, which signals the PID in postmaster.pid: ours by construction. */
export async function stopCluster(dataDir: string): Promise<void> {
  if (!readPostmasterPid(dataDir)) return;
  const info = await clusterInfo();
  await execAsPgUser(info.user, join(info.binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], { check: false });
}
