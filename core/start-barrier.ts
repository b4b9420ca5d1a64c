// The start barrier between the orchestrator and its load processes: every process says it is
// ready (its engine is up and scheduling), and only then does the orchestrator fix t0, the
// instant every process's schedule starts. A file per party in one directory, because the
// processes are separate OS processes and worker threads. Names only: both sides do the IO.

/** <barrier dir>/<source>.ready: written by a load process once its engine schedules arrivals. */
export function readyFileName(source: string): string {
  return `${source}.ready`;
}

/** <barrier dir>/t0: written once (atomically) by the orchestrator; its content is t0 in ms. */
export const T0_FILE = 't0';

/** How far after the last process is ready t0 lies: time for every process to see the file. */
export const T0_AFTER_READY_MS = 1000;

export function parseT0(text: string): number | null {
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
