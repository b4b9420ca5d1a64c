// A scenario run long enough that only a signal or `moshpit stop` ends it in time, isolated in
// its own work folder (state, fixtures, results), and the clean-up of what such a test started.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedLoad } from '../../stack/load-processes.js';
import { isAlive } from '../../stack/processes.js';
import type { StackState } from '../../stack/state.js';
import { RELAXED_LATENCY_JSON } from './relaxed-thresholds.js';

const readJson = <T>(f: string): T | null => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as T : null);

/** The CLI's environment: the test database, everything else under `work`, 200 s of smoke load. */
export function longRunEnv(work: string, databaseUrl: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    MOSHPIT_STATE_DIR: join(work, 'state'),
    MOSHPIT_FIXTURES_DIR: join(work, 'fixtures'),
    MOSHPIT_RESULTS_DIR: join(work, 'results'),
    THRESHOLDS_JSON: RELAXED_LATENCY_JSON,
    MOSHPIT_DURATION_SCALE: '8',
  };
  for (const k of ['TARGET_URL', 'SUPABASE_URL', 'PROFILE']) delete e[k];
  return e;
}

/** Only if a test failed half-way: what it started (children, recorded load, the target), by PID. */
export function killLeftovers(work: string, children: ChildProcess[]): void {
  for (const c of children) if (c.exitCode === null && c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
  for (const p of readJson<RecordedLoad[]>(join(work, 'state', 'load.json')) ?? []) if (isAlive(p)) process.kill(p.pid, 'SIGKILL');
  const target = readJson<StackState>(join(work, 'state', 'stack.json'))?.target?.process;
  if (target && isAlive(target)) process.kill(target.pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
