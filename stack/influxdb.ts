// A private InfluxDB 1.x for this checkout: the store k6 streams metrics into and Grafana reads.
// Mirrors postgres.ts: loopback only, non-default ports, data under the cache dir of the user
// it runs as (the unprivileged `moshpit` user when we are root), one instance per checkout id.
// `startInflux` adopts this checkout's running influxd (pid file in the instance dir) or
// starts one; `stopInflux` signals only that PID. A system influxd (8086) is never used.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfluxClient } from '../monitoring/influx/influx-client.js';
import { ensureInfluxBinary, type InfluxBinary } from './influxdb-install.js';
import { renderInfluxConfig, type InfluxDirs } from './influxdb-config.js';
import { choosePorts, readPorts, type InfluxPorts } from './influxdb-ports.js';
import { chownTo, ensureRunUser, mkdirOwnedBy } from './influxdb-user.js';
import { withLock } from './lock.js';
import { cacheDir, checkoutId } from './paths.js';
import type { PgUser } from './postgres.js';
import { isAlive, own, sleep, stopOwned, type OwnedProcess } from './processes.js';
import { withProgress } from './progress.js';

export { ensureInfluxBinary, InfluxUnavailable } from './influxdb-install.js';

/** Databases every instance has: k6's metrics, and moshpit's own points (annotations, verdicts). */
export const INFLUX_DATABASES = ['k6', 'moshpit'] as const;

export interface InfluxOptions {
  /** Which instance: defaults to this checkout's id. Tests pass their own. */
  instanceId?: string;
  databases?: readonly string[];
  startTimeoutMs?: number;
}

export interface RunningInflux {
  /** HTTP API base, e.g. http://127.0.0.1:58236 (k6: `--out influxdb=<url>/k6`). */
  url: string;
  port: number;
  process: OwnedProcess;
  /** The instance dir: config, pid file, log, and meta/ data/ wal/ below it. */
  dataDir: string;
  logFile: string;
  /** true when an already-running influxd of this instance was reused. */
  adopted: boolean;
}

interface Layout { dir: string; configFile: string; pidFile: string; logFile: string }

function layout(dir: string): Layout {
  return { dir, configFile: join(dir, 'influxd.conf'), pidFile: join(dir, 'influxd.pid'), logFile: join(dir, 'influxd.log') };
}

/** The instance dir for an id, under the cache dir of the user influxd runs as. */
export async function influxInstanceDir(instanceId: string = checkoutId): Promise<string> {
  if (!/^[a-z0-9-]{1,40}$/.test(instanceId)) throw new Error(`bad InfluxDB instance id ${JSON.stringify(instanceId)}`);
  const user = await ensureRunUser();
  return join(cacheDir(user.home), 'influxdb', instanceId);
}

/** The influxd recorded in the instance's pid file, if it is alive and really ours (its
 *  command line names our config file: a reused PID never passes that). */
export function runningInfluxPid(dataDir: string): number | null {
  const { pidFile, configFile } = layout(dataDir);
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive({ pid, startTicks: null })) return null;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(configFile) ? pid : null;
  } catch {
    return null;
  }
}

/** Starts this instance's influxd, or adopts it when it already runs. Creates the databases. */
export async function startInflux(opts: InfluxOptions = {}): Promise<RunningInflux> {
  const binary = await ensureInfluxBinary();
  const user = await ensureRunUser();
  const dir = await influxInstanceDir(opts.instanceId);
  mkdirOwnedBy(dir, user);
  const l = layout(dir);
  const databases = opts.databases ?? INFLUX_DATABASES;
  const timeoutMs = opts.startTimeoutMs ?? 60_000;

  return withLock(dir, 'start', async () => {
    const existing = runningInfluxPid(dir);
    if (existing) {
      const ports = readPorts(dir);
      if (!ports) throw new Error(`influxd (pid ${existing}) runs from ${dir} but its ports.json is missing`);
      const url = `http://127.0.0.1:${ports.http}`;
      const proc = own(existing, 'influxd');
      await waitForPing(url, proc, l.logFile, timeoutMs);
      await createDatabases(url, databases);
      return { url, port: ports.http, process: proc, dataDir: dir, logFile: l.logFile, adopted: true };
    }

    const dirs = { meta: join(dir, 'meta'), data: join(dir, 'data'), wal: join(dir, 'wal') };
    for (const d of Object.values(dirs)) mkdirOwnedBy(d, user);
    rmSync(l.pidFile, { force: true }); // stale: its influxd is gone (checked above)
    const instanceId = opts.instanceId ?? checkoutId;
    try {
      return await spawnInflux(binary, user, l, dirs, await choosePorts(dir, instanceId), databases, timeoutMs);
    } catch (err) {
      // Probing a port and influxd binding it are not atomic: another process may have won.
      if (!(err instanceof PortTaken)) throw err;
      return spawnInflux(binary, user, l, dirs, await choosePorts(dir, instanceId, true), databases, timeoutMs);
    }
  });
}

class PortTaken extends Error {}

async function spawnInflux(
  binary: InfluxBinary, user: PgUser, l: Layout, dirs: InfluxDirs, ports: InfluxPorts, databases: readonly string[], timeoutMs: number,
): Promise<RunningInflux> {
  writeFileSync(l.configFile, renderInfluxConfig(ports, dirs));
  for (const f of [l.configFile, join(l.dir, 'ports.json')]) chownTo(f, user);
  const url = `http://127.0.0.1:${ports.http}`;
  return withProgress(`starting InfluxDB ${binary.version} on 127.0.0.1:${ports.http}`, async () => {
    const log = openSync(l.logFile, 'a');
    chownTo(l.logFile, user);
    const logStart = fstatSync(log).size;
    const child = spawn(binary.path, ['run', '-config', l.configFile, '-pidfile', l.pidFile], {
      cwd: l.dir,
      detached: true, // its own process group: outlives `stack up`, no Ctrl-C delivered twice
      stdio: ['ignore', log, log],
      ...(user.isSelf ? {} : { uid: user.uid, gid: user.gid }),
      // A clean environment: INFLUXDB_* variables would override the config (e.g. bind addresses).
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: user.home, LANG: 'C.UTF-8' },
    });
    closeSync(log);
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', reject);
    });
    child.unref();
    const proc = own(pid, 'influxd');
    try {
      await waitForPing(url, proc, l.logFile, timeoutMs);
      await createDatabases(url, databases);
    } catch (err) {
      await stopOwned(proc); // ours, half-started: do not leave it behind
      if (/address already in use/.test(readFileSync(l.logFile, 'utf8').slice(logStart))) throw new PortTaken((err as Error).message);
      throw err;
    }
    return { url, port: ports.http, process: proc, dataDir: l.dir, logFile: l.logFile, adopted: false };
  });
}

/** SIGTERM (influxd flushes and closes), then SIGKILL after graceMs. Only this PID, if still the same process. */
export async function stopInflux(proc: OwnedProcess, graceMs = 10_000): Promise<void> {
  await stopOwned(proc, graceMs);
}

/** Stops the instance's influxd found through its pid file (e.g. after the state file was lost). */
export async function stopInfluxInstance(dataDir: string, graceMs = 10_000): Promise<number | null> {
  const pid = runningInfluxPid(dataDir);
  if (pid === null) return null;
  await stopOwned(own(pid, 'influxd'), graceMs);
  return pid;
}

/** Removes an instance dir (tests); refuses while its influxd runs. */
export function removeInfluxInstance(dataDir: string): void {
  if (runningInfluxPid(dataDir) !== null) throw new Error(`influxd still runs from ${dataDir}`);
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
}

async function waitForPing(url: string, proc: OwnedProcess, logFile: string, timeoutMs: number): Promise<void> {
  const client = new InfluxClient({ url, timeoutMs: 2000 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.ping();
      return;
    } catch (err) {
      if (!isAlive(proc)) throw new Error(`influxd exited during start-up:\n${tail(logFile)}`);
      if (Date.now() > deadline) throw new Error(`influxd did not answer ${url}/ping within ${timeoutMs} ms (${(err as Error).message}); log:\n${tail(logFile)}`);
      await sleep(100);
    }
  }
}

async function createDatabases(url: string, names: readonly string[]): Promise<void> {
  const client = new InfluxClient({ url });
  for (const name of names) await client.createDatabase(name); // idempotent in 1.x
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
