// A private PostgreSQL cluster for this checkout, built from the system's PostgreSQL binaries.
// Loopback only, a non-default port, data under the cache dir of the user it runs as.
// PostgreSQL refuses to run as root, so when we are root it runs as the unprivileged
// system user `moshpit`, which this module creates.
// Authentication: never `trust`. TCP needs a generated password (SCRAM-SHA-256), kept 0600 in
// the cluster's directory and carried in the cluster's URL; the Unix socket sits in that 0700
// directory and admits only the cluster's own OS user (peer, mapped to role postgres).
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cacheDir, checkoutId } from './paths.js';
import { exec, which } from './exec.js';
import { own, type OwnedProcess, isAlive, sleep } from './processes.js';
import { progress, withProgress } from './progress.js';

export const PG_RUN_USER = 'moshpit';
const PG_RUN_HOME = '/var/lib/moshpit';
const BASE_PORT = 55432;

export interface PgUser { name: string; uid: number; gid: number; home: string; isSelf: boolean }

export interface ClusterInfo {
  binDir: string;
  dataDir: string;
  /** The cluster's own directory (0700): socket, port, password and log live here. */
  socketDir: string;
  /** The superuser's password, 0600; created by startCluster. */
  passwordFile: string;
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
export function execAsPgUser(user: PgUser, cmd: string, args: string[], opts: { check?: boolean; input?: string } = {}) {
  if (user.isSelf) return exec(cmd, args, opts);
  return exec('runuser', ['-u', user.name, '--', cmd, ...args], { ...opts, cwd: user.home });
}

/** The OS account peer authentication sees (USER may be unset or stale). */
function osUserName(user: PgUser): string {
  return user.isSelf ? userInfo().username : user.name;
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
  // The socket directory: private, whatever mode an older version or the umask left.
  chmodSync(clusterDir, 0o700);
  const port = await choosePort(clusterDir);
  writeFileSync(join(clusterDir, 'port'), String(port));
  return {
    binDir, dataDir: join(clusterDir, 'data'), socketDir: clusterDir, passwordFile: join(clusterDir, 'password'),
    logFile: join(clusterDir, 'postgres.log'), port, user,
  };
}

const PASSWORD_PATTERN = /^[A-Za-z0-9_-]{32,}$/;

/** The superuser password: read, or generated once (URL-safe, so it goes into URLs as is). */
export function ensurePassword(info: ClusterInfo): string {
  if (!existsSync(info.passwordFile)) {
    const fresh = randomBytes(24).toString('base64url');
    try {
      writeFileSync(info.passwordFile, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process won the race
    }
  }
  chmodSync(info.passwordFile, 0o600);
  if (!info.user.isSelf) chownSync(info.passwordFile, info.user.uid, info.user.gid);
  const password = readFileSync(info.passwordFile, 'utf8').trim();
  if (!PASSWORD_PATTERN.test(password)) throw new Error(`${info.passwordFile} does not hold a password moshpit generated; remove it to get a new one`);
  return password;
}

/** A SCRAM-SHA-256 verifier (RFC 5802/7677, PostgreSQL's format): the server never sees the password. */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

// Throughput settings for a disposable test cluster; durability is not what we test here.
const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: "'127.0.0.1'",
  password_encryption: "'scram-sha-256'",
  unix_socket_permissions: '0700',
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
  // Per-statement timings for the run report's bottleneck analysis (monitoring/bottleneck/).
  // Loaded at server start only: a cluster already running picks it up at its next restart.
  // 'all' also times the statements inside the stored procedures, not only the calls.
  shared_preload_libraries: "'pg_stat_statements'",
  'pg_stat_statements.track': "'all'",
};

async function initCluster(info: ClusterInfo): Promise<void> {
  if (existsSync(join(info.dataDir, 'PG_VERSION'))) return;
  await withProgress(`initialising a private PostgreSQL cluster (${info.dataDir})`, async () => {
    // Password from the first moment; writeServerConfig replaces initdb's pg_hba.conf next.
    await execAsPgUser(info.user, join(info.binDir, 'initdb'), [
      '-D', info.dataDir, '-U', 'postgres', '--auth-local=peer', '--auth-host=scram-sha-256', `--pwfile=${info.passwordFile}`,
      '-E', 'UTF8', '--locale=C', '--no-sync',
    ]);
    writeFileSync(join(info.dataDir, 'postgresql.conf'), `\ninclude 'conf.d-moshpit.conf'\n`, { flag: 'a' });
  });
}

/** Writes a file owned by the cluster's user, atomically; true when its content changed. */
function writeOwned(path: string, content: string, user: PgUser): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return false;
  const tmp = `${path}.moshpit-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  if (!user.isSelf) chownSync(tmp, user.uid, user.gid);
  renameSync(tmp, path);
  return true;
}

/** pg_hba.conf and pg_ident.conf as moshpit wants them: no trust anywhere. */
export function authConfig(osUser: string): { hba: string; ident: string } {
  return {
    hba: [
      '# written by moshpit stack (rewritten at every start): no trust.',
      '# Unix socket (a 0700 directory): only the cluster\'s OS user, as role postgres.',
      'local   all   all                  peer map=moshpit',
      '# TCP: the password in the cluster\'s password file, SCRAM only.',
      'host    all   all   127.0.0.1/32   scram-sha-256',
      'host    all   all   ::1/128        scram-sha-256',
      '',
    ].join('\n'),
    ident: `# written by moshpit stack\nmoshpit   ${osUser}   postgres\n`,
  };
}

/** Server settings and authentication rules; true when pg_hba.conf changed (e.g. a cluster created with trust). */
function writeServerConfig(info: ClusterInfo): boolean {
  const conf = Object.entries(SERVER_SETTINGS).map(([k, v]) => `${k} = ${v}`).join('\n');
  writeOwned(join(info.dataDir, 'conf.d-moshpit.conf'), `# written by moshpit stack\n${conf}\n`, info.user);
  const { hba, ident } = authConfig(osUserName(info.user));
  const identChanged = writeOwned(join(info.dataDir, 'pg_ident.conf'), ident, info.user);
  return writeOwned(join(info.dataDir, 'pg_hba.conf'), hba, info.user) || identChanged;
}

/** psql over the private socket, as the cluster's OS user (peer); SQL on stdin, never in argv. */
function psqlLocal(info: ClusterInfo, sql: string, opts: { check?: boolean } = {}) {
  return execAsPgUser(info.user, join(info.binDir, 'psql'), [
    '-h', info.socketDir, '-p', String(info.port), '-U', 'postgres', '-d', 'postgres', '-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '-f', '-',
  ], { ...opts, input: sql });
}

async function setPassword(info: ClusterInfo, password: string): Promise<void> {
  await psqlLocal(info, `ALTER ROLE postgres PASSWORD '${scramVerifier(password)}';\n`);
}

/** Login over TCP as postgres; null when it worked, else the SQLSTATE (or error message). */
export async function tryLogin(port: number, password: string, database = 'postgres'): Promise<string | null> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const AUTH_REFUSED = new Set(['28P01', '28000']);

/**
 * Proves the rules in force: after a reload, a wrong password must be refused over TCP (the
 * reload is asynchronous: wait for it); the right one must be accepted (set again if not, e.g.
 * the password file was replaced).
 */
async function verifyAuth(info: ClusterInfo, password: string, reloaded: boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  let wrong: string | null = null;
  while (reloaded && !AUTH_REFUSED.has((wrong = await tryLogin(info.port, `not-${password}`)) ?? '')) {
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL on 127.0.0.1:${info.port} ${wrong === null ? 'accepts a wrong password' : `answered ${wrong}`}; its pg_hba.conf is not in force (see ${info.logFile})`);
    }
    await sleep(100);
  }
  if ((await tryLogin(info.port, password)) === null) return;
  await setPassword(info, password);
  const again = await tryLogin(info.port, password);
  if (again !== null) throw new Error(`PostgreSQL on 127.0.0.1:${info.port} refuses the password in ${info.passwordFile} (${again})`);
}

function readPostmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The cluster's URL, credentials included (print it through core/redact.ts's redactUrl). */
export function clusterUrl(port: number, password: string, database = 'moshpit'): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Starts the cluster (or adopts it if this checkout's cluster is already running). */
export async function startCluster(): Promise<RunningCluster> {
  const info = await clusterInfo();
  const password = ensurePassword(info);
  await initCluster(info);
  const authChanged = writeServerConfig(info);
  const existing = readPostmasterPid(info.dataDir);
  let pid: number;
  let reloaded = false;
  if (existing && isAlive({ pid: existing, startTicks: null })) {
    pid = existing;
    if (authChanged) {
      // Running with older rules (trust): password first, then the new rules.
      progress(`PostgreSQL on 127.0.0.1:${info.port}: replacing trust authentication with a password (SCRAM)`);
      await setPassword(info, password);
      await execAsPgUser(info.user, join(info.binDir, 'pg_ctl'), ['-D', info.dataDir, 'reload']);
      reloaded = true;
    }
    const restarted = await restartForPreload(info);
    if (restarted) pid = restarted;
  } else {
    await withProgress(`starting PostgreSQL on 127.0.0.1:${info.port}`, () =>
      execAsPgUser(info.user, join(info.binDir, 'pg_ctl'), [
        '-D', info.dataDir, '-l', info.logFile, '-w', '-t', '60',
        '-o', `-p ${info.port} -k ${info.socketDir}`,
        'start',
      ]),
    );
    const started = readPostmasterPid(info.dataDir);
    if (!started) throw new Error(`PostgreSQL started but wrote no postmaster.pid (see ${info.logFile})`);
    pid = started;
    if (authChanged) await setPassword(info, password); // a cluster created before passwords had none
  }
  await verifyAuth(info, password, reloaded);
  await ensureDatabase(info, 'moshpit');
  return { url: clusterUrl(info.port, password), port: info.port, process: own(pid, 'postgres'), dataDir: info.dataDir };
}

/**
 * A cluster started before moshpit preloaded pg_stat_statements takes the setting only at a
 * restart. Restarted here when nobody is connected (nothing to interrupt); otherwise it keeps
 * running as it is and the run report says the statement analysis needs a restart.
 * Returns the new postmaster PID when it restarted.
 */
async function restartForPreload(info: ClusterInfo): Promise<number | null> {
  // The value in force, not the file's: the file already asks for it (writeServerConfig).
  const r = await psqlLocal(info, [
    "SELECT current_setting('shared_preload_libraries') || '|' ||",
    "       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())::text;",
    '',
  ].join('\n'), { check: false });
  const [loaded, clients] = r.stdout.trim().split('|');
  if (r.code !== 0 || loaded === undefined || loaded.split(',').map((x) => x.trim()).includes('pg_stat_statements')) return null;
  if (clients !== '0') {
    progress(`PostgreSQL on 127.0.0.1:${info.port} was started before pg_stat_statements was preloaded; ${clients} client(s) connected, so it is not restarted now ('moshpit stack down' then up restarts it)`);
    return null;
  }
  await withProgress(`restarting PostgreSQL on 127.0.0.1:${info.port} to preload pg_stat_statements`, () =>
    execAsPgUser(info.user, join(info.binDir, 'pg_ctl'), [
      '-D', info.dataDir, '-l', info.logFile, '-w', '-t', '60', '-m', 'fast',
      '-o', `-p ${info.port} -k ${info.socketDir}`,
      'restart',
    ]),
  );
  return readPostmasterPid(info.dataDir);
}

async function ensureDatabase(info: ClusterInfo, name: string): Promise<void> {
  const r = await psqlLocal(info, `SELECT 1 FROM pg_database WHERE datname = '${name}';\n`);
  if (r.stdout.trim() !== '1') await psqlLocal(info, `CREATE DATABASE ${name};\n`);
}

/** Fast shutdown through pg_ctl, which signals the PID in postmaster.pid: ours by construction. */
export async function stopCluster(dataDir: string): Promise<void> {
  if (!readPostmasterPid(dataDir)) return;
  const info = await clusterInfo();
  await execAsPgUser(info.user, join(info.binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], { check: false });
}
