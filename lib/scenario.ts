// What a scenario file calls at top level: builds the runtime and returns the k6 options.
import type { Options } from 'k6/options';
import type { ScenarioName } from '../core/profiles.js';
import { buildOptions } from './options.js';
import { initRuntime } from './runtime.js';

export function defineScenario(name: ScenarioName): Options {
  const rt = initRuntime(name);
  return buildOptions(name, rt.profile, rt.config);
}
