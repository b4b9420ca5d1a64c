// Starts the run's Artillery processes together and waits for all of them. Each runs
// Artillery's runner on its own script (lib/bindings/artillery/launcher.ts), gets its plan
// (MOSHPIT_ENGINE_PLAN) and writes its own metrics stream; Artillery's telemetry is off.
// On an interrupt (isInterrupted) every process is sent SIGTERM, then SIGKILL after a grace.
import { RUN_DIRS } from '../../../core/results-layout.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { launcherFile } from '../../../build/processor-bundle.js';
import { ENGINE_PLAN_ENV } from '../../../core/engine-plan.js';
import { readyFileName, T0_AFTER_READY_MS, T0_FILE } from '../../../core/start-barrier.js';
import { isInterrupted } from '../../../stack/interrupt.js';
import { progress } from '../../../stack/progress.js';
import type { ArtilleryProcess } from './artillery-plan.js';


/** Artillery's CLI entry (`artillery run`), for references that measure the CLI itself. */
export function artilleryBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('artillery/package.json')), 'bin', 'run');
}

/** The environment every engine process gets on top of the run's: no phone-home. */
export const ENGINE_QUIET_ENV = { ARTILLERY_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: '1' } as const;

const KILL_GRACE_MS = 10_000;

export interface EngineProcessResult { source: string; pid: number | null; exit: number; signal: string | null }

export interface RunArtilleryOptions {
  resultsDir: string;
  env: Record<string, string>;
  /** The start barrier every process's plan names (core/start-barrier.ts). */
  barrierDir: string;
  /** Give up when not every process is ready this long after they were started. */
  barrierTimeoutMs: number;
  /** t0 is never earlier than this (ms epoch). */
  notBeforeMs?: number;
  /** Called with t0 once it is fixed, before any process starts its schedule. */
  onT0?: (t0Ms: number) => void;
  /** Called with each child's PID as it starts (the stack records them for `stack down`). */
  onSpawn?: (pid: number, source: string) => void;
  onExit?: (pid: number, source: string) => void;
}

export async function runArtillery(processes: ArtilleryProcess[], opts: RunArtilleryOptions): Promise<EngineProcessResult[]> {
  const engineDir = join(opts.resultsDir, RUN_DIRS.engine);
  mkdirSync(engineDir, { recursive: true });
  mkdirSync(opts.barrierDir, { recursive: true });
  const children: Array<{ source: string; child: ChildProcess; done: Promise<EngineProcessResult> }> = [];
  for (const p of processes) {
    const scriptFile = join(engineDir, `${p.plan.source}.artillery.json`);
    writeFileSync(scriptFile, `${JSON.stringify(p.script, null, 2)}\n`);
    const log = createWriteStream(join(engineDir, `${p.plan.source}.log`));
    const child = spawn(process.execPath, [launcherFile, scriptFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env, ...ENGINE_QUIET_ENV, [ENGINE_PLAN_ENV]: JSON.stringify(p.plan) },
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    if (child.pid) opts.onSpawn?.(child.pid, p.plan.source);
    const done = new Promise<EngineProcessResult>((resolve) => {
      child.on('error', (err) => { log.write(`spawn error: ${err.message}\n`); });
      child.on('close', (code, signal) => {
        log.end();
        if (child.pid) opts.onExit?.(child.pid, p.plan.source);
        resolve({ source: p.plan.source, pid: child.pid ?? null, exit: code ?? (signal ? 128 : 1), signal });
      });
    });
    children.push({ source: p.plan.source, child, done });
  }
  progress(`engine: ${children.length} Artillery process(es) started: ${children.map((c) => `${c.source} (pid ${c.child.pid})`).join(', ')}`);

  // The start barrier: t0 is fixed once every process is up, so none starts its schedule late.
  const barrier = (async () => {
    const deadline = Date.now() + opts.barrierTimeoutMs;
    for (;;) {
      const waiting = children.filter((c) => !existsSync(join(opts.barrierDir, readyFileName(c.source))));
      if (waiting.length === 0) break;
      const dead = waiting.filter((c) => c.child.exitCode !== null || c.child.signalCode !== null);
      if (dead.length) {
        // What the process said last: a results folder may be gone by the time someone reads it.
        const said = dead.map((c) => `${c.source} (exit ${c.child.exitCode ?? c.child.signalCode}): ${logTail(join(engineDir, `${c.source}.log`))}`);
        throw new Error(`${dead.map((c) => c.source).join(', ')} ended before it was ready (see ${engineDir})\n${said.join('\n')}`);
      }
      if (isInterrupted()) throw new Error('interrupted before the load started');
      if (Date.now() > deadline) throw new Error(`${waiting.map((c) => c.source).join(', ')} not ready after ${opts.barrierTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const t0Ms = Math.max(Date.now() + T0_AFTER_READY_MS, opts.notBeforeMs ?? 0);
    const tmp = join(opts.barrierDir, `${T0_FILE}.tmp`);
    writeFileSync(tmp, `${t0Ms}\n`);
    renameSync(tmp, join(opts.barrierDir, T0_FILE));
    opts.onT0?.(t0Ms);
    progress(`engine: all ${children.length} process(es) ready; the load starts at t0 = ${new Date(t0Ms).toISOString()}`);
    return t0Ms;
  })();
  barrier.catch((err: Error) => {
    progress(`engine: the load could not start: ${err.message}`);
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
  });

  // Stop on an interrupt: load first, so what ran can still be validated.
  let stopping = false;
  const watch = setInterval(() => {
    if (stopping || !isInterrupted()) return;
    stopping = true;
    progress('engine: stopping the load processes');
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
    setTimeout(() => { for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL'); }, KILL_GRACE_MS).unref();
  }, 200);
  try {
    const results = await Promise.all(children.map((c) => c.done));
    // A load that never got past the barrier did not run: that is a failure, whatever exit codes say.
    if (!(await barrier.then(() => true, () => false))) return results.map((r) => ({ ...r, exit: r.exit === 0 ? 1 : r.exit }));
    for (const r of results) if (r.exit !== 0) progress(`engine: ${r.source} exited ${r.signal ?? r.exit} (log: ${join(engineDir, `${r.source}.log`)})`);
    return results;
  } finally {
    clearInterval(watch);
  }
}

/** The last lines of a process's log, for an error message ('' when there is none yet). */
function logTail(file: string, chars = 1500): string {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text.length > chars ? `...${text.slice(-chars)}` : text || '(no output)';
  } catch {
    return '(no log)';
  }
}
