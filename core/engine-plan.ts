// What the orchestrator tells each default-engine load process (env MOSHPIT_ENGINE_PLAN, JSON):
// which workload it runs, how its iterations are numbered, where its metrics stream goes.
// One owner for both sides: cli/pipeline/engine writes it, lib/bindings/artillery reads it.
import type { LoadShape } from './profiles.js';

export const ENGINE_PLAN_ENV = 'MOSHPIT_ENGINE_PLAN';

export const ENGINES = ['artillery', 'k6'] as const;
export type EngineName = (typeof ENGINES)[number];
export const DEFAULT_ENGINE: EngineName = 'artillery';

export interface ProcessPlan {
  runId: string;
  /** The scenario's name (entry, full, chaos, ...). */
  scenario: string;
  /** The workload this process runs (entry, browse, chaos_scanner, ...). */
  workload: string;
  /** Unique per process in the run; names its stream file. */
  source: string;
  /** Absolute path of this process's metrics stream (results/<run-id>/streams/<source>.jsonl). */
  streamFile: string;
  /** Lanes (doors, terminals) this workload is split into; arrivals go round-robin. */
  lanes: number;
  /** The load shape, already scaled. null for a device workload: `vus` VUs, one iteration each. */
  shape: LoadShape | null;
  /** Device workloads: how many VUs (each runs one long iteration). */
  vus?: number;
  /** Device workloads: how long their one iteration lives (the chaos timeline's length). */
  deviceSeconds?: number;
  /** Planned arrivals (open) or VU arrivals (closed) in this process. */
  plannedArrivals: number;
  /**
   * The start barrier (core/start-barrier.ts): the process reports ready there and takes t0
   * from there, so a slow-starting process never starts its schedule late.
   */
  barrierDir: string;
  /** Give up (and fail the run) when t0 has not come this long after the process is ready. */
  barrierTimeoutMs: number;
  /**
   * false: no orchestrator beside the process (an Artillery cloud worker), so no barrier: its
   * schedule starts when Artillery starts it. Default true.
   */
  startBarrier?: boolean;
  /** Iterations still running this long after the schedule's end are abandoned (counted). */
  gracefulStopSeconds: number;
  /** Shards split the iteration numbers: this process takes index, index+count, ... */
  shard: { index: number; count: number };
  /** Tags on every sample of this process (k6's scenario/flow tags). */
  tags: Record<string, string>;
}

export function parseProcessPlan(raw: string | undefined): ProcessPlan {
  if (!raw) throw new Error(`${ENGINE_PLAN_ENV} is not set: this processor runs only under moshpit's orchestrator`);
  const p = JSON.parse(raw) as ProcessPlan;
  for (const k of ['runId', 'scenario', 'workload', 'source', 'streamFile'] as const) {
    if (typeof p[k] !== 'string' || !p[k]) throw new Error(`${ENGINE_PLAN_ENV}.${k} must be a non-empty string`);
  }
  if (!Number.isInteger(p.lanes) || p.lanes < 1) throw new Error(`${ENGINE_PLAN_ENV}.lanes must be a positive integer`);
  return p;
}
