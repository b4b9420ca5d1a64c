// Ownership of child processes. We only ever signal a PID we recorded ourselves, and only
// after checking it is still the same process (start time from /proc), never by name.
import { readFileSync } from 'node:fs';

export interface OwnedProcess {
  pid: number;
  /** /proc/<pid>/stat field 22: clock ticks after boot; guards against PID reuse. */
  startTicks: number | null;
  name: string;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces and parens). */
function procStatFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function procStartTicks(pid: number): number | null {
  const f = procStatFields(pid);
  return f ? Number(f[19]) : null;
}

export function isAlive(p: Pick<OwnedProcess, 'pid' | 'startTicks'>): boolean {
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const f = procStatFields(p.pid);
  // A zombie has exited; containers whose PID 1 does not reap leave orphans in this state.
  if (f && (f[0] === 'Z' || f[0] === 'X')) return false;
  if (p.startTicks === null) return true;
  return f !== null && Number(f[19]) === p.startTicks;
}

export function own(pid: number, name: string): OwnedProcess {
  return { pid, startTicks: procStartTicks(pid), name };
}

/** SIGTERM, wait, then SIGKILL. Returns once the process is gone. Never touches another PID. */
export async function stopOwned(p: OwnedProcess, graceMs = 5000): Promise<void> {
  if (!isAlive(p)) return;
  try { process.kill(p.pid, 'SIGTERM'); } catch { return; }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(p)) return;
    await sleep(50);
  }
  try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
  while (isAlive(p)) await sleep(20);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
