// Every metric name moshpit emits or reads, in one place: the load's custom metrics (lib/metrics.ts,
// lib/chaos/metrics.ts emit them), the engine built-ins the verdict reads, and the InfluxDB
// measurements moshpit writes. The thresholds, the summaries, validation's reconciliation, the
// report, compare and the Grafana dashboards name metrics through these, never by a literal.
import type { K6MetricType } from './metrics-stream/k6-samples.js';
import { OPERATIONS, type Operation, type OutcomeClass, type WriteOperation } from './operations.js';

/** Operations with their own latency Trend: the domain operations plus the intent read-back. */
export const TIMED_OPERATIONS = [...OPERATIONS, 'funding_intent_read'] as const;
export type TimedOperation = (typeof TIMED_OPERATIONS)[number];

/** e.g. moshpit_entry_duration: one sample per HTTP attempt of that operation (ms). */
export function latencyMetric(op: TimedOperation): string {
  return `moshpit_${op}_duration`;
}

/** e.g. moshpit_order_replays: deliberate resends of an acked write (same key / same evt_ id). */
export function replayMetric(op: Operation): string {
  return `moshpit_${op}_replays`;
}

export const METRICS = {
  /** Rate: an operation ended as the flow expected (acked, or the business rejection it had to get). */
  successRate: 'success_rate',
  /** Rate: a balance observation was consistent (never negative; before - debit = after). */
  balanceIntegrityRate: 'balance_integrity_rate',
  /** Counter: writes that ended indeterminate or with an unexpected outcome (tag: op, reason). */
  transactionErrors: 'transaction_errors',
  /** Counter: inconsistent balance observations (tag: op). */
  balanceErrors: 'balance_errors',
  /** Trend (ms): funding requested -> credited balance visible on the wallet. */
  fundingE2e: 'moshpit_funding_e2e_ms',
  /** Counter: extra HTTP attempts of a write after an indeterminate outcome (tag: op). */
  retries: 'moshpit_retries',
  /** Counter: iterations whose flow threw (a bug, or an answer it could not read; tag: reason). */
  flowErrors: 'moshpit_flow_errors',
  /** Counter: misbehaviours the adversarial client share sent (tag: kind). */
  adversarial: 'moshpit_adversarial',
  /** Counter: misbehaviours the platform did not answer as it must (tag: kind). */
  adversarialMismatches: 'moshpit_adversarial_mismatches',
} as const;

/**
 * Outcome counters of a write (lib/metrics.ts emits them; validate/ reconciles them).
 * e.g. moshpit_order_acked, moshpit_order_acked_cents, moshpit_entry_rejected.
 */
export function outcomeMetric(op: Operation, cls: OutcomeClass, unit: 'count' | 'cents' = 'count'): string {
  return `moshpit_${op}_${cls}${unit === 'cents' ? '_cents' : ''}`;
}

/** The sub-metric of one rejection code, e.g. moshpit_order_rejected{reason:insufficient_funds}. */
export function rejectionMetric(op: WriteOperation, code: string): string {
  return `${outcomeMetric(op, 'rejected')}{reason:${code}}`;
}

/** Custom metrics of the chaos load (lib/chaos/metrics.ts), read back by the chaos report. */
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

/** Metrics every engine binding emits under k6's names (lib/bindings/*), read by the verdict and reports. */
export const ENGINE_METRICS = {
  /** Trend (ms): every HTTP request. */
  httpReqDuration: 'http_req_duration',
  /** Rate: a request failed (honours its expected statuses). */
  httpReqFailed: 'http_req_failed',
  /** Counter: HTTP requests. */
  httpReqs: 'http_reqs',
  /** Rate: named checks. */
  checks: 'checks',
  /** Counter: iterations completed. */
  iterations: 'iterations',
  /** Counter: arrivals the engine could not start in time. */
  droppedIterations: 'dropped_iterations',
} as const;

/**
 * k6's built-in metrics with their kinds (k6 docs, "Built-in metrics"). k6's InfluxDB output
 * writes values only, no metric types, so reading it back takes the kinds from here.
 */
export const K6_BUILTIN_METRICS: Readonly<Record<string, K6MetricType>> = {
  [ENGINE_METRICS.httpReqDuration]: { kind: 'trend', time: true },
  [ENGINE_METRICS.httpReqFailed]: { kind: 'rate', time: false },
  [ENGINE_METRICS.httpReqs]: { kind: 'counter', time: false },
  [ENGINE_METRICS.checks]: { kind: 'rate', time: false },
  [ENGINE_METRICS.iterations]: { kind: 'counter', time: false },
  [ENGINE_METRICS.droppedIterations]: { kind: 'counter', time: false },
  ...Object.fromEntries(['http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving',
    'iteration_duration', 'group_duration', 'ws_connecting', 'ws_ping', 'ws_session_duration'].map((m) => [m, { kind: 'trend', time: true }])),
  ...Object.fromEntries(['data_sent', 'data_received', 'ws_sessions', 'ws_msgs_sent', 'ws_msgs_received'].map((m) => [m, { kind: 'counter', time: false }])),
  vus: { kind: 'gauge', time: false },
  vus_max: { kind: 'gauge', time: false },
};

/** The InfluxDB measurements moshpit writes besides the engine's own (monitoring/, dashboards). */
export const MEASUREMENTS = {
  /** db-monitor samples of the database (connections, locks, throughput). */
  db: 'moshpit_db',
  /** db-monitor samples of the festival's money in the database. */
  festival: 'moshpit_festival',
  /** The run's verdict, one point. */
  verdict: 'moshpit_verdict',
  /** One point per validation checker. */
  checks: 'moshpit_checks',
  /** One point per threshold. */
  thresholds: 'moshpit_thresholds',
  /** Run and chaos window annotations. */
  annotations: 'moshpit_annotations',
} as const;
