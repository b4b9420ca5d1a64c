// The chaos bundle's init: the full-system runtime (all workloads, pilot-shaped), adjusted for
// a run under faults, plus the k6 options of the chaos scenario.
//   - clients retry longer (same Idempotency-Key), as devices do while a platform restarts;
//   - Stripe redelivery is a fault now (webhook-dup), not part of the background load, so every
//     duplicate delivery of the run happens inside a webhook-dup window;
//   - a slice of wallets is carved out for the simulated offline devices (scanner, terminal);
//   - every request is tagged with the chaos phase and offline doors' queues are rerouted.
import type { Options, Scenario } from 'k6/options';
import { maxConcurrency, SCENARIO_WORKLOADS, scenarioShapes, type ClientPolicy } from '../../core/profiles.js';
import { applyThresholdOverrides } from '../../core/thresholds.js';
import { ConfigError } from '../config.js';
import { buildOptions } from '../options.js';
import { laneSize, type WalletSlice } from '../partition.js';
import { initRuntime, type Runtime } from '../runtime.js';
import { ChaosCalls } from './calls.js';
import { ChaosTarget } from './chaos-target.js';
import { setChaosEnv } from './clock.js';
import { CHAOS_ENV, type ChaosEnv } from './contract.js';
import { parseChaosEnv, windowsOf } from './schedule.js';
import { chaosThresholds } from './thresholds.js';

/** The load the chaos run is shaped like: the full festival (core/profiles.ts). */
const LOAD = 'full' as const;

/** Fraction of wallets.json kept for the offline devices (taken off the funding slice's end). */
export const DEVICE_SLICE_FRACTION = 0.05;

export interface ChaosRuntime {
  rt: Runtime;
  env: ChaosEnv;
  calls: ChaosCalls;
  /** wallets.json index ranges of the offline scanner's and terminal's own wallets */
  devices: { scanner: WalletSlice; terminal: WalletSlice };
}

let current: ChaosRuntime | null = null;

/** While the target restarts (target-crash), a write keeps retrying for ~8 s with its key. */
export function chaosClientPolicy(base: ClientPolicy): ClientPolicy {
  return { ...base, maxAttempts: Math.max(base.maxAttempts, 6), retryBackoffMs: Math.max(base.retryBackoffMs, 250) };
}

/** k6 exec function per workload in the chaos bundle (scenarios/chaos.ts exports them). */
export const CHAOS_EXEC: Record<string, string> = {
  entryVisit: 'chaosEntryVisit',
  concessionOrder: 'chaosConcessionOrder',
  walletFunding: 'chaosWalletFunding',
  reentryVisit: 'chaosReentryVisit',
  browseWallets: 'chaosBrowseWallets',
};

function carveDeviceSlice(rt: Runtime): { scanner: WalletSlice; terminal: WalletSlice } {
  const funding = rt.partition.funding;
  const size = funding.end - funding.start;
  const take = Math.min(Math.floor(size / 3), Math.max(4, Math.floor(rt.fixtures.wallets.length * DEVICE_SLICE_FRACTION)));
  const start = funding.end - take;
  rt.partition = { ...rt.partition, funding: { start: funding.start, end: start } };
  const mid = start + Math.floor(take / 2);
  return { scanner: { start, end: mid }, terminal: { start: mid, end: funding.end } };
}

function checkFundingFit(rt: Runtime): string[] {
  const shape = scenarioShapes(rt.profile, LOAD, { duration: rt.config.durationScale, rate: rt.config.rateScale }).funding;
  if (!shape) return [];
  const have = laneSize(rt.partition.funding, 1);
  const need = 3 * maxConcurrency(shape);
  return have >= need ? [] : [`the funding workload needs ${need} wallets once the offline devices have theirs, it has ${have}: seed more wallets or lower MOSHPIT_RATE_SCALE`];
}

export function initChaosRuntime(): ChaosRuntime {
  const rt = initRuntime(LOAD);
  let env: ChaosEnv;
  try {
    env = parseChaosEnv(__ENV[CHAOS_ENV]);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  setChaosEnv(env);
  rt.profile = {
    ...rt.profile,
    client: chaosClientPolicy(rt.profile.client),
    behaviour: { ...rt.profile.behaviour, duplicateWebhookRate: 0 },
  };
  const devices = carveDeviceSlice(rt);
  const problems = checkFundingFit(rt);
  if (problems.length) throw new ConfigError(problems);
  const doors = Array.from({ length: rt.profile.behaviour.doors }, (_, i) => rt.fixtures.gateways[i]!);
  rt.target = new ChaosTarget(rt.target, doors);
  const calls = new ChaosCalls(rt.config.targetKind, rt.config.targetUrl, rt.config.apiKey, rt.profile.client.timeoutSeconds);
  current = { rt, env, calls, devices };
  return current;
}

export function chaosRuntime(): ChaosRuntime {
  if (!current) throw new Error('moshpit chaos: chaosRuntime() before defineChaosScenario()');
  return current;
}

function deviceScenario(exec: string, flow: string, env: ChaosEnv): Scenario {
  // One device, one VU, one iteration that lives through every window of its fault.
  return { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: `${Math.ceil(env.durationS + 120)}s`, gracefulStop: '30s', exec, tags: { flow } };
}

/** The k6 options of scenarios/chaos.ts. */
export function defineChaosScenario(): Options {
  const { rt, env } = initChaosRuntime();
  const options = buildOptions(LOAD, rt.profile, rt.config);
  // Summaries (text, JUnit, Markdown) name the run's scenario: chaos, with the full load.
  (rt as unknown as { scenario: string }).scenario = 'chaos';
  const scenarios: Record<string, Scenario> = {};
  for (const [name, s] of Object.entries(options.scenarios ?? {})) {
    const exec = CHAOS_EXEC[s.exec ?? ''];
    if (!exec) throw new Error(`moshpit chaos: no chaos exec function for ${s.exec}`);
    scenarios[name] = { ...s, exec };
  }
  if (windowsOf(env, 'scanner-offline').length) scenarios.chaos_scanner = deviceScenario('chaosScannerDevice', 'chaos_scanner', env);
  if (windowsOf(env, 'concession-offline').length) scenarios.chaos_terminal = deviceScenario('chaosTerminalDevice', 'chaos_terminal', env);
  const thresholds = applyThresholdOverrides(chaosThresholds(SCENARIO_WORKLOADS[LOAD], env), rt.config.thresholdOverrides);
  return { ...options, scenarios, thresholds: thresholds as Options['thresholds'], setupTimeout: '180s' };
}
