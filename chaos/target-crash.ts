// The target-crash fault's executor (a controller hook, chaos/controller.ts): at the window's
// start the embedded stack's reference target is killed (SIGKILL by default: no drain, no
// goodbye, in-flight requests lost mid-transaction); at its end it is restarted on the same
// port with the same key, secret, defects and database URL, and the stack state is updated so
// `moshpit stack down` (and the run's teardown) stop the new process. Clients keep retrying
// with the same idempotency keys in the meantime. Only a target this checkout started (found
// in .moshpit/stack.json, checked by PID and start time) is ever signalled.
import { isInterrupted } from '../stack/interrupt.js';
import { withLock } from '../stack/lock.js';
import { stateDir } from '../stack/paths.js';
import { isAlive, sleep, type OwnedProcess } from '../stack/processes.js';
import { readStackState, writeStackState, type StackState, type TargetState } from '../stack/state.js';
import { startTargetProcess } from '../stack/target-process.js';
import type { FaultExecutor } from './controller.js';
import type { TimelineWindow } from './timeline.js';

const KILL_WAIT_MS = 5000;
const RESTART_ATTEMPTS = 5;

export interface TargetCrashEvent { event: 'killed' | 'restarted' | 'not-restarted'; pid: number; atMs: number; url: string; detail?: string }

function embeddedTarget(): { state: StackState; target: TargetState } {
  const state = readStackState();
  if (!state?.target) throw new Error('target-crash needs the embedded stack\'s target (none is recorded in the stack state)');
  return { state, target: state.target };
}

async function waitGone(p: OwnedProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(p)) return true;
    await sleep(20);
  }
  return !isAlive(p);
}

export function targetCrashExecutor(opts: { log?: (m: string) => void; onEvent?: (e: TargetCrashEvent) => void } = {}): FaultExecutor {
  const log = opts.log ?? (() => {});
  let killed: TargetState | null = null;
  return {
    async apply(w: TimelineWindow) {
      const { target } = embeddedTarget();
      if (!isAlive(target.process)) throw new Error(`target (pid ${target.process.pid}) is not running: nothing to crash`);
      const signal = (w.params.signal ?? 'SIGKILL') as NodeJS.Signals;
      process.kill(target.process.pid, signal);
      if (!(await waitGone(target.process, KILL_WAIT_MS))) {
        if (signal !== 'SIGKILL') process.kill(target.process.pid, 'SIGKILL');
        if (!(await waitGone(target.process, KILL_WAIT_MS))) throw new Error(`target pid ${target.process.pid} survived ${signal}`);
      }
      killed = target;
      log(`chaos: target pid ${target.process.pid} killed (${signal})`);
      opts.onEvent?.({ event: 'killed', pid: target.process.pid, atMs: Date.now(), url: target.url, detail: signal });
    },

    async remove(w: TimelineWindow) {
      const was = killed;
      killed = null;
      if (!was) return; // apply never got as far as the kill
      if (w.params.restart === false || isInterrupted()) {
        log('chaos: target left down (restart=false or the run was interrupted)');
        opts.onEvent?.({ event: 'not-restarted', pid: was.process.pid, atMs: Date.now(), url: was.url });
        return;
      }
      const port = Number(new URL(was.url).port);
      const state = readStackState();
      const databaseUrl = was.databaseUrl ?? state?.toxiproxy?.proxiedUrl ?? state?.postgres.url;
      if (!databaseUrl) throw new Error('target-crash: the stack state has no database URL to restart the target with');
      let lastError: Error | null = null;
      for (let attempt = 1; attempt <= RESTART_ATTEMPTS; attempt++) {
        try {
          const t = await startTargetProcess({
            databaseUrl, port, defects: was.defects, slowMs: was.slowMs, slowWindowsFile: was.slowWindowsFile, parentPid: was.parentPid, apiKey: was.apiKey, webhookSecret: was.webhookSecret,
            requestLog: was.logFile !== null,
          });
          const next: TargetState = { ...was, url: t.url, logFile: t.logFile, process: t.process };
          await withLock(stateDir, 'stack', async () => {
            const current = readStackState();
            if (current) writeStackState({ ...current, target: next });
          });
          log(`chaos: target restarted as pid ${t.process.pid} on ${t.url}`);
          opts.onEvent?.({ event: 'restarted', pid: t.process.pid, atMs: Date.now(), url: t.url });
          return;
        } catch (err) {
          lastError = err as Error;
          await sleep(200 * attempt); // the port may still be held for a moment
        }
      }
      throw new Error(`target-crash: could not restart the target on port ${port}: ${lastError?.message}`);
    },
  };
}
