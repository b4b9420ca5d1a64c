// The run's load processes (.moshpit/load.json), recorded as they start, so `stack down` can
// stop them after the orchestrator itself was killed (SIGKILL leaves them running: they are
// separate processes loading the target). Stopped by PID with the start-time guard, never by name.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './paths.js';
import { isAlive, own, stopOwned, type OwnedProcess } from './processes.js';

const file = () => join(stateDir, 'load.json');

export interface RecordedLoad extends OwnedProcess { runId: string; orchestratorPid: number }

export function readRecordedLoad(): RecordedLoad[] {
  if (!existsSync(file())) return [];
  try {
    return JSON.parse(readFileSync(file(), 'utf8')) as RecordedLoad[];
  } catch {
    return [];
  }
}

function write(list: RecordedLoad[]): void {
  mkdirSync(stateDir, { recursive: true });
  if (list.length === 0) { rmSync(file(), { force: true }); return; }
  const tmp = `${file()}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(list, null, 2)}\n`);
  renameSync(tmp, file());
}

export function recordLoadProcess(pid: number, name: string, runId: string): void {
  write([...readRecordedLoad().filter((p) => isAlive(p)), { ...own(pid, name), runId, orchestratorPid: process.pid }]);
}

export function forgetLoadProcess(pid: number): void {
  write(readRecordedLoad().filter((p) => p.pid !== pid && isAlive(p)));
}

/** Stops every recorded load process still running (after a crash of its orchestrator). */
export async function stopRecordedLoad(): Promise<string[]> {
  const stopped: string[] = [];
  for (const p of readRecordedLoad()) {
    if (!isAlive(p)) continue;
    await stopOwned(p, 3000);
    stopped.push(`load ${p.name} (pid ${p.pid}, run ${p.runId})`);
  }
  write([]);
  return stopped;
}
