// Headless Chromium for the report tests: Debian's `chromium`, installed with apt-get when we
// are root and it is missing (one install at a time across test workers), else a clear error.
// Every launch gets a fresh profile and the flags that keep it off the network.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exec, which } from '../../stack/exec.js';
import { withLock } from '../../stack/lock.js';
import { withProgress } from '../../stack/progress.js';

const NAMES = ['chromium', 'chromium-browser'];

async function find(): Promise<string | null> {
  if (process.env.MOSHPIT_CHROMIUM) return process.env.MOSHPIT_CHROMIUM;
  for (const n of NAMES) {
    const p = await which(n);
    if (p) return p;
  }
  return null;
}

export async function ensureChromium(): Promise<string> {
  const found = await find();
  if (found) return found;
  if (process.getuid?.() === 0 && (await which('apt-get'))) {
    await withLock(tmpdir(), 'moshpit-chromium-install', async () => {
      if (await find()) return;
      await withProgress('installing Chromium for the report tests (apt-get install chromium)', async () => {
        const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
        const install = () => exec('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, check: false });
        let r = await install();
        if (r.code !== 0 && /Unable to locate package|has no installation candidate/.test(r.stderr + r.stdout)) {
          await exec('apt-get', ['update'], { env, check: false }); // a fresh machine has no package lists yet
          r = await install();
        }
        if (r.code !== 0) throw new Error(`apt-get install chromium failed (${r.code}):\n${(r.stderr || r.stdout).trim().split('\n').slice(-10).join('\n')}`);
      });
    });
    const installed = await find();
    if (installed) return installed;
  }
  throw new Error(
    'Chromium is needed to render the run report in a real browser and was not found.\n' +
      '  Debian/Ubuntu: sudo apt-get install --no-install-recommends chromium\n' +
      '  or set MOSHPIT_CHROMIUM=/path/to/chromium (any Chromium/Chrome with --headless).',
  );
}

// --disable-background-networking and friends: this machine has no network, and a test must
// not try to reach one (component updates, sync, QUIC probes).
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-extensions', '--hide-scrollbars',
];

async function launch(chromium: string, args: string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'mp-chromium-'));
  try {
    const r = await exec(chromium, [...FLAGS, `--user-data-dir=${profile}`, ...args], { check: false, timeout: 60_000 });
    if (r.code !== 0) throw new Error(`chromium exited ${r.code}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
    return r.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM after the page's scripts ran, as HTML. */
export function dumpDom(chromium: string, file: string): Promise<string> {
  return launch(chromium, ['--virtual-time-budget=5000', '--dump-dom', pathToFileURL(file).href]);
}

export async function screenshot(chromium: string, file: string, png: string, size = { width: 1280, height: 2400 }): Promise<void> {
  await launch(chromium, [`--window-size=${size.width},${size.height}`, `--screenshot=${png}`, pathToFileURL(file).href]);
}
