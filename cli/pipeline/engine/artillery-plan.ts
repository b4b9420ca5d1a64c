// The default engine's plan for one run: one Artillery process per workload (a door's and a
// terminal's lanes share their workload's process), all started together. Artillery's phases
// belong to a whole run, so separate processes are what give each workload its own rate and
// let a closed population (the browsing crowd) run beside open arrivals.
// Phases use arrivalCount only: Artillery runs those in one worker, so a process's arrival
// numbering (lanes, wallets) is its own, and the schedule's total is exact.
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

export interface ArtilleryPhase { duration: number; arrivalCount?: number; pause?: number; name?: string }

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

export function phasesFor(load: WorkloadLoad, shard: Shard = { index: 0, count: 1 }): ArtilleryPhase[] {
  const whole = load.shape === null
    ? [{ seconds: 1, arrivals: load.vus ?? 1 }]
    : isOpen(load.shape) ? arrivalSlices(load.shape, load.lanes, SLICE_SECONDS) : vuArrivalSlices(shardShape(load.shape, shard) as ClosedShape, SLICE_SECONDS);
  // Open arrivals are dealt out in turn: global arrival k goes to shard k % count.
  let before = 0;
  const slices = load.shape !== null && isOpen(load.shape) && shard.count > 1
    ? whole.map((sl) => { const arrivals = shardShare(sl.arrivals, shard, before); before += sl.arrivals; return { seconds: sl.seconds, arrivals }; })
    : whole;
  // Merge equal neighbours (a constant rate is one phase) and keep silent slices as pauses.
  const merged: Array<{ seconds: number; arrivals: number }> = [];
  for (const s of slices) {
    const last = merged.at(-1);
    const sameRate = last && last.arrivals * s.seconds === s.arrivals * last.seconds && (last.arrivals === 0) === (s.arrivals === 0);
    if (last && sameRate) { last.seconds += s.seconds; last.arrivals += s.arrivals; } else merged.push({ ...s });
  }
  return merged.map((s) => (s.arrivals === 0 ? { duration: s.seconds, pause: s.seconds } : { duration: s.seconds, arrivalCount: s.arrivals }));
}

export function plannedArrivals(phases: ArtilleryPhase[]): number {
  return phases.reduce((sum, p) => sum + (p.arrivalCount ?? 0), 0);
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
}

export function artilleryProcesses(input: PlanInput): ArtilleryProcess[] {
  const shard = input.shard ?? { index: 0, count: 1 };
  // Devices (one simulated scanner or till each) run in the first shard only.
  const loads = input.loads.filter((l) => l.shape !== null || shard.index === 0);
  return loads.map((load) => {
    const phases = phasesFor(load, shard);
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
