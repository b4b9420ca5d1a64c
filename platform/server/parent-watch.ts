// Exit-with-the-orchestrator: polls MOSHPIT_PARENT_PID so a crashed orchestrator never leaves the
// server behind. A PID that is a zombie, or was reused by a newer process, counts as gone.
import { readFileSync } from 'node:fs';

interface ProcState { state: string; startTicks: string }

/** /proc/<pid>/stat fields 3 (state) and 22 (start time); null without /proc or the process. */
function procState(pid: number): ProcState | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name may contain spaces
    return { state: rest[0] ?? '', startTicks: rest[19] ?? '' };
  } catch {
    return null;
  }
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Calls onGone once the parent is gone; the timer never keeps the process alive by itself. */
export function watchParent(pid: number, intervalMs: number, onGone: () => void): void {
  const initial = procState(pid);
  const isGone = (): boolean => {
    if (!signalable(pid)) return true;
    const now = procState(pid);
    if (initial === null || now === null) return now === null && initial !== null;
    return now.state === 'Z' || now.startTicks !== initial.startTicks;
  };
  if (isGone()) {
    onGone();
    return;
  }
  const timer = setInterval(() => {
    if (!isGone()) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
}
