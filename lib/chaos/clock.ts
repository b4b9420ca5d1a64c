// The shared chaos clock inside k6. setup() learns t0 (timeline second 0, ms epoch) from the
// orchestrator and hands it to every VU through the setup data; exec functions call
// enterChaos(data) first. Also where each VU keeps the parsed MOSHPIT_CHAOS_JSON.
import { sleep } from 'k6';
import exec from 'k6/execution';
import type { ChaosEnv } from './contract.js';
import { CHAOS_TAG, FAULT_TAG } from './contract.js';
import { phaseAt } from './schedule.js';

let env: ChaosEnv = { durationS: 0, windows: [], recoveryS: 0 };
let t0Ms: number | null = null;

export interface ChaosSetupData {
  startedAt: string;
  chaos: { t0Ms: number };
}

export function setChaosEnv(e: ChaosEnv): void {
  env = e;
}

export function chaosEnv(): ChaosEnv {
  return env;
}

/** Called at the top of every chaos exec function with k6's setup data. */
export function enterChaos(data: unknown): void {
  if (t0Ms !== null) return;
  const t0 = (data as Partial<ChaosSetupData> | undefined)?.chaos?.t0Ms;
  if (typeof t0 !== 'number') throw new Error('moshpit chaos: setup data carries no chaos.t0Ms (the chaos bundle must export its own setup)');
  t0Ms = t0;
}

/** Seconds since timeline second 0; null before the clock is known (init, setup). */
export function chaosSeconds(): number | null {
  return t0Ms === null ? null : (Date.now() - t0Ms) / 1000;
}

/** Sleeps until timeline second tS (returns at once if it has passed). */
export function sleepUntil(tS: number): void {
  const now = chaosSeconds();
  if (now === null) return;
  if (tS > now) sleep(tS - now);
}

/**
 * Tags everything this VU emits from now on with the phase of this moment: chaos=steady|fault|
 * recovery and fault=<names>|none. Called before every request (lib/chaos/chaos-target.ts).
 */
export function tagPhase(): void {
  const now = chaosSeconds();
  if (now === null) return;
  const p = phaseAt(env, now);
  exec.vu.metrics.tags[CHAOS_TAG] = p.chaos;
  exec.vu.metrics.tags[FAULT_TAG] = p.fault;
}
