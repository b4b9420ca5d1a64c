// The default engine's plan for one run: one Artillery process per workload (a door's and a
// terminal's lanes share their workload's process), all started together. Artillery's phases
// belong to a whole run, so separate processes are what give each workload its own rate and
// let a closed population (the browsing crowd) run beside open arrivals.
//
// Each 5-s slice's whole number of arrivals becomes constant per-second rates (`arrivalRate: r,
// rampTo: r`, 23 in 5 s -> 5,5,5,4,4 per second). Artillery times rampTo phases with a
// setTimeout ticker (lib/core/phases.ts createRamp: each second, floor(rate) arrivals spaced
// floor(1000 / rate) ms); `arrivalCount` and plain `arrivalRate` phases use nanotimer, which
// polls with setImmediate before every arrival and keeps most of a core busy above ~40
// arrivals/s (bench `load-generator`: ~7x the CPU per arrival). The launcher runs Artillery's
// runner in one process with no worker split, so each phase emits exactly its planned count
// and a process's arrival numbering (lanes, wallets) is its own. `artillery run` (the cloud
// runners) divides rampTo phases over worker threads, each with its own numbering: those
// scripts keep `arrivalCount`, which Artillery runs in its first worker only.
import { RUN_DIRS } from '../../../core/results-layout.js';
import { join } from 'node:path';
import type { ProcessPlan } from '../../../core/engine-plan.js';
import { laneName, shapeDurationSeconds, type LoadShape } from '../../../core/profiles.js';
import { arrivalSlices, isOpen, SLICE_SECONDS, vuArrivalSlices, type ClosedShape } from '../../../core/schedule.js';
import { streamFileName } from '../../../core/metrics-stream/records.js';

export { SLICE_SECONDS };

export interface WorkloadLoad {
  workload: string;
  lanes: number;
  /** null: a device workload (`vus` VUs, one long iteration each). */
  shape: LoadShape | null;
  vus?: number;
  /** Device workloads: seconds their one iteration lives. */
  deviceSeconds?: number;
}

export interface ArtilleryPhase { duration: number; arrivalCount?: number; arrivalRate?: number; rampTo?: number; pause?: number; name?: string }

/**
 * How phases carry arrivals. `steady-rate`: constant per-second rates on Artillery's ticker (the
 * launcher, one process, no worker split). `arrival-count`: one arrivalCount phase per rate, for
 * `artillery run`, which splits rate phases over worker threads.
 */
export type PhaseStyle = 'steady-rate' | 'arrival-count';

export interface ArtilleryProcess {
  plan: ProcessPlan;
  script: { config: { target: string; processor: string; phases: ArtilleryPhase[] }; scenarios: Array<{ name: string; flow: Array<{ function: string }> }> };
}

export interface Shard { index: number; count: number }

/** Of `total` things numbered 0.., how many have number % count === index. */
export function shardShare(total: number, shard: Shard, offset = 0): number {
  const upTo = (n: number) => Math.floor((n - shard.index + shard.count - 1) / shard.count);
  return Math.max(0, upTo(offset + total) - upTo(offset));
}

/**
 * One shard's part of a closed shape: each VU target split so the shards add up exactly.
 * (Open shapes are split arrival by arrival in phasesFor.)
 */
export function shardShape(shape: LoadShape, shard: Shard): LoadShape {
  if (shard.count === 1) return shape;
  const part = (n: number) => shardShare(n, shard);
  switch (shape.executor) {
    case 'constant-vus':
      return { ...shape, vus: part(shape.vus) };
    case 'ramping-vus':
      return { ...shape, startVUs: part(shape.startVUs), stages: shape.stages.map((st) => ({ ...st, target: part(st.target) })) };
    default:
      return { ...shape, preAllocatedVUs: Math.ceil(shape.preAllocatedVUs / shard.count), maxVUs: Math.ceil(shape.maxVUs / shard.count) };
  }
}

/**
 * Arrivals per second above which a second keeps an arrivalCount phase: Artillery's ticker
 * spaces arrivals floor(1000 / rate) ms apart, 0 ms (one per timer turn) past 1,000/s.
 */
export const MAX_TICKER_RATE = 1000;

const pause = (seconds: number): ArtilleryPhase => ({ duration: seconds, pause: seconds });
const steady = (seconds: number, rate: number): ArtilleryPhase => (rate === 0 ? pause(seconds) : { duration: seconds, arrivalRate: rate, rampTo: rate });
/** Two seconds of `from` then `to` arrivals: Artillery's ramp over 2 periods is exactly that. */
const step2 = (from: number, to: number): ArtilleryPhase => ({ duration: 2, arrivalRate: from, rampTo: to });

/**
 * One slice (whole seconds, whole arrivals) as steady-rate phases: the extra arrivals go one
 * each to the first seconds (23 in 5 s: 5,5,5,4,4); fewer arrivals than seconds are spread
 * (2 in 5 s: 1,0,1,0,0). A one-second run of a rate is paired with its neighbour in a 2-s ramp
 * (Artillery runs a 1-s ramp phase's arrivals back to back, at once); a second that cannot be
 * paired (only in a slice of 1 or 3 s) with 2 or more arrivals, and any second above
 * MAX_TICKER_RATE, keeps an arrivalCount phase.
 */
export function sliceSteadyPhases(seconds: number, arrivals: number): ArtilleryPhase[] {
  if (!Number.isInteger(seconds) || seconds < 1 || !Number.isInteger(arrivals) || arrivals < 0) {
    throw new Error(`a slice needs whole seconds >= 1 and whole arrivals >= 0 (got ${seconds} s, ${arrivals})`);
  }
  if (arrivals === 0) return [pause(seconds)];
  const low = Math.floor(arrivals / seconds);
  const highSeconds = arrivals % seconds; // seconds with low + 1
  const lowSeconds = seconds - highSeconds;
  if (low + (highSeconds > 0 ? 1 : 0) > MAX_TICKER_RATE) return [{ duration: seconds, arrivalCount: arrivals }];
  const lone = (rate: number): ArtilleryPhase => (rate <= 1 ? steady(1, rate) : { duration: 1, arrivalCount: rate });
  // Fewer arrivals than seconds: one each in seconds spread over the slice.
  if (low === 0) {
    const ones = new Set(Array.from({ length: highSeconds }, (_, k) => Math.floor((k * seconds) / highSeconds)));
    return Array.from({ length: seconds }, (_, i) => lone(ones.has(i) ? 1 : 0));
  }
  if (highSeconds === 0) return [seconds === 1 ? lone(low) : steady(seconds, low)];
  if (highSeconds >= 2 && lowSeconds >= 2) return [steady(highSeconds, low + 1), steady(lowSeconds, low)];
  if (highSeconds === 1 && lowSeconds === 1) return [step2(low + 1, low)];
  if (highSeconds === 1) return lowSeconds === 2 ? [step2(low + 1, low), lone(low)] : [step2(low + 1, low), steady(lowSeconds - 1, low)];
  // lowSeconds === 1, highSeconds >= 2
  return highSeconds === 2 ? [steady(2, low + 1), lone(low)] : [steady(highSeconds - 1, low + 1), step2(low + 1, low)];
}

/** Same kind and rate: two neighbours that are one phase. */
function mergeable(a: ArtilleryPhase, b: ArtilleryPhase): boolean {
  if (a.pause !== undefined && b.pause !== undefined) return true;
  return a.arrivalRate !== undefined && a.arrivalRate === a.rampTo && b.arrivalRate === a.arrivalRate && b.rampTo === a.rampTo;
}

function mergePhases(phases: ArtilleryPhase[]): ArtilleryPhase[] {
  const out: ArtilleryPhase[] = [];
  for (const p of phases) {
    const last = out.at(-1);
    if (last && mergeable(last, p)) {
      last.duration += p.duration;
      if (last.pause !== undefined) last.pause = last.duration;
    } else out.push({ ...p });
  }
  return out;
}

/** The schedule's slices (whole seconds, whole arrivals) of one process. */
function processSlices(load: WorkloadLoad, shard: Shard): Array<{ seconds: number; arrivals: number }> {
  const whole = load.shape === null
    ? [{ seconds: 1, arrivals: load.vus ?? 1 }]
    : isOpen(load.shape) ? arrivalSlices(load.shape, load.lanes, SLICE_SECONDS) : vuArrivalSlices(shardShape(load.shape, shard) as ClosedShape, SLICE_SECONDS);
  // Open arrivals are dealt out in turn: global arrival k goes to shard k % count.
  let before = 0;
  return load.shape !== null && isOpen(load.shape) && shard.count > 1
    ? whole.map((sl) => { const arrivals = shardShare(sl.arrivals, shard, before); before += sl.arrivals; return { seconds: sl.seconds, arrivals }; })
    : whole;
}

export function phasesFor(load: WorkloadLoad, shard: Shard = { index: 0, count: 1 }, style: PhaseStyle = 'steady-rate'): ArtilleryPhase[] {
  const slices = processSlices(load, shard);
  if (style === 'steady-rate') return mergePhases(slices.flatMap((s) => sliceSteadyPhases(s.seconds, s.arrivals)));
  // Merge equal neighbours (a constant rate is one phase) and keep silent slices as pauses.
  const merged: Array<{ seconds: number; arrivals: number }> = [];
  for (const s of slices) {
    const last = merged.at(-1);
    const sameRate = last && last.arrivals * s.seconds === s.arrivals * last.seconds && (last.arrivals === 0) === (s.arrivals === 0);
    if (last && sameRate) { last.seconds += s.seconds; last.arrivals += s.arrivals; } else merged.push({ ...s });
  }
  return merged.map((s) => (s.arrivals === 0 ? pause(s.seconds) : { duration: s.seconds, arrivalCount: s.arrivals }));
}

/**
 * Arrivals Artillery emits for one phase, by its own rules (lib/core/phases.ts): arrivalCount
 * as given; a ramp, per 1-s period, floor of the linear rate from arrivalRate to rampTo (a
 * 1-period ramp: floor of their mean). Worker bumps do not apply: the launcher runs no workers.
 */
export function phaseArrivals(p: ArtilleryPhase): number {
  if (p.pause !== undefined) return 0;
  if (p.arrivalCount !== undefined) return p.arrivalCount;
  if (p.arrivalRate === undefined) return 0;
  if (p.rampTo === undefined) throw new Error('a plain arrivalRate phase is not planned (its arrivals are timed by nanotimer, not counted)');
  const periods = p.duration || 1;
  if (periods === 1) return Math.floor((p.arrivalRate + p.rampTo) / 2);
  let n = 0;
  for (let i = 0; i < periods; i++) n += Math.floor(((p.rampTo - p.arrivalRate) / (periods - 1)) * i + p.arrivalRate);
  return n;
}

export function plannedArrivals(phases: ArtilleryPhase[]): number {
  return phases.reduce((sum, p) => sum + phaseArrivals(p), 0);
}

export interface PlanInput {
  runId: string;
  scenario: string;
  resultsDir: string;
  targetUrl: string;
  processorFile: string;
  loads: WorkloadLoad[];
  barrierDir: string;
  barrierTimeoutMs: number;
  gracefulStopSeconds: number;
  shard?: Shard;
  tags?: Record<string, string>;
  /** Default `steady-rate`; `arrival-count` for scripts run by `artillery run` (the cloud runners). */
  phaseStyle?: PhaseStyle;
}

export function artilleryProcesses(input: PlanInput): ArtilleryProcess[] {
  const shard = input.shard ?? { index: 0, count: 1 };
  // Devices (one simulated scanner or till each) run in the first shard only.
  const loads = input.loads.filter((l) => l.shape !== null || shard.index === 0);
  return loads.map((load) => {
    const phases = phasesFor(load, shard, input.phaseStyle);
    const source = `artillery-${load.workload.replace(/_/g, '-')}-s${shard.index}`;
    const plan: ProcessPlan = {
      runId: input.runId,
      scenario: input.scenario,
      workload: load.workload,
      source,
      streamFile: join(input.resultsDir, RUN_DIRS.streams, streamFileName(source)),
      lanes: load.lanes,
      shape: load.shape === null ? null : shardShape(load.shape, shard),
      ...(load.vus !== undefined ? { vus: load.vus } : {}),
      ...(load.deviceSeconds !== undefined ? { deviceSeconds: load.deviceSeconds } : {}),
      plannedArrivals: plannedArrivals(phases),
      barrierDir: input.barrierDir,
      barrierTimeoutMs: input.barrierTimeoutMs,
      gracefulStopSeconds: input.gracefulStopSeconds,
      shard,
      tags: { flow: load.workload, ...(input.tags ?? {}) },
    };
    return {
      plan,
      script: {
        config: { target: input.targetUrl, processor: input.processorFile, phases },
        scenarios: [{ name: laneName(load.workload, 0), flow: [{ function: 'moshpitVu' }] }],
      },
    };
  });
}

/** Seconds of scheduled load, for progress lines and the stop deadline. */
export function scheduleSeconds(loads: WorkloadLoad[]): number {
  return Math.max(1, ...loads.map((l) => (l.shape ? shapeDurationSeconds(l.shape) : l.deviceSeconds ?? 1)));
}
