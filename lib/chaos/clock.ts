// The shared chaos clock: timeline second 0 is t0Ms (ms epoch), the instant the orchestrator's
// controller starts the fault schedule. The default engine gets it up front (ChaosEnv.t0Ms);
// k6 learns it in setup() (lib/bindings/k6/chaos.ts) and each VU adopts it from the setup data.
// One clock per process, read-only once set; the phase is derived from it at every request.
import type { LoadPort } from '../../core/load-port.js';
import { CHAOS_TAG, FAULT_TAG, type ChaosEnv } from './contract.js';
import { phaseAt, type PhaseTags } from './schedule.js';

export interface ChaosClock {
  /** null until known (k6: before the setup data reaches this VU). */
  t0Ms: number | null;
}

export function clockOf(env: Pick<ChaosEnv, 't0Ms'>): ChaosClock {
  return { t0Ms: typeof env.t0Ms === 'number' ? env.t0Ms : null };
}

/** Adopts t0 once; a different t0 later would split the run across two timelines. */
export function startClock(clock: ChaosClock, t0Ms: number): void {
  if (!Number.isFinite(t0Ms)) throw new Error(`moshpit chaos: t0Ms must be a number, got ${String(t0Ms)}`);
  if (clock.t0Ms !== null && clock.t0Ms !== t0Ms) throw new Error(`moshpit chaos: the clock already has t0 ${clock.t0Ms}, now given ${t0Ms}`);
  clock.t0Ms = t0Ms;
}

/** Timeline seconds at nowMs (pure). */
export function secondsAt(t0Ms: number, nowMs: number): number {
  return (nowMs - t0Ms) / 1000;
}

/** Seconds since timeline second 0; null before the clock is known. */
export function chaosSeconds(clock: ChaosClock, nowMs: number = Date.now()): number | null {
  return clock.t0Ms === null ? null : secondsAt(clock.t0Ms, nowMs);
}

/** The phase a moment is in (pure); null before the clock is known. */
export function phaseAtMs(env: Pick<ChaosEnv, 'windows' | 'recoveryS'>, clock: ChaosClock, nowMs: number): PhaseTags | null {
  const tS = chaosSeconds(clock, nowMs);
  return tS === null ? null : phaseAt(env, tS);
}

/**
 * Tags everything this VU emits from now on with the phase of this moment: chaos=steady|fault|
 * recovery and fault=<names>|none. Called before every request (chaos-target.ts, calls.ts).
 */
export function tagPhase(port: Pick<LoadPort, 'vuTags'>, env: Pick<ChaosEnv, 'windows' | 'recoveryS'>, clock: ChaosClock, nowMs: number = Date.now()): void {
  const p = phaseAtMs(env, clock, nowMs);
  if (!p) return;
  port.vuTags[CHAOS_TAG] = p.chaos;
  port.vuTags[FAULT_TAG] = p.fault;
}

/** Sleeps until timeline second tS (returns at once if it has passed or the clock is unknown). */
export async function sleepUntil(port: Pick<LoadPort, 'sleep'>, clock: ChaosClock, tS: number): Promise<void> {
  const now = chaosSeconds(clock);
  if (now === null) return;
  if (tS > now) await port.sleep(tS - now);
}
