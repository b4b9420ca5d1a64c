// Finds influxd (1.x), installing Debian's `influxdb` package when we are root with apt-get.
// The package's postinst would start and enable a system influxd on 8086; moshpit runs its
// own instance instead, so during the install a narrow policy-rc.d denies only that start, and
// on systemd hosts a unit our install enabled (or started) is disabled (stopped) again.
// Nothing that was there before our apt-get is touched.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { exec, which } from './exec.js';
import { withLock } from './lock.js';
import { isAlive } from './processes.js';
import { progress, withProgress } from './progress.js';

export class InfluxUnavailable extends Error {}

export interface InfluxBinary { path: string; version: string }

const POLICY_RC = '/usr/sbin/policy-rc.d';
const GUARD_MARK = 'moshpit-influxdb-install-guard';
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

/** MOSHPIT_INFLUXD, else influxd on PATH, else /usr/bin/influxd (sbin-less PATHs miss nothing). */
export async function findInfluxd(): Promise<string | null> {
  const override = process.env.MOSHPIT_INFLUXD;
  if (override) return existsSync(override) ? override : null;
  return (await which('influxd')) ?? (existsSync('/usr/bin/influxd') ? '/usr/bin/influxd' : null);
}

/** "1.6.7~rc0" from `influxd version` ("InfluxDB v1.6.7~rc0 (git: ...)"). */
export async function influxdVersion(path: string): Promise<string> {
  const r = await exec(path, ['version'], { check: false });
  const m = /InfluxDB v?(\d+\.\d+[^\s]*)/.exec(r.stdout + r.stderr);
  if (!m) throw new InfluxUnavailable(`${path} version printed no InfluxDB version: ${(r.stdout + r.stderr).trim()}`);
  return m[1]!;
}

async function checked(path: string): Promise<InfluxBinary> {
  const version = await influxdVersion(path);
  // k6's built-in output and our client speak the 1.x API; 2.x's influxd is a different server.
  if (!version.startsWith('1.')) {
    throw new InfluxUnavailable(`${path} is InfluxDB ${version}; moshpit needs InfluxDB 1.x (set MOSHPIT_INFLUXD to a 1.x influxd)`);
  }
  return { path, version };
}

export async function ensureInfluxBinary(): Promise<InfluxBinary> {
  const found = await findInfluxd();
  if (found) return checked(found);
  if (process.getuid?.() === 0 && (await which('apt-get'))) {
    await withLock(tmpdir(), 'moshpit-influxdb-install', async () => {
      if (await findInfluxd()) return; // another process installed it while we waited
      await withProgress('installing InfluxDB 1.x (apt-get install influxdb)', aptInstallWithoutService);
    });
    const path = await findInfluxd();
    if (path) return checked(path);
  }
  throw new InfluxUnavailable(
    'InfluxDB 1.x (influxd) was not found.\n' +
      '  Install it (Debian/Ubuntu: sudo apt-get install --no-install-recommends influxdb;\n' +
      '  macOS: brew install influxdb@1), or set MOSHPIT_INFLUXD=/path/to/influxd (1.x).\n' +
      '  moshpit starts its own influxd on 127.0.0.1; a system service is neither needed nor used.',
  );
}

async function aptInstallWithoutService(): Promise<void> {
  const wasInstalled = (await exec('dpkg-query', ['-W', '-f=${Status}', 'influxdb'], { check: false })).stdout.includes('install ok installed');
  const removeGuard = installStartGuard();
  try {
    const install = () => exec('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=120', 'influxdb'], { env: APT_ENV });
    // The package lists are usually fresh; only refresh them when apt cannot find the package.
    await install().catch(async () => {
      await exec('apt-get', ['update'], { env: APT_ENV });
      await install();
    });
  } finally {
    removeGuard();
  }
  if (!wasInstalled) await undoServiceEnable();
}

/** A policy-rc.d that denies only influxdb's start; 104 ("allowed") for everything else,
 *  which is what invoke-rc.d and deb-systemd-invoke assume when there is no policy-rc.d. */
export function startGuardScript(pid: number): string {
  return [
    '#!/bin/sh',
    `# ${GUARD_MARK} pid=${pid}: keeps apt-get from starting a system influxd while`,
    '# moshpit installs the influxdb package (moshpit runs its own). Removed right after.',
    'for arg in "$@"; do',
    '  case "$arg" in influxdb|influxdb.service|influxd|influxd.service) exit 101 ;; esac',
    'done',
    'exit 104',
    '',
  ].join('\n');
}

/** Installs the guard for the install's duration. An existing policy-rc.d is the admin's: left alone. */
function installStartGuard(): () => void {
  removeStaleGuard();
  if (existsSync(POLICY_RC)) return () => {};
  writeFileSync(POLICY_RC, startGuardScript(process.pid), { mode: 0o755, flag: 'wx' });
  return () => {
    if (readGuardPid() === process.pid) rmSync(POLICY_RC, { force: true });
  };
}

function readGuardPid(): number | null {
  try {
    const m = new RegExp(`${GUARD_MARK} pid=(\\d+)`).exec(readFileSync(POLICY_RC, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** A guard whose writer died mid-install (it names its PID) is ours to clean up. */
function removeStaleGuard(): void {
  const pid = readGuardPid();
  if (pid !== null && pid !== process.pid && !isAlive({ pid, startTicks: null })) rmSync(POLICY_RC, { force: true });
}

/** On systemd hosts the postinst also enables the unit for boot (and starts it where an
 *  admin's policy-rc.d allows). The package was not installed before our apt-get, so both were
 *  done by our install: undo them through systemd, never by signalling a PID. */
async function undoServiceEnable(): Promise<void> {
  if (!existsSync('/run/systemd/system') || !(await which('systemctl'))) return;
  const active = await exec('systemctl', ['is-active', 'influxdb.service'], { check: false });
  if (active.stdout.trim() === 'active') {
    await exec('systemctl', ['stop', 'influxdb.service'], { check: false });
    progress('stopped influxdb.service, which the package install started (moshpit runs its own influxd)');
  }
  const enabled = await exec('systemctl', ['is-enabled', 'influxdb.service'], { check: false });
  if (enabled.stdout.trim() === 'enabled') {
    await exec('systemctl', ['disable', 'influxdb.service'], { check: false });
    progress('disabled influxdb.service, which the package install enabled (moshpit runs its own influxd)');
  }
}
