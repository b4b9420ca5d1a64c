// What a k6 scenario file (scenarios/<name>.ts) is made of: defineK6Scenario() builds the
// runtime in the init context and returns the k6 options; k6Exec() turns a Flow into the
// exec function a k6 scenario runs; setup() and handleSummary() are re-exported as they are.
// Module state here is per VU (each k6 VU is its own JS runtime, with its own init).
import { SharedArray } from 'k6/data';
import type { Options } from 'k6/options';
import type { ScenarioName } from '../../../core/profiles.js';
import type { FixtureSource } from '../../fixtures.js';
import { flowContext, type Flow, type FlowContext } from '../../flow-context.js';
import { setup as checkTarget, type SetupData } from '../../lifecycle.js';
import { initRuntime, type Runtime } from '../../runtime.js';
import { buildOptions } from './options.js';
import { k6Port } from './port.js';

/** Fixture files through open() and SharedArray: init context only, one copy for every VU. */
export const k6FixtureSource: FixtureSource = {
  readText: (file) => open(file),
  share: <T>(name: string, make: () => T[]) => new SharedArray<T>(name, make),
};

let current: Runtime | null = null;

/** Builds this VU's runtime from __ENV (init context); the chaos scenario adjusts it afterwards. */
export function initK6Runtime(name: ScenarioName): Runtime {
  current = initRuntime(name, __ENV, k6FixtureSource);
  return current;
}

export function k6Runtime(): Runtime {
  if (!current) throw new Error('moshpit k6: no runtime: scenario files must call defineK6Scenario() at top level');
  return current;
}

/** `export const options = defineK6Scenario('<name>')`: runtime plus the k6 options. */
export function defineK6Scenario(name: ScenarioName): Options {
  const rt = initK6Runtime(name);
  return buildOptions(name, rt.profile, rt.config);
}

/** A fresh context for the running iteration (VU code only). */
export function k6Context(): FlowContext {
  return flowContext(k6Runtime(), k6Port);
}

/** The exec function of a k6 scenario running `flow` (k6 awaits the returned promise). */
export function k6Exec(flow: Flow): () => Promise<void> {
  return () => flow(k6Context());
}

/** k6 setup(): fail fast before any load (lib/lifecycle.ts). */
export function setup(): Promise<SetupData> {
  return checkTarget(k6Runtime(), k6Port);
}

/**
 * k6 handleSummary(): a pointer only. The verdict and the summary files come from moshpit,
 * which computes them from the metrics stream (k6 only knows the abort thresholds here).
 */
export function handleSummary(): Record<string, string> {
  const { config, scenario } = k6Runtime();
  return { stdout: `\nmoshpit ${scenario} | profile ${config.profile} | run ${config.runId}: k6 finished; moshpit computes the verdict from the metrics stream.\n` };
}
