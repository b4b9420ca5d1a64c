// Schedule fidelity of one default-engine run, per workload, from the run's metrics streams:
//   open workloads (doors, terminals, re-entries): iterations run ÷ arrivals planned. Planned
//     is the start record's plannedArrivals (the Artillery plan: the profile's rate integrated
//     per 5-s slice, rounded with carry); the profile's exact integral is kept next to it so a
//     reader sees the plan is the profile. Achieved and dropped are the end record's
//     iterations and dropped (the processor's own counts), or the counters when a process
//     died before its end record.
//   closed workloads (the browsing crowd, concurrent fundings): VUs held ÷ the schedule's peak
//     VU target, from the `vus` gauge each process samples once a second (VUs alive, thinking
//     ones included), its maximum and its minimum over the peak plateau (the seconds where the
//     target has been at its peak for a whole arrival slice, so newly arriving VUs are not
//     counted as missing while Artillery spreads them over the slice).
import type { MergedRun, SourceInfo } from '../../core/metrics-stream/merge.js';
import { shapeDurationSeconds, type LoadShape } from '../../core/profiles.js';
import { arrivalsBetween, isOpen, vuTargetAt, type ClosedShape } from '../../core/schedule.js';
import { SLICE_SECONDS, type WorkloadLoad } from '../../cli/pipeline/engine/artillery-plan.js';

export interface WorkloadFidelity {
  workload: string;
  source: string;
  model: 'open' | 'closed' | 'device';
  /** open: iterations; closed: VUs. */
  unit: 'iterations' | 'VUs';
  scheduled: number;
  achieved: number;
  ratio: number;
  plannedArrivals: number;
  /** open: the profile's arrivals integrated exactly over the schedule, all lanes. */
  profileArrivals: number | null;
  arrivals: number | null;
  iterations: number | null;
  dropped: number;
  flowErrors: number;
  /** Iterations that ended after the schedule's end plus the graceful stop. */
  overran: number;
  /** false: the process left no end record (stopped or died); the counters were used. */
  ended: boolean;
  /** closed: the peak VU target, the gauge's maximum, its minimum over the peak plateau. */
  targetVus?: number;
  heldMax?: number;
  heldPlateauMin?: number | null;
  plateauSeconds?: number;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function counterFor(merged: MergedRun, metric: string, workload: string): number {
  let n = 0;
  for (const s of merged.metrics.get(metric) ?? []) if (s.data.k === 'counter' && s.tags.flow === workload) n += s.data.sum;
  return n;
}

function peakTarget(shape: ClosedShape): number {
  return shape.executor === 'constant-vus' ? shape.vus : Math.max(shape.startVUs, ...shape.stages.map((s) => s.target));
}

/** The gauge per unix second (min, max) of one workload's `vus`. */
function vusPerSecond(merged: MergedRun, workload: string): Map<number, { min: number; max: number }> {
  const out = new Map<number, { min: number; max: number }>();
  for (const [t, series] of merged.seconds) {
    for (const s of series) {
      if (s.m !== 'vus' || s.data.k !== 'gauge' || s.tags.scenario !== workload) continue;
      const have = out.get(t);
      out.set(t, have ? { min: Math.min(have.min, s.data.min), max: Math.max(have.max, s.data.max) } : { min: s.data.min, max: s.data.max });
    }
  }
  return out;
}

/** Seconds (unix) of the peak plateau: the target at its peak from a slice before to 2 s after. */
export function plateauSeconds(shape: ClosedShape, startMs: number, seconds: Iterable<number>): number[] {
  const peak = peakTarget(shape);
  const duration = shapeDurationSeconds(shape);
  const out: number[] = [];
  for (const t of seconds) {
    const rel = t - startMs / 1000;
    if (rel - SLICE_SECONDS - 1 < 0 || rel + 2 > duration) continue;
    let flat = true;
    for (let x = rel - SLICE_SECONDS - 1; x <= rel + 2; x += 0.5) if (vuTargetAt(shape, x) !== peak) { flat = false; break; }
    if (flat) out.push(t);
  }
  return out;
}

export function workloadFidelity(merged: MergedRun, loads: readonly WorkloadLoad[], t0Ms: number): WorkloadFidelity[] {
  const out: WorkloadFidelity[] = [];
  for (const load of loads) {
    const src: SourceInfo | undefined = merged.sources.find((s) => s.info.workload === load.workload);
    if (!src) throw new Error(`no metrics stream for the ${load.workload} workload (its process did not start)`);
    const end = src.endInfo;
    const ended = src.endedAt !== null;
    const plannedArrivals = num(src.info.plannedArrivals) ?? 0;
    const iterations = num(end.iterations) ?? (ended ? null : counterFor(merged, 'iterations', load.workload));
    const dropped = num(end.dropped) ?? counterFor(merged, 'dropped_iterations', load.workload);
    const base = {
      workload: load.workload,
      source: src.source,
      plannedArrivals,
      arrivals: num(end.arrivals),
      iterations,
      dropped,
      flowErrors: num(end.flowErrors) ?? counterFor(merged, 'moshpit_flow_errors', load.workload),
      overran: num(end.overran) ?? 0,
      ended,
    };
    const shape: LoadShape | null = load.shape;
    if (shape === null) {
      out.push({ ...base, model: 'device', unit: 'iterations', scheduled: plannedArrivals, achieved: iterations ?? 0, ratio: plannedArrivals ? (iterations ?? 0) / plannedArrivals : 0, profileArrivals: null });
    } else if (isOpen(shape)) {
      const achieved = iterations ?? 0;
      const profileArrivals = arrivalsBetween(shape, 0, shapeDurationSeconds(shape)) * load.lanes;
      out.push({ ...base, model: 'open', unit: 'iterations', scheduled: plannedArrivals, achieved, ratio: plannedArrivals ? achieved / plannedArrivals : 0, profileArrivals });
    } else {
      const perSecond = vusPerSecond(merged, load.workload);
      const targetVus = peakTarget(shape);
      const heldMax = Math.max(0, ...[...perSecond.values()].map((v) => v.max));
      // A worker that came up after t0 starts its schedule at its first arrival.
      const startMs = Math.max(t0Ms, src.startedAt);
      const plateau = plateauSeconds(shape, startMs, perSecond.keys());
      const heldPlateauMin = plateau.length ? Math.min(...plateau.map((t) => perSecond.get(t)!.min)) : null;
      out.push({
        ...base, model: 'closed', unit: 'VUs', scheduled: targetVus, achieved: heldMax, ratio: targetVus ? heldMax / targetVus : 0, profileArrivals: null,
        targetVus, heldMax, heldPlateauMin, plateauSeconds: plateau.length,
      });
    }
  }
  return out;
}
