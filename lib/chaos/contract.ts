// What the orchestrator (cli/pipeline/chaos-run.ts) hands the chaos load, as JSON in
// MOSHPIT_CHAOS_JSON. Pure types and names, whatever engine runs the load.
//
// The clock: timeline second 0 is t0Ms (ms epoch) on the machine running the load and the
// controller. Either the orchestrator gives it up front (t0Ms; the default engine needs it), or
// (k6 only) the bundle's setup() asks the orchestrator's clock endpoint (clockUrl, POST →
// {"t0Ms"}) once every VU is initialised, and the controller starts its schedule at that same
// t0: faults and load share one clock.
import type { FaultKind, Params } from '../../core/faults.js';

export const CHAOS_ENV = 'MOSHPIT_CHAOS_JSON';

export interface ChaosWindowSpec {
  fault: string;
  kind: FaultKind;
  startS: number;
  durationS: number;
  params: Params;
}

export interface ChaosEnv {
  /** the timeline's length = the load's length (s) */
  durationS: number;
  /** every window of the timeline (client windows are executed by the load, the rest only tagged) */
  windows: ChaosWindowSpec[];
  /** after a window ends, requests are tagged chaos=recovery for this long (s) */
  recoveryS: number;
  /** k6: POST here from setup() to learn t0 (and start the controller's clock) */
  clockUrl?: string;
  /** or: t0 given up front (the load waits for it) */
  t0Ms?: number;
}

/** Request / metric tags (low cardinality). */
export const CHAOS_TAG = 'chaos';
export const FAULT_TAG = 'fault';
export type ChaosPhase = 'steady' | 'fault' | 'recovery';
export const NO_FAULT = 'none';

