// The bench's load runs, on either engine, measured from outside (monitoring/process-sampler.ts):
//   runEngineLoad     one scenario's load through the pipeline's own load step (runLoad:
//                     Artillery by default, one process per workload; k6 when the user has
//                     one), against the festival's reference target, with the engine's
//                     processes (and their descendants) and the target sampled separately,
//                     then the run's metrics streams merged (readRunStreams).
//   runClosedFlows    one workload's flows closed loop (N VUs, no think time) on Artillery:
//                     the same plan, processor and launcher as runLoad, a constant-VU shape
//                     instead of the profile's (what the generator costs at saturation).
//   runMeasured       any other process we spawn (the bare Artillery script, the plain undici
//                     loop, the bare k6 script), sampled the same way.
//   startLoopback     the trivial loopback server of the references.
// Every run has a hard deadline: the engine processes we know by PID (onSpawn) get SIGTERM,
// then SIGKILL. Nothing else is ever signalled.
import { ENGINE_START_DIR, RUN_DIRS } from '../../core/results-layout.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { buildArtilleryProcessor, launcherFile } from '../../build/processor-bundle.js';
import type { EngineName } from '../../core/engine-plan.js';
import type { MergedRun } from '../../core/metrics-stream/merge.js';
import { PROFILES, type ProfileName } from '../../core/profiles.js';
import { newRunId } from '../../core/run-id.js';
import { artilleryProcesses, phaseArrivals, scheduleSeconds, type ArtilleryPhase, type WorkloadLoad } from '../../cli/pipeline/engine/artillery-plan.js';
import { ENGINE_QUIET_ENV, runArtillery } from '../../cli/pipeline/engine/artillery-run.js';
import { runLoad } from '../../cli/pipeline/engine/run-load.js';
import { workloadLoads, type LoadScale } from '../../cli/pipeline/engine/workload-loads.js';
import { readRunStreams } from '../../cli/pipeline/run-verdict.js';
import { projectRoot } from '../../stack/paths.js';
import type { Festival } from './festival.js';
import { bundleEnv } from './festival.js';
import { ProcessSampler, reapedChildrenCpuSeconds, steadyCpuMsPerRequest, type GroupUsage } from '../../monitoring/process-sampler.js';
import type { BenchContext } from './types.js';

export const REFERENCE_DIR = join(projectRoot, 'bench', 'reference');
export const LOOPBACK_SERVER = join(REFERENCE_DIR, 'loopback-server.mjs');
export const BARE_PROCESSOR = join(REFERENCE_DIR, 'bare-processor.cjs');
export const UNDICI_LOOP = join(REFERENCE_DIR, 'undici-loop.mjs');
export const BARE_K6_SCRIPT = join(projectRoot, 'bench', 'k6', 'bare.js');

const KILL_GRACE_MS = 10_000;

/** What a measured run cost: CPU and memory of the measured processes, requests it made. */
export interface Cost {
  /** CPU seconds of every measured process, start-up included. */
  cpuSeconds: number;
  /** Peak of the summed VmRSS of the measured processes (sampled every 250 ms). */
  peakRssKiB: number;
  /** Sum of each measured process's VmHWM (an upper bound of peakRssKiB). */
  hwmSumKiB: number;
  requests: number;
  /** CPU ms per request, start-up included. */
  cpuMsPerRequest: number | null;
  /** CPU ms per request while requests flowed (steadyCpuMsPerRequest). */
  steadyCpuMsPerRequest: number | null;
  steadySeconds: number | null;
  /** Requests in that window (÷ steadySeconds: the rate while requests flowed). */
  steadyRequests: number | null;
  processes: number;
}

function cost(usage: GroupUsage, cpuSeconds: number, requests: number, perSecond: ReadonlyMap<number, number>): Cost {
  const steady = steadyCpuMsPerRequest(usage.samples, perSecond);
  return {
    cpuSeconds,
    peakRssKiB: usage.peakRssKiB,
    hwmSumKiB: usage.hwmSumKiB,
    requests,
    cpuMsPerRequest: requests > 0 ? (cpuSeconds * 1000) / requests : null,
    steadyCpuMsPerRequest: steady?.msPerRequest ?? null,
    steadySeconds: steady?.seconds ?? null,
    steadyRequests: steady?.requests ?? null,
    processes: usage.pids.length,
  };
}

function deadline(timeoutMs: number, pids: () => number[], onFire: () => void): () => void {
  const timer = setTimeout(() => {
    onFire();
    for (const pid of pids()) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    setTimeout(() => { for (const pid of pids()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, KILL_GRACE_MS).unref();
  }, timeoutMs);
  return () => clearTimeout(timer);
}

// ---- the pipeline's load step ------------------------------------------------------------

export interface EngineLoadRun {
  engine: EngineName;
  scenario: string;
  profile: ProfileName;
  scale: LoadScale;
  runId: string;
  resultsDir: string;
  loadExit: number;
  timedOut: boolean;
  wallSeconds: number;
  /** The schedule's second 0 in every load process (ms epoch). */
  t0Ms: number;
  loads: WorkloadLoad[];
  merged: MergedRun;
  /** All the engine's processes together. */
  engineCost: Cost;
  /** Each engine process (its stream source: artillery-browse-s0, ...) with its descendants. */
  perSource: Record<string, { cpuSeconds: number; peakRssKiB: number; hwmSumKiB: number; processes: number }>;
  /** The reference target over the same run. */
  target: { cpuSeconds: number; peakRssKiB: number };
  /** http_reqs per unix second, all sources. */
  requestsPerSecond: Map<number, number>;
}

/** Sum of a counter over every series, whole run. */
export function counterSum(merged: MergedRun, metric: string, filter: (tags: Record<string, string>) => boolean = () => true): number {
  let sum = 0;
  for (const s of merged.metrics.get(metric) ?? []) if (s.data.k === 'counter' && filter(s.tags)) sum += s.data.sum;
  return sum;
}

/** A counter per unix second, all series. */
export function counterPerSecond(merged: MergedRun, metric: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const [t, series] of merged.seconds) {
    let n = 0;
    for (const s of series) if (s.m === metric && s.data.k === 'counter') n += s.data.sum;
    if (n > 0) out.set(t, n);
  }
  return out;
}

export interface EngineLoadOptions {
  engine: EngineName;
  k6Path?: string | null;
  scenario: string;
  profile: ProfileName;
  scale: LoadScale;
  /** Label of the run id. */
  label: string;
  /** Hard bound on top of the schedule and the profile's graceful stop and longest think time. */
  extraTimeoutMs?: number;
}

interface LoadStart {
  onSpawn: (pid: number, source: string) => void;
  onT0: (t0Ms: number) => void;
}

/** Runs `start` (the engine's processes) with the target and every engine process sampled. */
async function measureLoad(ctx: BenchContext, f: Festival, o: {
  engine: EngineName; scenario: string; profile: ProfileName; scale: LoadScale; label: string; runId: string; resultsDir: string;
  loads: WorkloadLoad[]; timeoutMs: number; start: (hooks: LoadStart) => Promise<number>;
}): Promise<EngineLoadRun> {
  const sampler = new ProcessSampler(250);
  sampler.track(f.target.pid, 'target');
  sampler.start();
  let t0Ms = 0;
  let timedOut = false;
  const enginePids = () => sampler.liveRoots().filter((pid) => pid !== f.target.pid);
  const cancel = deadline(o.timeoutMs, enginePids, () => { timedOut = true; ctx.log(`${o.label}: deadline (${Math.round(o.timeoutMs / 1000)} s) reached, stopping the engine`); });
  const reapedBefore = reapedChildrenCpuSeconds();
  const started = performance.now();
  let loadExit: number;
  try {
    loadExit = await o.start({ onSpawn: (pid, source) => sampler.track(pid, `engine:${source}`), onT0: (t) => { t0Ms = t; } });
  } finally {
    cancel();
    sampler.stop();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const reaped = reapedChildrenCpuSeconds() - reapedBefore;
  const merged = readRunStreams(o.resultsDir);
  const isEngine = (g: string) => g.startsWith('engine:');
  const engineUsage = sampler.usage(isEngine);
  const requestsPerSecond = counterPerSecond(merged, 'http_reqs');
  const requests = counterSum(merged, 'http_reqs');
  // Reaped children's CPU is exact to the tick (all of each engine process, its last moments
  // included); the samples may miss the last 250 ms of a process. Take the larger.
  const engineCost = cost(engineUsage, Math.max(reaped, engineUsage.cpuSeconds), requests, requestsPerSecond);
  const perSource: EngineLoadRun['perSource'] = {};
  for (const g of sampler.groups().filter(isEngine)) {
    const u = sampler.usage(g);
    perSource[g.slice('engine:'.length)] = { cpuSeconds: u.cpuSeconds, peakRssKiB: u.peakRssKiB, hwmSumKiB: u.hwmSumKiB, processes: u.pids.length };
  }
  const t = sampler.usage('target');
  if (!t0Ms) t0Ms = merged.startedAt ?? Date.now();
  return {
    engine: o.engine, scenario: o.scenario, profile: o.profile, scale: o.scale, runId: o.runId, resultsDir: o.resultsDir, loadExit, timedOut, wallSeconds, t0Ms, loads: o.loads, merged,
    engineCost, perSource, target: { cpuSeconds: t.cpuSeconds, peakRssKiB: t.peakRssKiB }, requestsPerSecond,
  };
}

function runDirs(ctx: BenchContext, label: string): { runId: string; resultsDir: string } {
  const runId = newRunId(`bench-${label}`);
  const resultsDir = join(ctx.workDir, 'runs', runId);
  mkdirSync(resultsDir, { recursive: true });
  return { runId, resultsDir };
}

/** Bound on a run: start-up, the schedule, the graceful stop, the longest think time, margin. */
function loadTimeoutMs(loads: WorkloadLoad[], profile: ProfileName, extra = 0): number {
  const p = PROFILES[profile];
  return (scheduleSeconds(loads) + p.gracefulStopSeconds + p.behaviour.browseThinkSeconds.max + 180) * 1000 + extra;
}

export async function runEngineLoad(ctx: BenchContext, f: Festival, opts: EngineLoadOptions): Promise<EngineLoadRun> {
  const { runId, resultsDir } = runDirs(ctx, opts.label);
  const env = bundleEnv(f, opts.profile, runId, resultsDir, {
    MOSHPIT_DURATION_SCALE: String(opts.scale.duration),
    MOSHPIT_RATE_SCALE: String(opts.scale.rate),
  });
  const loads = workloadLoads(opts.scenario, opts.profile, opts.scale, null);
  const k6Path = opts.engine === 'k6' ? opts.k6Path ?? null : null;
  if (opts.engine === 'k6' && !k6Path) throw new Error('engine k6 needs the user\'s k6 binary');
  return measureLoad(ctx, f, {
    engine: opts.engine, scenario: opts.scenario, profile: opts.profile, scale: opts.scale, label: opts.label, runId, resultsDir, loads,
    timeoutMs: loadTimeoutMs(loads, opts.profile, opts.extraTimeoutMs),
    start: ({ onSpawn, onT0 }) => runLoad({
      engine: opts.engine, k6Path, runId, scenario: opts.scenario, profile: opts.profile, resultsDir, targetUrl: f.target.url,
      scale: opts.scale, env, chaos: null, quiet: true,
      // No engine-side abort cuts a measurement short; no end-of-test summary on our stdout.
      k6Args: ['--no-thresholds', '--no-summary'],
      onSpawn, onT0,
    }),
  });
}

const BARRIER_TIMEOUT_MS = 180_000;

/**
 * One workload's flows closed loop on Artillery: `vus` VUs that each run the flow again as soon
 * as it ends, for `seconds`. The pipeline's plan, processor bundle and launcher, with a
 * constant-VU shape of our own instead of the profile's.
 */
export async function runClosedFlows(ctx: BenchContext, f: Festival, opts: { scenario: string; workload: string; vus: number; seconds: number; label: string; profile?: ProfileName }): Promise<EngineLoadRun> {
  const profile = opts.profile ?? 'pilot';
  const { runId, resultsDir } = runDirs(ctx, opts.label);
  // The processes read the profile at scale 1 (the fixture fit); the shape is ours.
  const scale = { duration: 1, rate: 1 };
  const env = bundleEnv(f, profile, runId, resultsDir, { MOSHPIT_DURATION_SCALE: '1', MOSHPIT_RATE_SCALE: '1' });
  const loads: WorkloadLoad[] = [{ workload: opts.workload, lanes: 1, shape: { executor: 'constant-vus', vus: opts.vus, durationSeconds: opts.seconds } }];
  const barrierDir = join(resultsDir, RUN_DIRS.engine, ENGINE_START_DIR);
  return measureLoad(ctx, f, {
    engine: 'artillery', scenario: opts.scenario, profile, scale, label: opts.label, runId, resultsDir, loads,
    timeoutMs: (opts.seconds + PROFILES[profile].gracefulStopSeconds + 180) * 1000,
    start: async ({ onSpawn, onT0 }) => {
      const processorFile = await buildArtilleryProcessor();
      const processes = artilleryProcesses({
        runId, scenario: opts.scenario, resultsDir, targetUrl: f.target.url, processorFile, loads, barrierDir, barrierTimeoutMs: BARRIER_TIMEOUT_MS,
        gracefulStopSeconds: PROFILES[profile].gracefulStopSeconds,
      });
      const results = await runArtillery(processes, { resultsDir, env, barrierDir, barrierTimeoutMs: BARRIER_TIMEOUT_MS, onSpawn, onT0 });
      return results.every((r) => r.exit === 0) ? 0 : 1;
    },
  });
}

// ---- processes we spawn ourselves --------------------------------------------------------

export interface MeasuredRun {
  exitCode: number;
  timedOut: boolean;
  wallSeconds: number;
  cost: Cost;
  /** Requests per unix second and the final line the reference script wrote. */
  perSecond: Map<number, number>;
  done: Record<string, unknown> | null;
  outputTail: string;
}

/** A reference script's per-second counts ({t, n} lines) and its {done: true, ...} line. */
export function readCounts(file: string): { perSecond: Map<number, number>; done: Record<string, unknown> | null } {
  const perSecond = new Map<number, number>();
  let done: Record<string, unknown> | null = null;
  if (!existsSync(file)) return { perSecond, done };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { t?: number; n?: number; done?: boolean };
      if (r.done) done = r as Record<string, unknown>;
      else if (typeof r.t === 'number' && typeof r.n === 'number') perSecond.set(r.t, (perSecond.get(r.t) ?? 0) + r.n);
    } catch { /* a torn last line */ }
  }
  return { perSecond, done };
}

export interface MeasuredOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** File the process writes its per-second request counts to ({t, n} lines, readCounts). */
  countsFile: string;
  /** Other ways to count its requests after it exited (k6: its own --out json). */
  counts?: () => { perSecond: Map<number, number>; done: Record<string, unknown> | null };
  timeoutMs: number;
  /** Also sample this PID (the server the process talks to), reported in `server`. */
  serverPid?: number;
}

/** Spawns `command`, samples it and its descendants until it exits (or its deadline), counts its requests. */
export async function runMeasured(opts: MeasuredOptions): Promise<MeasuredRun & { server: { cpuSeconds: number } | null }> {
  const sampler = new ProcessSampler(250);
  if (opts.serverPid) sampler.track(opts.serverPid, 'server');
  const reapedBefore = reapedChildrenCpuSeconds();
  const started = performance.now();
  const child = spawn(opts.command, opts.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${opts.command}`);
  sampler.track(pid, 'measured');
  sampler.start();
  let tail = '';
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-8000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let timedOut = false;
  const exitCode = await new Promise<number>((resolve) => {
    const cancel = deadline(opts.timeoutMs, () => (child.exitCode === null && child.signalCode === null ? [pid] : []), () => { timedOut = true; });
    child.once('error', () => { cancel(); resolve(1); });
    child.once('close', (code, signal) => { cancel(); resolve(code ?? (signal ? 128 : 1)); });
  });
  sampler.stop();
  const wallSeconds = (performance.now() - started) / 1000;
  const reaped = reapedChildrenCpuSeconds() - reapedBefore;
  const usage = sampler.usage('measured');
  const { perSecond, done } = opts.counts ? opts.counts() : readCounts(opts.countsFile);
  const requests = [...perSecond.values()].reduce((a, b) => a + b, 0);
  return {
    exitCode, timedOut, wallSeconds, perSecond, done, outputTail: tail,
    cost: cost(usage, Math.max(reaped, usage.cpuSeconds), requests, perSecond),
    server: opts.serverPid ? { cpuSeconds: sampler.usage('server').cpuSeconds } : null,
  };
}

/** An Artillery phase of the references: the plan's own phase type (steady rates or arrivalCount). */
export type ArtilleryPhaseSpec = ArtilleryPhase;

/**
 * The bare Artillery script (bench/reference/bare-processor.cjs) on the same Artillery runner
 * the pipeline runs (its launcher, build/dist/artillery/launcher.mjs: the runner in-process).
 */
export async function runBareArtillery(ctx: BenchContext, opts: {
  label: string;
  url: string;
  serverPid?: number;
  mode: 'open' | 'noop' | 'loop';
  phases: ArtilleryPhaseSpec[];
  /** loop mode: users stop this long after the first arrival; think time range, seconds (none: closed loop). */
  holdMs?: number;
  think?: { min: number; max: number };
  timeoutMs: number;
}): Promise<MeasuredRun & { server: { cpuSeconds: number } | null }> {
  const dir = join(ctx.workDir, 'bare', `${opts.label}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const countsFile = join(dir, 'counts.jsonl');
  const script = {
    config: { target: opts.url, processor: BARE_PROCESSOR, phases: opts.phases },
    scenarios: [{ name: 'bare', flow: [{ function: 'bareArrival' }] }],
  };
  const scriptFile = join(dir, 'bare.artillery.json');
  writeFileSync(scriptFile, `${JSON.stringify(script, null, 2)}\n`);
  const planned = opts.phases.reduce((n, p) => n + phaseArrivals(p), 0);
  await buildArtilleryProcessor(); // (re)writes the launcher
  const run = await runMeasured({
    command: process.execPath,
    args: [launcherFile, scriptFile],
    env: {
      ...ENGINE_QUIET_ENV,
      BARE_URL: `${opts.url}/v1/wallets/bench-wallet`,
      BARE_MODE: opts.mode,
      BARE_COUNTS_FILE: countsFile,
      BARE_PLANNED: String(planned),
      BARE_HOLD_MS: String(opts.holdMs ?? 0),
      BARE_THINK_MIN: String(opts.think?.min ?? 0),
      BARE_THINK_MAX: String(opts.think?.max ?? 0),
    },
    countsFile,
    timeoutMs: opts.timeoutMs,
    serverPid: opts.serverPid,
  });
  writeFileSync(join(dir, 'output.log'), run.outputTail);
  return run;
}

/** The plain undici loop (bench/reference/undici-loop.mjs). */
export async function runUndiciLoop(ctx: BenchContext, opts: { url: string; serverPid?: number; count: number; rate: number; concurrency: number; timeoutMs: number }): Promise<MeasuredRun & { server: { cpuSeconds: number } | null }> {
  const dir = join(ctx.workDir, 'undici', String(Date.now()));
  mkdirSync(dir, { recursive: true });
  const countsFile = join(dir, 'counts.jsonl');
  return runMeasured({
    command: process.execPath,
    args: [UNDICI_LOOP],
    env: {
      BARE_URL: `${opts.url}/v1/wallets/bench-wallet`,
      BARE_COUNT: String(opts.count),
      BARE_RATE: String(opts.rate),
      BARE_CONCURRENCY: String(opts.concurrency),
      BARE_COUNTS_FILE: countsFile,
    },
    countsFile,
    timeoutMs: opts.timeoutMs,
    serverPid: opts.serverPid,
  });
}

/** The bare k6 script (bench/k6/bare.js) with the user's k6: constant arrival rate, one GET each. */
export async function runBareK6(ctx: BenchContext, opts: { k6Path: string; url: string; serverPid?: number; rate: number; seconds: number; maxVus: number; timeoutMs: number }): Promise<MeasuredRun & { server: { cpuSeconds: number } | null }> {
  const dir = join(ctx.workDir, 'bare-k6', String(Date.now()));
  mkdirSync(dir, { recursive: true });
  const jsonFile = join(dir, 'samples.json');
  // k6 counts its own requests: http_reqs points of --out json, per second.
  const counts = () => {
    const perSecond = new Map<number, number>();
    if (existsSync(jsonFile)) {
      for (const line of readFileSync(jsonFile, 'utf8').split('\n')) {
        if (!line.includes('"http_reqs"') || !line.includes('"Point"')) continue;
        try {
          const p = JSON.parse(line) as { data: { time: string; value: number } };
          const t = Math.floor(Date.parse(p.data.time) / 1000);
          perSecond.set(t, (perSecond.get(t) ?? 0) + p.data.value);
        } catch { /* torn line */ }
      }
    }
    return { perSecond, done: null };
  };
  return runMeasured({
    command: opts.k6Path,
    args: ['run', '--no-usage-report', '--quiet', '--no-summary', '--no-thresholds', '--out', `json=${jsonFile}`, BARE_K6_SCRIPT],
    env: {
      K6_NO_USAGE_REPORT: 'true', K6_WEB_DASHBOARD: 'false',
      BARE_URL: `${opts.url}/v1/wallets/bench-wallet`, BARE_RATE: String(opts.rate), BARE_DURATION: `${opts.seconds}s`, BARE_MAX_VUS: String(opts.maxVus),
    },
    countsFile: jsonFile,
    counts,
    timeoutMs: opts.timeoutMs,
    serverPid: opts.serverPid,
  });
}

// ---- the trivial loopback server ---------------------------------------------------------

export interface Loopback { url: string; pid: number; stop(): Promise<void> }

export async function startLoopback(logDir: string, timeoutMs = 15_000): Promise<Loopback> {
  mkdirSync(logDir, { recursive: true });
  const child = spawn(process.execPath, [LOOPBACK_SERVER], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MOSHPIT_PARENT_PID: String(process.pid) } });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the loopback server');
  child.stderr.pipe(createWriteStream(join(logDir, 'loopback-server.log')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } reject(new Error('the loopback server did not start')); }, timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the loopback server exited (${code}) during start-up`)); });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const line = buffered.split('\n').find((l) => l.includes('"listening"'));
      if (!line) return;
      try {
        const msg = JSON.parse(line) as { url?: string };
        if (msg.url) { clearTimeout(timer); resolve(msg.url); }
      } catch { /* partial */ }
    });
  });
  child.stdout.resume();
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        try { process.kill(pid, 'SIGTERM'); } catch { return; }
        const killer = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

/** A cost for the JSON file: rounded, no samples. */
export function describeCost(c: Cost): Record<string, number | null> {
  const r = (n: number | null, d = 3) => (n === null ? null : Number(n.toFixed(d)));
  return {
    cpuSeconds: r(c.cpuSeconds), peakRssMiB: r(c.peakRssKiB / 1024, 1), hwmSumMiB: r(c.hwmSumKiB / 1024, 1), requests: c.requests,
    cpuMsPerRequest: r(c.cpuMsPerRequest, 4), steadyCpuMsPerRequest: r(c.steadyCpuMsPerRequest, 4), steadySeconds: c.steadySeconds, steadyRequests: c.steadyRequests, processes: c.processes,
  };
}
