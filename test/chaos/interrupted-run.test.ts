// A chaos run whose orchestrator dies mid-fault (SIGKILL to its process group: the CLI and its
// load processes, like a terminal session killed by the OOM killer) cannot remove its fault: the toxic stays
// on in the stack's Toxiproxy, and its marker names the dead run. The next run cleans up: the
// orphaned Toxiproxy is stopped, the dead run's windows are closed as interrupted and its
// outcome recorded as crashed, and the new run proceeds on a clean fault layer.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { ChaosWindowsFile } from '../../chaos/windows-file.js';
import { projectRoot } from '../../stack/paths.js';
import { isAlive, type OwnedProcess } from '../../stack/processes.js';
import type { StackState } from '../../stack/state.js';
import { useTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { newWorkDir, runScenarioCli } from '../support/scenario-run.js';

const db = await useTestDatabase();
const work = newWorkDir();
const stateFile = join(work, 'state', 'stack.json');
const markerFile = join(work, 'state', 'chaos', 'in-progress.json');
const started: OwnedProcess[] = [];
let group: number | undefined;

afterAll(() => {
  // only if the test failed half-way: what this test started, by PID / process group
  if (group) try { process.kill(-group, 'SIGKILL'); } catch { /* gone */ }
  for (const p of started) if (isAlive(p)) process.kill(p.pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const readJson = <T>(file: string): T | null => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
};

it('cleans up after a chaos run killed mid-fault', async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    MOSHPIT_STATE_DIR: join(work, 'state'),
    MOSHPIT_FIXTURES_DIR: join(work, 'fixtures'),
    MOSHPIT_RESULTS_DIR: join(work, 'results'),
    MOSHPIT_DURATION_SCALE: '1.6',
  };
  for (const k of ['TARGET_URL', 'SUPABASE_URL', 'PROFILE', 'TARGET_KIND']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'scenario', 'chaos', '--quiet', '--profile', 'smoke', '--wallets', '1000',
    '--faults', 'db-latency@2s+30s,webhook-dup@2s+10s'], { cwd: projectRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  group = child.pid!;
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { gone = true; resolve(); }));
  const giveUpIf = () => gone && `the run exited early:\n${output.slice(-3000)}`;

  // Wait for the DB fault to be on, then kill the whole run (CLI + load processes) at once.
  const runDir = await eventually(() => {
    const latest = existsSync(join(work, 'results', 'LATEST')) && readFileSync(join(work, 'results', 'LATEST'), 'utf8').trim();
    return latest && join(work, 'results', latest);
  }, { what: 'the run directory', giveUpIf }) as string;
  const windowsFile = join(runDir, 'chaos-windows.json');
  await eventually(() => readJson<ChaosWindowsFile>(windowsFile)?.windows.every((w) => w.status === 'active' && w.startMs), { what: 'both faults on', giveUpIf });
  const stack = readJson<StackState>(stateFile)!;
  const toxiproxy = stack.toxiproxy!;
  started.push(toxiproxy.process, stack.target!.process);
  process.kill(-group, 'SIGKILL');
  await exited;
  group = undefined;

  // The dead run could not clean up: its toxic is still on, its marker names it.
  const toxics = await (await fetch(`${toxiproxy.apiUrl}/proxies/${toxiproxy.proxy}/toxics`)).json() as Array<{ name: string }>;
  expect(toxics.map((t) => t.name)).toEqual(['moshpit-db-latency']);
  expect(readJson<{ pid: number }>(markerFile)?.pid).toBe(child.pid);
  expect(readJson<ChaosWindowsFile>(windowsFile)!.outcome).toBe('running');
  expect(isAlive(toxiproxy.process)).toBe(true); // detached: it outlived its orchestrator

  // The next run, in the same checkout, cleans up before it injects anything.
  const next = await runScenarioCli({
    databaseUrl: db.url,
    scenario: 'chaos',
    workDir: work,
    args: ['--profile', 'smoke', '--wallets', '1000', '--faults', 'db-reset@1s+1s'],
    env: { MOSHPIT_DURATION_SCALE: '0.2' },
  });
  expect(next.code, `${next.stderr.slice(-3000)}\n${next.stdout.slice(-2000)}`).toBe(0);
  expect(next.runId).not.toBe(runDir.split('/').at(-1));
  expect(next.stderr).toMatch(/cleaned up after crashed chaos run \S+ \(pid \d+\)/);

  expect(isAlive(toxiproxy.process)).toBe(false); // the orphan was stopped, by its PID
  expect(isAlive(stack.target!.process)).toBe(false);
  expect(existsSync(markerFile)).toBe(false);
  const dead = readJson<ChaosWindowsFile>(windowsFile)!;
  expect(dead.outcome).toBe('crashed');
  expect(dead.windows.map((w) => [w.fault, w.status])).toEqual([['db-latency', 'interrupted'], ['webhook-dup', 'interrupted']]);
  expect(dead.windows[0]!.error).toBe('controller died; fault removed by cleanupStale');
  const fresh = readJson<ChaosWindowsFile>(join(next.runDir!, 'chaos-windows.json'))!;
  expect(fresh.outcome).toBe('completed');
  expect(fresh.windows.map((w) => [w.fault, w.status])).toEqual([['db-reset', 'done']]);
  expect(existsSync(stateFile)).toBe(false);
  expect(next.failedCheckers).toEqual([]);
}, 400_000);
