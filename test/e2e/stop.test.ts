// `moshpit stop` from a second process: the running scenario (its load long enough that only a
// stop ends it in time) stops its load, validates what ran, tears down, and ends "interrupted"
// (130); stop reports that and exits 0, and nothing the run started is left running. With no
// run in progress, stop says so and exits non-zero.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { EXIT } from '../../core/exit-codes.js';
import { exec } from '../../stack/exec.js';
import type { RecordedLoad } from '../../stack/load-processes.js';
import { projectRoot } from '../../stack/paths.js';
import { isAlive, sleep } from '../../stack/processes.js';
import type { RunningScenario } from '../../stack/run-state.js';
import type { StackState } from '../../stack/state.js';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir } from '../support/scenario-run.js';
import { killLeftovers, longRunEnv } from '../support/long-run.js';

const db = await useTestDatabase();
const work = newWorkDir();
const children: ChildProcess[] = [];
const stateFile = (name: string) => join(work, 'state', name);
const readJson = <T>(f: string): T | null => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as T : null);

afterAll(() => killLeftovers(work, children));

const env = (): NodeJS.ProcessEnv => longRunEnv(work, db.url);

const cli = (args: string[]) => exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), ...args], { cwd: projectRoot, env: env(), check: false });

it('with no run in progress, stop says so and exits non-zero', async () => {
  const r = await cli(['stop']);
  expect(r.code).toBe(EXIT.error);
  expect(r.stderr).toMatch(/no scenario run in progress .*nothing was stopped/);
});

it('stop from a second process ends the run as interrupted (130) and leaves nothing running', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'scenario', 'concession', '--profile', 'smoke', '--quiet', '--no-report'], { cwd: projectRoot, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

  // The run is recorded with its orchestrator's PID, and its load is running.
  const deadline = Date.now() + 180_000;
  let load: RecordedLoad[] = [];
  while (load.length === 0 || !/load starts at t0/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the load never started:\n${out.slice(-3000)}`);
    await sleep(200);
    load = readJson<RecordedLoad[]>(stateFile('load.json')) ?? [];
  }
  const runs = readJson<RunningScenario[]>(stateFile('runs.json')) ?? [];
  expect(runs.map((r) => r.pid)).toEqual([child.pid]);
  const target = readJson<StackState>(stateFile('stack.json'))!.target!.process;
  await sleep(2000); // some load has run

  const stop = await cli(['stop', '--timeout', '200']);
  expect(stop.code, `${stop.stdout}\n${stop.stderr}`).toBe(0);
  expect(stop.stdout).toContain(`stopping run ${runs[0]!.runId}`);
  expect(stop.stdout).toMatch(new RegExp(`run ${runs[0]!.runId} ended with exit 130 \\(interrupted\\)`));

  // The run has ended by the time stop returns (stop waited for it), interrupted.
  expect(await exited, out.slice(-3000)).toBe(EXIT.interrupted);
  expect(out).toMatch(/INTERRUPTED/);
  const resultsDir = runs[0]!.resultsDir;
  // What ran was validated, and holds: iterations in flight finished before the load ended, so
  // every write in the database was seen by a client (no phantom writes from the interruption).
  const validation = readJson<{ ok: boolean; verdict: string }>(join(resultsDir, 'validation.json'));
  expect(validation?.ok, validation?.verdict).toBe(true);
  expect(readJson<{ exit: { code: number } }>(join(resultsDir, 'metadata.json'))!.exit.code).toBe(EXIT.interrupted);
  // Nothing left: load processes, the on-demand target, the run record.
  for (const p of load) expect(isAlive(p), `${p.name} (pid ${p.pid})`).toBe(false);
  expect(isAlive(target), `target (pid ${target.pid})`).toBe(false);
  expect(readJson<RunningScenario[]>(stateFile('runs.json')) ?? []).toEqual([]);

  // Once it has ended, there is nothing to stop.
  expect((await cli(['stop'])).code).toBe(EXIT.error);
}, 400_000);
