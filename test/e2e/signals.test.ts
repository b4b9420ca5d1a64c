// Signals stop the load, not just the CLI. SIGTERM (a CI timeout, systemd): the load processes
// are stopped, what ran is validated, the stack is torn down, and the run ends as interrupted
// (130), never as a pass. SIGKILL of the CLI leaves its load processes running, but they are
// recorded: `moshpit stack down` stops them, by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../../stack/paths.js';
import { isAlive } from '../../stack/processes.js';
import type { RecordedLoad } from '../../stack/load-processes.js';
import { exec } from '../../stack/exec.js';
import { useTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { streamWindowWritten } from '../support/run-progress.js';
import { newWorkDir } from '../support/scenario-run.js';
import { killLeftovers, longRunEnv } from '../support/long-run.js';

const db = await useTestDatabase();
const work = newWorkDir();
const children: ChildProcess[] = [];
const loadFile = join(work, 'state', 'load.json');

afterAll(() => killLeftovers(work, children));

const env = (): NodeJS.ProcessEnv => longRunEnv(work, db.url);

function startRun(): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'scenario', 'concession', '--profile', 'smoke', '--quiet'], { cwd: projectRoot, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit, output: () => out };
}

async function loadRecorded({ child, output }: { child: ChildProcess; output: () => string }): Promise<RecordedLoad[]> {
  return eventually(() => {
    if (!/load starts at t0/.test(output()) || !existsSync(loadFile)) return [];
    return JSON.parse(readFileSync(loadFile, 'utf8')) as RecordedLoad[];
  }, { what: 'the load to start', until: (list) => list.length > 0, giveUpIf: () => child.exitCode !== null && `the run exited (${child.exitCode}):\n${output().slice(-3000)}` });
}

it('SIGTERM stops the load, validates what ran and exits 130 (interrupted), leaving nothing running', async () => {
  const run = startRun();
  const load = await loadRecorded(run);
  await eventually(() => streamWindowWritten(join(work, 'results')), { what: 'some load to have run' });
  run.child.kill('SIGTERM');
  const code = await run.exit;
  expect(code, run.output().slice(-3000)).toBe(130);
  expect(run.output()).toMatch(/INTERRUPTED/);
  for (const p of load) expect(isAlive(p), `${p.name} (pid ${p.pid})`).toBe(false);
  const latest = readFileSync(join(work, 'results', 'LATEST'), 'utf8').trim();
  // Validated, and clean: in-flight iterations finished before the load processes ended.
  const validation = JSON.parse(readFileSync(join(work, 'results', latest, 'validation.json'), 'utf8')) as { ok: boolean; verdict: string };
  expect(validation.ok, validation.verdict).toBe(true);
  const meta = JSON.parse(readFileSync(join(work, 'results', latest, 'metadata.json'), 'utf8')) as { exit: { code: number } };
  expect(meta.exit.code).toBe(130);
}, 240_000);

it('SIGKILL of the CLI orphans its load processes; `stack down` stops them by PID', async () => {
  const run = startRun();
  const load = await loadRecorded(run);
  run.child.kill('SIGKILL');
  await run.exit;
  expect(load.some((p) => isAlive(p))).toBe(true); // still loading the target: this is the hazard
  const down = await exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'stack', 'down'], { cwd: projectRoot, env: env(), check: false });
  expect(down.code, down.stderr).toBe(0);
  expect(down.stdout + down.stderr).toMatch(/load artillery-concession-s0/);
  for (const p of load) expect(isAlive(p), `${p.name} (pid ${p.pid})`).toBe(false);
}, 240_000);
