// The chaos scenario under k6: options (the full load's k6 scenarios re-pointed at the chaos
// exec functions, plus one per-vu-iterations scenario per device), setup() (target checks,
// then the shared clock: t0 from MOSHPIT_CHAOS_JSON or the orchestrator's clockUrl, waited
// for so the load's second 0 is the timeline's), and the exec functions, which adopt t0 from
// the setup data before running the engine-agnostic flow (lib/chaos/runtime.ts).
// Module state here is per VU (each k6 VU is its own JS runtime, with its own init).
import http from 'k6/http';
import type { Options, Scenario } from 'k6/options';
import { SCENARIO_WORKLOADS, type Workload } from '../../../core/profiles.js';
import { applyThresholdOverrides } from '../../../core/thresholds.js';
import { startClock } from '../../chaos/clock.js';
import type { ChaosEnv } from '../../chaos/contract.js';
import { secondsUntilT0, t0FromClockAnswer } from '../../chaos/lifecycle.js';
import { CHAOS_LOAD, chaosDeviceWorkloads, chaosWorkloadFlows, DEVICE_GRACE_S, initChaosRuntime, type ChaosDeviceWorkload, type ChaosRuntime, type ChaosWorkload } from '../../chaos/runtime.js';
import { chaosThresholds } from '../../chaos/thresholds.js';
import { flowContext, type Flow } from '../../flow-context.js';
import { setup as checkTarget, type SetupData } from '../../lifecycle.js';
import { abortThresholds, buildOptions, WORKLOAD_EXEC } from './options.js';
import { k6Port } from './port.js';
import { k6FixtureSource } from './scenario.js';

/** Exec function of each chaos workload; scenarios/chaos.ts exports every one of these. */
export const CHAOS_EXEC: Record<ChaosWorkload, string> = {
  entry: 'chaosEntryVisit',
  concession: 'chaosConcessionOrder',
  funding: 'chaosWalletFunding',
  reentry: 'chaosReentryVisit',
  browse: 'chaosBrowseWallets',
  chaos_scanner: 'chaosScannerDevice',
  chaos_terminal: 'chaosTerminalDevice',
};

export interface ChaosSetupData extends SetupData {
  chaos: { t0Ms: number };
}

let current: ChaosRuntime | null = null;

function chaosRuntime(): ChaosRuntime {
  if (!current) throw new Error('moshpit k6 chaos: no runtime: scenarios/chaos.ts must call defineK6ChaosScenario() at top level');
  return current;
}

function deviceScenario(workload: ChaosDeviceWorkload, env: ChaosEnv): Scenario {
  // One device, one VU, one iteration that lives through every window of its fault.
  return { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: `${Math.ceil(env.durationS + DEVICE_GRACE_S)}s`, gracefulStop: '30s', exec: CHAOS_EXEC[workload], tags: { flow: workload } };
}

/** `export const options = defineK6ChaosScenario()`: this VU's chaos runtime plus the k6 options. */
export function defineK6ChaosScenario(): Options {
  const chaos = (current = initChaosRuntime(__ENV, k6FixtureSource));
  const { rt, env } = chaos;
  const options = buildOptions(CHAOS_LOAD, rt.profile, rt.config);
  const workloadOfExec = new Map<string, Workload>(Object.entries(WORKLOAD_EXEC).map(([w, exec]) => [exec, w as Workload]));
  const scenarios: Record<string, Scenario> = {};
  for (const [name, s] of Object.entries(options.scenarios ?? {})) {
    const workload = workloadOfExec.get(s.exec ?? '');
    if (!workload) throw new Error(`moshpit k6 chaos: no chaos exec function for ${s.exec}`);
    scenarios[name] = { ...s, exec: CHAOS_EXEC[workload] };
  }
  for (const device of chaosDeviceWorkloads(env)) scenarios[device] = deviceScenario(device, env);
  // Like every k6 run, only the early-abort rules: moshpit judges the run from the metrics stream.
  const thresholds = abortThresholds(applyThresholdOverrides(chaosThresholds(SCENARIO_WORKLOADS[CHAOS_LOAD], env), rt.config.thresholdOverrides));
  return { ...options, scenarios, thresholds: thresholds as Options['thresholds'], setupTimeout: '180s' };
}

function askClock(url: string, runId: string): number {
  const res = http.post(url, JSON.stringify({ runId }), { headers: { 'Content-Type': 'application/json' }, timeout: '60s', tags: { name: 'chaos clock' } });
  return t0FromClockAnswer(url, res.status, typeof res.body === 'string' ? res.body : null, res.error || null);
}

/** k6 setup(): the usual checks, then t0 (the controller starts its schedule at that instant), waited for. */
export async function chaosSetup(): Promise<ChaosSetupData> {
  const { rt, env } = chaosRuntime();
  const base = await checkTarget(rt, k6Port);
  const t0 = typeof env.t0Ms === 'number' ? env.t0Ms : env.clockUrl ? askClock(env.clockUrl, rt.config.runId) : Date.now();
  const wait = secondsUntilT0(t0, Date.now());
  if (wait > 0) await k6Port.sleep(wait);
  return { ...base, chaos: { t0Ms: t0 } };
}

/** The exec function of a chaos workload: adopts the setup data's t0, then runs its flow. */
export function k6ChaosExec(workload: ChaosWorkload): (data: ChaosSetupData) => Promise<void> {
  let flow: Flow | null = null;
  return (data) => {
    const chaos = chaosRuntime();
    const t0 = data?.chaos?.t0Ms;
    if (typeof t0 !== 'number') throw new Error('moshpit k6 chaos: setup data carries no chaos.t0Ms (the chaos bundle must export its own setup)');
    startClock(chaos.clock, t0);
    flow ??= chaosWorkloadFlows(chaos)[workload];
    return flow(flowContext(chaos.rt, k6Port));
  };
}

/** k6 handleSummary(): a pointer only; moshpit computes the verdict from the metrics stream. */
export function chaosHandleSummary(): Record<string, string> {
  const { config } = chaosRuntime().rt;
  return { stdout: `\nmoshpit chaos | profile ${config.profile} | run ${config.runId}: k6 finished; moshpit computes the verdict from the metrics stream.\n` };
}
