// The chaos scenario's runtime, built once per process: the full-system runtime (all
// workloads, pilot-shaped), adjusted for a run under faults, plus the workloads and flows
// every engine runs. Engine-agnostic: bindings (lib/bindings/*) turn it into their options.
//   - clients retry longer (same Idempotency-Key), as devices do while a platform restarts;
//   - Stripe redelivery is a fault now (webhook-dup), not part of the background load, so every
//     duplicate delivery of the run happens inside a webhook-dup window;
//   - a slice of wallets is carved out for the simulated offline devices (scanner, terminal);
//   - every request is tagged with the chaos phase and offline doors' queues are rerouted
//     (lib/chaos/context.ts, per iteration).
import { maxConcurrency, SCENARIO_WORKLOADS, scenarioShapes, type ClientPolicy, type Workload } from '../../core/profiles.js';
import { ConfigError } from '../config.js';
import type { FixtureSource, GatewayFixture } from '../fixtures.js';
import type { Flow } from '../flow-context.js';
import { chaosWalletFunding } from '../flows/chaos-funding.js';
import { chaosLoadFlows } from '../flows/chaos-load.js';
import { chaosScannerDevice } from '../flows/chaos-scanner.js';
import { chaosTerminalDevice } from '../flows/chaos-terminal.js';
import { laneSize, type WalletSlice } from '../partition.js';
import { initRuntime, type Runtime } from '../runtime.js';
import { ChaosCalls } from './calls.js';
import { clockOf, type ChaosClock } from './clock.js';
import { chaosContext, type ChaosContext } from './context.js';
import { CHAOS_ENV, type ChaosEnv } from './contract.js';
import { parseChaosEnv, windowsOf } from './schedule.js';

/** The load the chaos run is shaped like: the full festival (core/profiles.ts). */
export const CHAOS_LOAD = 'full' as const;

/** Fraction of wallets.json kept for the offline devices (taken off the funding slice's end). */
export const DEVICE_SLICE_FRACTION = 0.05;

/** A device workload may outlive the timeline by this much (its last reconnect burst). */
export const DEVICE_GRACE_S = 120;

export type ChaosDeviceWorkload = 'chaos_scanner' | 'chaos_terminal';
export type ChaosWorkload = Workload | ChaosDeviceWorkload;

export interface ChaosRuntime {
  /** the full-load runtime with the chaos client policy and the devices' wallets carved out */
  rt: Runtime;
  env: ChaosEnv;
  /** shared by every VU of the process; t0 set once */
  clock: ChaosClock;
  calls: ChaosCalls;
  /** wallets.json index ranges of the offline scanner's and terminal's own wallets */
  devices: { scanner: WalletSlice; terminal: WalletSlice };
  /** the profile's doors, in lane order (offline doors are the first ones) */
  doors: GatewayFixture[];
}

/** While the target restarts (target-crash), a write keeps retrying for ~8 s with its key. */
export function chaosClientPolicy(base: ClientPolicy): ClientPolicy {
  return { ...base, maxAttempts: Math.max(base.maxAttempts, 6), retryBackoffMs: Math.max(base.retryBackoffMs, 250) };
}

function carveDeviceSlices(rt: Runtime): { partition: Runtime['partition']; devices: ChaosRuntime['devices'] } {
  const funding = rt.partition.funding;
  const size = funding.end - funding.start;
  const take = Math.min(Math.floor(size / 3), Math.max(4, Math.floor(rt.fixtures.wallets.length * DEVICE_SLICE_FRACTION)));
  const start = funding.end - take;
  const mid = start + Math.floor(take / 2);
  return {
    partition: { ...rt.partition, funding: { start: funding.start, end: start } },
    devices: { scanner: { start, end: mid }, terminal: { start: mid, end: funding.end } },
  };
}

function checkFundingFit(rt: Runtime): string[] {
  const shape = scenarioShapes(rt.profile, CHAOS_LOAD, { duration: rt.config.durationScale, rate: rt.config.rateScale }).funding;
  if (!shape) return [];
  const have = laneSize(rt.partition.funding, 1);
  const need = 3 * maxConcurrency(shape);
  return have >= need ? [] : [`the funding workload needs ${need} wallets once the offline devices have theirs, it has ${have}: seed more wallets or lower MOSHPIT_RATE_SCALE`];
}

/** MOSHPIT_CHAOS_JSON of a process environment, checked. */
export function chaosEnvOf(env: Record<string, string | undefined>): ChaosEnv {
  try {
    return parseChaosEnv(env[CHAOS_ENV]);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
}

/** Once per process (k6: per VU, in the init context). */
export function initChaosRuntime(env: Record<string, string | undefined>, source: FixtureSource): ChaosRuntime {
  const base = initRuntime(CHAOS_LOAD, env, source);
  const chaosEnv = chaosEnvOf(env);
  const carved = carveDeviceSlices(base);
  const rt: Runtime = {
    ...base,
    profile: {
      ...base.profile,
      client: chaosClientPolicy(base.profile.client),
      behaviour: { ...base.profile.behaviour, duplicateWebhookRate: 0 },
    },
    partition: carved.partition,
  };
  const problems = checkFundingFit(rt);
  if (problems.length) throw new ConfigError(problems);
  const doors = Array.from({ length: rt.profile.behaviour.doors }, (_, i) => rt.fixtures.gateways[i]!);
  const calls = new ChaosCalls(rt.config.targetKind, rt.config.targetUrl, rt.config.apiKey, rt.profile.client.timeoutSeconds);
  return { rt, env: chaosEnv, clock: clockOf(chaosEnv), calls, devices: carved.devices, doors };
}

/**
 * Device workloads of the run: one simulated device per fault that has windows. Each runs on
 * one VU, one iteration that lives through every window of its fault (or, looped, later
 * iterations idle until the timeline's end), for at most durationS + DEVICE_GRACE_S.
 */
export function chaosDeviceWorkloads(env: Pick<ChaosEnv, 'windows'>): ChaosDeviceWorkload[] {
  const out: ChaosDeviceWorkload[] = [];
  if (windowsOf(env, 'scanner-offline').length) out.push('chaos_scanner');
  if (windowsOf(env, 'concession-offline').length) out.push('chaos_terminal');
  return out;
}

/** Every workload of the chaos scenario: the full load's, then the devices'. */
export function chaosWorkloads(env: Pick<ChaosEnv, 'windows'>): ChaosWorkload[] {
  return [...SCENARIO_WORKLOADS[CHAOS_LOAD], ...chaosDeviceWorkloads(env)];
}

/** The async flow each workload runs; the engine's FlowContext goes in as is. */
export function chaosWorkloadFlows(chaos: ChaosRuntime): Record<ChaosWorkload, Flow> {
  const under = (flow: (ctx: ChaosContext) => Promise<void>): Flow => (ctx) => flow(chaosContext(chaos, ctx));
  const load = chaosLoadFlows();
  return {
    entry: under(load.entry),
    concession: under(load.concession),
    funding: under(chaosWalletFunding),
    reentry: under(load.reentry),
    browse: under(load.browse),
    chaos_scanner: under(chaosScannerDevice),
    chaos_terminal: under(chaosTerminalDevice),
  };
}
