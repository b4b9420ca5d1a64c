// What the orchestrator (cli/pipeline/chaos-run.ts) hands the chaos load, as JSON in
// MOSHPIT_CHAOS_JSON. Pure types and names, whatever engine runs the load.
//
// The clock: timeline second 0 is t0Ms (ms epoch) on the machine running the load and the
// controller. Either the orchestrator gives it up front (t0Ms; the default engine needs it), or
// (k6 only) the bundle's setup() asks the orchestrator's clock endpoint (clockUrl, POST →
// {"t0Ms"}) once every VU is initialised, and the controller starts its schedule at that same
// t0: faults and load share one clock.

export const CHAOS_ENV = 'MOSHPIT_CHAOS_JSON';

export type ChaosFaultKind = 'toxic' | 'client' | 'process';

export interface ChaosWindowSpec {
  fault: string;
  kind: ChaosFaultKind;
  startS: number;
  durationS: number;
  params: Record<string, number | string | boolean>;
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

/** Custom metrics of the chaos load (lib/chaos/metrics.ts), read back by the orchestrator. */
export const CHAOS_METRICS = {
  /** Counter: a money rule broken in front of the load's eyes (never allowed, in or out of windows) */
  violations: 'moshpit_chaos_violations',
  /** Counter: scans sent to another door because theirs was offline */
  rerouted: 'moshpit_chaos_rerouted_scans',
  /** Counter: concession iterations not run because the terminal was offline */
  terminalOffline: 'moshpit_chaos_offline_terminal_skips',
  /** Counter: scans made by an offline scanner (tag: result after replay) */
  offlineScans: 'moshpit_chaos_offline_scans',
  /** Counter: sales made by an offline terminal (tag: status after sync) */
  offlineOrders: 'moshpit_chaos_offline_orders',
  /** Counter: cents an offline sale could not take from its wallet (reported for collection) */
  shortfallCents: 'moshpit_chaos_offline_shortfall_cents',
  /** Counter: webhook deliveries by fault handling (tag: kind = delayed|duplicate_concurrent|duplicate_late|reordered|forged) */
  webhookDeliveries: 'moshpit_chaos_webhook_deliveries',
  /** Counter: writes resent in a reconnect burst with their original keys (tag: device) */
  burstReplays: 'moshpit_chaos_burst_replays',
} as const;
