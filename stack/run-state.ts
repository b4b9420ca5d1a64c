// The scenario runs in progress (.moshpit/runs.json): each orchestrator records its own PID
// (with its start time, against PID reuse) and its run, so `moshpit stop` from another terminal
// can send it the SIGTERM a CI timeout would, and nothing else.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './paths.js';
import { isAlive, own, type OwnedProcess } from './processes.js';

export interface RunningScenario extends OwnedProcess {
  runId: string;
  resultsDir: string;
  scenario: string;
  profile: string;
  startedAt: string;
}

const file = () => join(stateDir, 'runs.json');

export function readRunningScenarios(): RunningScenario[] {
  if (!existsSync(file())) return [];
  try {
    const list = JSON.parse(readFileSync(file(), 'utf8')) as RunningScenario[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function write(list: RunningScenario[]): void {
  mkdirSync(stateDir, { recursive: true });
  if (list.length === 0) { rmSync(file(), { force: true }); return; }
  const tmp = `${file()}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(list, null, 2)}\n`);
  renameSync(tmp, file());
}

/** Records this process as running `runId` (entries of orchestrators that are gone are dropped). */
export function recordRunningScenario(run: Omit<RunningScenario, keyof OwnedProcess>): void {
  write([...readRunningScenarios().filter((r) => isAlive(r) && r.runId !== run.runId), { ...own(process.pid, 'moshpit scenario'), ...run }]);
}

export function forgetRunningScenario(runId: string): void {
  write(readRunningScenarios().filter((r) => r.runId !== runId && isAlive(r)));
}
