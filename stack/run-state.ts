// The scenario runs in progress (.moshpit/runs.json): each orchestrator records its own PID
// (with its start time, against PID reuse) and its run, so `moshpit stop` from another terminal
// can send it the SIGTERM a CI timeout would, and nothing else.
import { stateList } from './state-list.js';
import { isAlive, own, type OwnedProcess } from './processes.js';

export interface RunningScenario extends OwnedProcess {
  runId: string;
  resultsDir: string;
  scenario: string;
  profile: string;
  startedAt: string;
}

const runs = stateList<RunningScenario>('runs.json');

export function readRunningScenarios(): RunningScenario[] {
  return runs.read();
}

/** Records this process as running `runId` (entries of orchestrators that are gone are dropped). */
export function recordRunningScenario(run: Omit<RunningScenario, keyof OwnedProcess>): void {
  runs.write([...readRunningScenarios().filter((r) => isAlive(r) && r.runId !== run.runId), { ...own(process.pid, 'moshpit scenario'), ...run }]);
}

export function forgetRunningScenario(runId: string): void {
  runs.write(readRunningScenarios().filter((r) => r.runId !== runId && isAlive(r)));
}
