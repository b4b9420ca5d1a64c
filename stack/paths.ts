// Where things live. Per-checkout state (PIDs, logs) sits in .moshpit/ inside the checkout;
// built tools are shared across checkouts in the user cache, so a fresh clone reuses them.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** Per-checkout, git-ignored: stack state, logs, PID files. */
export const stateDir = process.env.MOSHPIT_STATE_DIR ? resolve(process.env.MOSHPIT_STATE_DIR) : join(projectRoot, '.moshpit');

/** Shared build cache for go-built tools (k6, Toxiproxy). */
export function cacheDir(home = homedir()): string {
  if (process.env.MOSHPIT_CACHE_DIR) return resolve(process.env.MOSHPIT_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(home, '.cache'), 'moshpit');
}

/** A short stable id for this checkout, so two clones never share a cluster or a port. */
export const checkoutId = process.env.MOSHPIT_CLUSTER_ID && /^[a-z0-9-]{1,32}$/.test(process.env.MOSHPIT_CLUSTER_ID)
  ? process.env.MOSHPIT_CLUSTER_ID
  : createHash('sha256').update(projectRoot).digest('hex').slice(0, 10);

// Overridable so parallel test runs (each with its own database) never share fixtures.
export const resultsDir = process.env.MOSHPIT_RESULTS_DIR ? resolve(process.env.MOSHPIT_RESULTS_DIR) : join(projectRoot, 'results');
export const fixturesDir = process.env.MOSHPIT_FIXTURES_DIR ? resolve(process.env.MOSHPIT_FIXTURES_DIR) : join(projectRoot, 'fixtures');
export const migrationsDir = join(projectRoot, 'platform', 'migrations');
