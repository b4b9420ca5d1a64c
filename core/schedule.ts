// What a profile's LoadShape means over time, for engines that don't have k6's executors:
// the open-model arrival rate and the closed-model VU target at any second, and the arrivals
// a schedule plans in total. Pure; the Artillery plan (cli/pipeline/engine) and the processor
// (lib/bindings/artillery) both read it, so scheduled and achieved are computed one way.
import { shapeDurationSeconds, type LoadShape, type Stage } from './profiles.js';

/** Arrivals are planned in slices this long: a ramp becomes a staircase of this step. */
export const SLICE_SECONDS = 5;

export type OpenShape = Extract<LoadShape, { executor: 'constant-arrival-rate' | 'ramping-arrival-rate' }>;
export type ClosedShape = Extract<LoadShape, { executor: 'constant-vus' | 'ramping-vus' }>;

export function isOpen(shape: LoadShape): shape is OpenShape {
  return shape.executor === 'constant-arrival-rate' || shape.executor === 'ramping-arrival-rate';
}

/** Piecewise-linear value at t (k6 ramps linearly within a stage from the previous target). */
function stagedValue(start: number, stages: Stage[], t: number): number {
  let from = start;
  let at = 0;
  for (const s of stages) {
    if (t < at + s.durationSeconds) return from + ((s.target - from) * (t - at)) / s.durationSeconds;
    from = s.target;
    at += s.durationSeconds;
  }
  return from;
}

/** Arrivals per minute (one lane) at second t of the schedule. */
export function arrivalRateAt(shape: OpenShape, t: number): number {
  return shape.executor === 'constant-arrival-rate' ? shape.perMinute : stagedValue(shape.startPerMinute, shape.stages, t);
}

/** VUs that should be running at second t. */
export function vuTargetAt(shape: ClosedShape, t: number): number {
  return shape.executor === 'constant-vus' ? shape.vus : Math.round(stagedValue(shape.startVUs, shape.stages, t));
}

/** Arrivals of one lane between t0 and t1 (exact integral of the piecewise-linear rate). */
export function arrivalsBetween(shape: OpenShape, t0: number, t1: number): number {
  if (shape.executor === 'constant-arrival-rate') return (shape.perMinute * (t1 - t0)) / 60;
  // Trapezoids over the stage boundaries inside [t0, t1].
  const cuts = [t0, t1];
  let at = 0;
  for (const s of shape.stages) { at += s.durationSeconds; if (at > t0 && at < t1) cuts.push(at); }
  cuts.sort((a, b) => a - b);
  let sum = 0;
  for (let i = 1; i < cuts.length; i++) {
    const a = cuts[i - 1]!, b = cuts[i]!;
    sum += ((arrivalRateAt(shape, a) + arrivalRateAt(shape, b)) / 2) * ((b - a) / 60);
  }
  return sum;
}

/**
 * The open schedule cut into slices of at most `sliceSeconds`, each with a whole number of
 * arrivals (all lanes together); rounding carries over, so the total is the rounded integral.
 */
export function arrivalSlices(shape: OpenShape, lanes: number, sliceSeconds: number): Array<{ seconds: number; arrivals: number }> {
  const total = shapeDurationSeconds(shape);
  const out: Array<{ seconds: number; arrivals: number }> = [];
  let exact = 0;
  let given = 0;
  for (let t = 0; t < total; t += sliceSeconds) {
    const end = Math.min(total, t + sliceSeconds);
    exact += arrivalsBetween(shape, t, end) * lanes;
    const arrivals = Math.round(exact) - given;
    given += arrivals;
    out.push({ seconds: end - t, arrivals });
  }
  return out;
}

/** Every whole VU increase of a closed schedule, as slices of new arrivals. */
export function vuArrivalSlices(shape: ClosedShape, sliceSeconds: number): Array<{ seconds: number; arrivals: number }> {
  const total = shapeDurationSeconds(shape);
  const start = shape.executor === 'constant-vus' ? shape.vus : shape.startVUs;
  const out: Array<{ seconds: number; arrivals: number }> = [];
  // The starting population arrives in the first second, as k6 starts it at once.
  let alive = start;
  out.push({ seconds: Math.min(1, total), arrivals: start });
  for (let t = Math.min(1, total); t < total; t += sliceSeconds) {
    const end = Math.min(total, t + sliceSeconds);
    const target = vuTargetAt(shape, end);
    const arrivals = Math.max(0, target - alive);
    // VUs above the target leave on their own; the next rise needs new arrivals.
    alive = target;
    out.push({ seconds: end - t, arrivals });
  }
  return out;
}
