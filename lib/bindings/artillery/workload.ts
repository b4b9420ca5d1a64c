// Which flow this process runs and the runtime it runs on, built once per process (worker).
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ProcessPlan } from '../../../core/engine-plan.js';
import { isScenarioName, type Workload } from '../../../core/profiles.js';
import { startClock } from '../../chaos/clock.js';
import { chaosWorkloadFlows, initChaosRuntime, type ChaosWorkload } from '../../chaos/runtime.js';
import type { FixtureSource } from '../../fixtures.js';
import type { Flow } from '../../flow-context.js';
import { flowsFor } from '../../flows/index.js';
import { initRuntime, type Runtime } from '../../runtime.js';

/** Node reads fixtures straight from disk; every VU of the worker shares one copy. */
export function nodeFixtureSource(dir: string): FixtureSource {
  return {
    readText: (file) => readFileSync(file.startsWith('/') ? file : join(dir, file), 'utf8'),
    share: (_name, make) => make(),
  };
}

/**
 * A cloud worker gets the fixtures shipped beside the processor (Artillery's includeFiles), at
 * a path known only there: a relative FIXTURES_DIR is taken from `baseDir`, the processor's.
 */
export function withFixturesFrom(env: Record<string, string | undefined>, baseDir: string): Record<string, string | undefined> {
  const dir = env.FIXTURES_DIR;
  return dir && !isAbsolute(dir) ? { ...env, FIXTURES_DIR: resolve(baseDir, dir) } : env;
}

export interface ResolvedWorkload {
  rt: Runtime;
  flow: Flow;
  /** Called once t0 is known (the chaos clock starts then). */
  onT0(t0Ms: number): void;
}

export function resolveWorkload(plan: ProcessPlan, env: Record<string, string | undefined>): ResolvedWorkload {
  const source = nodeFixtureSource(env.FIXTURES_DIR ?? '');
  if (plan.scenario === 'chaos') {
    const chaos = initChaosRuntime(env, source);
    const flow = chaosWorkloadFlows(chaos)[plan.workload as ChaosWorkload];
    if (!flow) throw new Error(`chaos has no workload "${plan.workload}"`);
    // Faults and load share one clock: the timeline's second 0 is the load's t0.
    return { rt: chaos.rt, flow, onT0: (t0Ms) => startClock(chaos.clock, t0Ms) };
  }
  if (!isScenarioName(plan.scenario)) throw new Error(`unknown scenario "${plan.scenario}"`);
  const rt = initRuntime(plan.scenario, env, source);
  const flow = flowsFor(plan.scenario)[plan.workload as Workload];
  if (!flow) throw new Error(`scenario ${plan.scenario} has no workload "${plan.workload}"`);
  return { rt, flow, onT0: () => {} };
}
