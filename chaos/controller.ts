// Executes a chaos timeline in real time. Toxic faults go through Toxiproxy on one proxy;
// faults with a registered executor (e.g. target-crash) are run through it; the rest are
// carried out elsewhere (the load processes) and only recorded on the same clock (t0Ms).
// Whatever happens (normal end, stop(), SIGINT/SIGTERM, an error) every applied fault is
// removed before `done` settles; a SIGKILLed run is cleaned up by the next one (stale.ts).
import { applyFault, removeFault, TOXIC_PREFIX } from './apply.js';
import { FAULTS } from '../core/faults.js';
import { cleanupStale, defaultMarkerFile, removeMarker, writeMarker } from './stale.js';
import type { Timeline, TimelineWindow } from './timeline.js';
import { ToxiproxyClient } from './toxiproxy-client.js';
import { writeJsonAtomic, type ChaosWindowsFile, type RunOutcome, type WindowRecord } from './windows-file.js';

export interface FaultExecutor {
  apply(w: TimelineWindow): Promise<void>;
  remove(w: TimelineWindow): Promise<void>;
}

export interface ChaosOptions {
  /** Toxiproxy API, e.g. http://127.0.0.1:8474; null: no Toxiproxy (client/process faults only) */
  apiUrl: string | null;
  /** the proxy toxic faults act on (the one in front of PostgreSQL) */
  proxy: string;
  timeline: Timeline;
  /** results/<run-id>/chaos-windows.json */
  windowsFile: string;
  /** default .moshpit/chaos/in-progress.json */
  markerFile?: string;
  runId?: string;
  /** timeline second 0 (ms epoch); default: now. The pipeline passes the load's t0: one clock for faults and load. */
  t0Ms?: number;
  /** called when a window closes (done or interrupted), e.g. to write an annotation */
  onWindow?: (w: WindowRecord) => void | Promise<void>;
  /** executors for client/process faults run by this process, by fault name */
  executors?: Record<string, FaultExecutor>;
  /** time allowed after the timeline's end for clean-up (default 15 s) */
  graceMs?: number;
  /** remove faults on SIGINT/SIGTERM (default true) */
  handleSignals?: boolean;
  log?: (message: string) => void;
}

export interface ChaosResult {
  outcome: Exclude<RunOutcome, 'running' | 'crashed'>;
  windows: WindowRecord[];
  windowsFile: string;
  error?: string;
}

export interface ChaosRun {
  t0Ms: number;
  /** the run is over (faults removed) by this time at the latest */
  deadlineMs: number;
  /** settles after clean-up; rejects if a fault could not be applied or removed */
  done: Promise<ChaosResult>;
  /** ends the run early: removes active faults, resolves like done */
  stop(reason?: string): Promise<ChaosResult>;
}

const HOOK_TIMEOUT_MS = 5000;

function abortableSleepUntil(atMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const tick = () => {
      const left = atMs - Date.now();
      if (signal.aborted || left <= 0) {
        signal.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      timer = setTimeout(tick, Math.min(left, 1000)); // timers may fire early: re-check the clock
    };
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    let timer: NodeJS.Timeout | undefined;
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}

async function withTimeout<T>(p: Promise<T> | T, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([Promise.resolve(p), new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`${what} took over ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startChaos(opts: ChaosOptions): Promise<ChaosRun> {
  const log = opts.log ?? (() => {});
  const client = opts.apiUrl === null ? null : new ToxiproxyClient(opts.apiUrl);
  const markerFile = opts.markerFile ?? defaultMarkerFile();
  const graceMs = opts.graceMs ?? 15_000;
  const timeline = opts.timeline;
  for (const w of timeline.windows) if (!FAULTS.has(w.fault)) throw new Error(`unknown fault '${w.fault}' (validate the timeline first)`);
  if (!client && timeline.windows.some((w) => w.kind === 'toxic')) throw new Error('toxic faults need a Toxiproxy (apiUrl)');

  // A previous run may have died with its toxics applied: start from a clean Toxiproxy.
  const stale = await cleanupStale(opts.apiUrl, { markerFile });
  if (stale.stale) log(`cleaned up after crashed chaos run ${stale.stale.runId ?? ''} (pid ${stale.stale.pid})`);
  if (client && timeline.windows.some((w) => w.kind === 'toxic')) await client.getProxy(opts.proxy); // a clear 404 now, not mid-run

  const t0Ms = opts.t0Ms ?? Date.now();
  const deadlineMs = t0Ms + timeline.durationS * 1000 + graceMs;
  const records: WindowRecord[] = timeline.windows.map((w) => ({
    fault: w.fault,
    kind: w.kind,
    executor: w.kind === 'toxic' ? 'toxiproxy' : opts.executors?.[w.fault] ? 'hook' : 'external',
    params: w.params,
    plannedStartMs: t0Ms + Math.round(w.startS * 1000),
    plannedEndMs: t0Ms + Math.round((w.startS + w.durationS) * 1000),
    startMs: null,
    endMs: null,
    status: 'pending',
  }));
  const doc: ChaosWindowsFile = {
    version: 1, runId: opts.runId ?? null, apiUrl: opts.apiUrl, proxy: opts.proxy, pid: process.pid,
    t0Ms, durationS: timeline.durationS, outcome: 'running', endedMs: null, windows: records,
  };
  const persist = () => writeJsonAtomic(opts.windowsFile, doc);
  persist();
  writeMarker(markerFile, { apiUrl: opts.apiUrl, proxy: opts.proxy, runId: opts.runId ?? null, windowsFile: opts.windowsFile, startedMs: Date.now(), deadlineMs });

  const abort = new AbortController();
  let stopReason: string | null = null;
  const hardStop = setTimeout(() => {
    stopReason ??= 'deadline';
    abort.abort();
  }, Math.max(0, deadlineMs - Date.now()));

  const notify = async (rec: WindowRecord) => {
    if (!opts.onWindow) return;
    try {
      await withTimeout(opts.onWindow(rec), HOOK_TIMEOUT_MS, 'onWindow');
    } catch (err) {
      log(`onWindow failed for ${rec.fault}: ${(err as Error).message}`);
    }
  };
  const doApply = (i: number) => {
    const w = timeline.windows[i]!;
    const rec = records[i]!;
    if (rec.executor === 'toxiproxy') return applyFault(client!, opts.proxy, w);
    if (rec.executor === 'hook') return withTimeout(opts.executors![w.fault]!.apply(w), graceMs, `${w.fault} apply`);
    return Promise.resolve();
  };
  const doRemove = (i: number) => {
    const w = timeline.windows[i]!;
    const rec = records[i]!;
    if (rec.executor === 'toxiproxy') return removeFault(client!, opts.proxy, w);
    if (rec.executor === 'hook') return withTimeout(opts.executors![w.fault]!.remove(w), graceMs, `${w.fault} remove`);
    return Promise.resolve();
  };

  // Ends sort before starts at the same instant, so back-to-back windows of one fault work.
  const events = records.flatMap((r, i) => [
    { at: r.plannedStartMs, start: true, i },
    { at: r.plannedEndMs, start: false, i },
  ]).sort((a, b) => a.at - b.at || Number(a.start) - Number(b.start));

  const schedule = async () => {
    for (const ev of events) {
      await abortableSleepUntil(ev.at, abort.signal);
      if (abort.signal.aborted) return;
      const rec = records[ev.i]!;
      if (ev.start) {
        rec.status = 'active'; // before the call: a half-applied fault must still be removed
        persist();
        try {
          await doApply(ev.i);
        } catch (err) {
          rec.status = 'failed';
          rec.error = (err as Error).message;
          throw err;
        }
        rec.startMs = Date.now();
        persist(); // on disk before anyone hears of it: a crash right after must find it
        log(`chaos: ${rec.fault} on`);
      } else {
        if (rec.status !== 'active') continue;
        await doRemove(ev.i);
        rec.endMs = Date.now();
        rec.status = 'done';
        persist();
        log(`chaos: ${rec.fault} off`);
        await notify(rec);
      }
    }
    // The run lasts the whole timeline, also after its last window (the load runs that long too).
    await abortableSleepUntil(t0Ms + timeline.durationS * 1000, abort.signal);
  };

  // Removes whatever is still applied, then checks the proxy for any moshpit toxic left.
  const cleanUp = async (): Promise<string | null> => {
    const problems: string[] = [];
    const toxicProblems: string[] = [];
    for (const [i, rec] of records.entries()) {
      if (rec.status === 'pending') rec.status = 'skipped';
      if (rec.status !== 'active' && rec.status !== 'failed') continue;
      try {
        await doRemove(i);
      } catch (err) {
        (rec.executor === 'toxiproxy' ? toxicProblems : problems).push(`${rec.fault}: ${(err as Error).message}`);
      }
      if (rec.status === 'active') {
        rec.endMs = Date.now();
        rec.status = rec.startMs === null ? 'failed' : 'interrupted';
        if (rec.status === 'interrupted') await notify(rec);
      }
    }
    if (client && records.some((r) => r.executor === 'toxiproxy')) {
      try {
        const proxy = await client.getProxy(opts.proxy);
        const leftovers = proxy.toxics.filter((t) => t.name.startsWith(TOXIC_PREFIX));
        if (leftovers.length || !proxy.enabled) {
          log(`chaos: resetting Toxiproxy (left: ${leftovers.map((t) => t.name).join(', ') || 'proxy disabled'})`);
          await client.reset();
        }
        toxicProblems.length = 0; // the safety net removed what single removals missed
      } catch (err) {
        toxicProblems.push(`verifying proxy ${opts.proxy}: ${(err as Error).message}`);
      }
    }
    const all = [...toxicProblems, ...problems];
    return all.length ? all.join('; ') : null;
  };

  const stop = (reason = 'stopped') => {
    stopReason ??= reason;
    abort.abort();
    return done;
  };

  let uninstallSignals = () => {};
  if (opts.handleSignals ?? true) {
    const onSignal = (sig: NodeJS.Signals) => {
      log(`${sig}: removing chaos faults`);
      void stop(sig).catch(() => {}).finally(() => {
        // If nobody else handles the signal, let it do what it would have done: end the process.
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    uninstallSignals = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }

  const done = (async (): Promise<ChaosResult> => {
    let error: string | null = null;
    try {
      await schedule();
    } catch (err) {
      error = (err as Error).message;
    }
    abort.abort();
    const cleanupError = await cleanUp();
    clearTimeout(hardStop);
    uninstallSignals();
    if (stopReason === 'deadline') error ??= 'the timeline did not finish by its deadline (a fault call hung)';
    if (cleanupError) error = error ? `${error}; clean-up failed: ${cleanupError}` : `clean-up failed: ${cleanupError}`;
    const outcome: ChaosResult['outcome'] = error ? 'error' : stopReason ? 'interrupted' : 'completed';
    doc.outcome = outcome;
    doc.endedMs = Date.now();
    if (error) doc.error = error;
    if (stopReason) log(`chaos: stopped (${stopReason})`);
    persist();
    // Keep the marker while faults may still be applied: the next run must clean up.
    if (!cleanupError) removeMarker(markerFile);
    if (error) throw new Error(`chaos run ${outcome}: ${error} (windows: ${opts.windowsFile})`);
    return { outcome, windows: records, windowsFile: opts.windowsFile };
  })();
  done.catch(() => {}); // callers may only ever use stop(); the rejection still reaches them there

  return { t0Ms, deadlineMs, done, stop };
}
