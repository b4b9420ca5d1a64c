// What a profile schedules, computed from the same table the flows read (core/profiles.ts): the
// wallets a run needs to pass the runtime's fixture-fit check, and the iterations k6's own
// arrival-rate executors start (k6 rounds differently from the Artillery plan, whose planned
// arrivals each process writes into its stream: bench/harness/fidelity.ts reads those).
import { maxConcurrency, PROFILES, shapeDurationSeconds, SCENARIO_WORKLOADS, scenarioShapes, WALLET_PARTITION, type LoadShape, type ProfileName, type ProfileScale, type ScenarioName, type StatefulWorkload, type Workload } from '../../core/profiles.js';

/**
 * Iterations an arrival-rate shape starts; null for VU-based shapes. Constant rate: k6 starts
 * one at t = 0 and then every 1/rate up to and including t = duration, so
 * floor(rate x duration) + 1 per lane (measured on k6 v2.2: 0.5/s for 20 s runs 11; an arrival
 * due exactly at the end may lose the race with the executor's stop, so -1 per lane is timing,
 * not a dropped iteration). Ramping: the rate integrated over its stages.
 */
export function scheduledIterations(shape: LoadShape): number | null {
  switch (shape.executor) {
    case 'constant-arrival-rate':
      return Math.floor((shape.perMinute * shape.durationSeconds) / 60 + 1e-9) + 1;
    case 'ramping-arrival-rate': {
      let from = shape.startPerMinute;
      let total = 0;
      for (const s of shape.stages) {
        total += (((from + s.target) / 2) * s.durationSeconds) / 60;
        from = s.target;
      }
      return total;
    }
    default:
      return null;
  }
}

function lanes(workload: Workload, profile: ProfileName): number {
  const b = PROFILES[profile].behaviour;
  return workload === 'entry' ? b.doors : workload === 'concession' ? b.terminals : 1;
}

export interface Schedule {
  /** Iterations all arrival-rate lanes of the scenario start; VU-based workloads are left out. */
  iterations: number;
  seconds: number;
  /** Whether every workload of the scenario is arrival-rate (then an iterations count is comparable). */
  openModelOnly: boolean;
}

export function schedule(profile: ProfileName, scenario: ScenarioName, scale: ProfileScale): Schedule {
  const shapes = scenarioShapes(PROFILES[profile], scenario, scale);
  let iterations = 0;
  let seconds = 0;
  let openModelOnly = true;
  for (const w of SCENARIO_WORKLOADS[scenario]) {
    const shape = shapes[w];
    if (!shape) continue;
    const n = scheduledIterations(shape);
    if (n === null) {
      openModelOnly = false;
      continue;
    }
    iterations += n * lanes(w, profile);
    seconds = Math.max(seconds, shapeDurationSeconds(shape));
  }
  return { iterations, seconds, openModelOnly };
}

const STATEFUL: readonly Workload[] = ['entry', 'reentry', 'concession', 'funding'];

/** Wallets to seed so the runtime's fixture-fit check (3 wallets per concurrent iteration per lane) passes. */
export function walletsNeeded(profile: ProfileName, scenario: ScenarioName, scale: ProfileScale): number {
  const shapes = scenarioShapes(PROFILES[profile], scenario, scale);
  let wallets = 0;
  for (const w of SCENARIO_WORKLOADS[scenario]) {
    const shape = shapes[w];
    if (!shape || !STATEFUL.includes(w)) continue;
    const n = lanes(w, profile);
    const perLane = 3 * maxConcurrency(shape);
    wallets = Math.max(wallets, Math.ceil(((perLane + 1) * n) / WALLET_PARTITION[w as StatefulWorkload]));
  }
  return Math.ceil(wallets * 1.02) + 10;
}
