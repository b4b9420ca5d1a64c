// The workloads a scenario runs and the shape of each, for engines that take one process per
// workload (the default engine). Chaos adds its simulated offline devices.
import { PROFILES, SCENARIO_WORKLOADS, scenarioShapes, type ProfileName, type ScenarioName } from '../../../core/profiles.js';
import type { ChaosEnv } from '../../../lib/chaos/contract.js';
import { CHAOS_LOAD, chaosDeviceWorkloads } from '../../../lib/chaos/runtime.js';
import { laneCount } from '../../../lib/runtime.js';
import type { WorkloadLoad } from './artillery-plan.js';

export interface LoadScale { duration: number; rate: number }

export function workloadLoads(scenario: string, profileName: ProfileName, scale: LoadScale, chaos: ChaosEnv | null): WorkloadLoad[] {
  const profile = PROFILES[profileName];
  const shapedAs: ScenarioName = scenario === 'chaos' ? CHAOS_LOAD : (scenario as ScenarioName);
  const shapes = scenarioShapes(profile, shapedAs, scale);
  const loads: WorkloadLoad[] = [];
  for (const w of SCENARIO_WORKLOADS[shapedAs]) {
    const shape = shapes[w];
    if (shape) loads.push({ workload: w, lanes: laneCount(w, profile, scenario), shape });
  }
  if (scenario === 'chaos' && chaos) for (const d of chaosDeviceWorkloads(chaos)) loads.push({ workload: d, lanes: 1, shape: null, vus: 1, deviceSeconds: chaos.durationS });
  return loads;
}
