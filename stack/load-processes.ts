// The run's load processes (.moshpit/load.json), recorded as they start, so `stack down` can
// stop them after the orchestrator itself was killed (SIGKILL leaves them running: they are
// separate processes loading the target). Stopped by PID with the start-time guard, never by name.
import { stateList } from './state-list.js';
import { isAlive, own, stopOwned, type OwnedProcess } from './processes.js';

export interface RecordedLoad extends OwnedProcess { runId: string; orchestratorPid: number }

const recorded = stateList<RecordedLoad>('load.json');

export function readRecordedLoad(): RecordedLoad[] {
  return recorded.read();
}

export function recordLoadProcess(pid: number, name: string, runId: string): void {
  recorded.write([...readRecordedLoad().filter((p) => isAlive(p)), { ...own(pid, name), runId, orchestratorPid: process.pid }]);
}

export function forgetLoadProcess(pid: number): void {
  recorded.write(readRecordedLoad().filter((p) => p.pid !== pid && isAlive(p)));
}

/** Stops every recorded load process still running (after a crash of its orchestrator). */
export async function stopRecordedLoad(): Promise<string[]> {
  const stopped: string[] = [];
  for (const p of readRecordedLoad()) {
    if (!isAlive(p)) continue;
    await stopOwned(p, 3000);
    stopped.push(`load ${p.name} (pid ${p.pid}, run ${p.runId})`);
  }
  recorded.write([]);
  return stopped;
}
