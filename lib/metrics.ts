// Every custom metric of the suite, emitted through the LoadPort. Names come from core
// (outcomeMetric, latencyMetric, METRICS) so validate/ reads the same names back.
// Tags stay low-cardinality: op, reason (an error code). Never ids.
import { CHAOS_METRICS, latencyMetric, METRICS, outcomeMetric, replayMetric, TIMED_OPERATIONS, type TimedOperation } from '../core/metric-names.js';
import type { MetricsPort } from '../core/load-port.js';
import { WRITE_OPERATIONS, type OutcomeClass, type Operation, type WriteOperation } from '../core/operations.js';

export type MetricKind = 'counter' | 'trend' | 'rate';
/** Trends are all times (ms). */
export interface MetricSpec { name: string; kind: MetricKind }

const CLASSES: OutcomeClass[] = ['acked', 'rejected', 'indeterminate'];

/** Writes a client may resend under the same key: the money writes, and the funding intent request. */
const REPLAYABLE: ReadonlyArray<WriteOperation | 'funding_intent'> = [...WRITE_OPERATIONS, 'funding_intent'];

/** Every metric this module emits: a binding that must declare metrics up front (k6) reads this. */
export const SUITE_METRICS: readonly MetricSpec[] = [
  ...TIMED_OPERATIONS.map((op): MetricSpec => ({ name: latencyMetric(op), kind: 'trend' })),
  ...WRITE_OPERATIONS.flatMap((op) => CLASSES.flatMap((cls): MetricSpec[] => [
    { name: outcomeMetric(op, cls, 'count'), kind: 'counter' },
    { name: outcomeMetric(op, cls, 'cents'), kind: 'counter' },
  ])),
  ...REPLAYABLE.map((op): MetricSpec => ({ name: replayMetric(op), kind: 'counter' })),
  { name: METRICS.successRate, kind: 'rate' },
  { name: METRICS.balanceIntegrityRate, kind: 'rate' },
  { name: METRICS.transactionErrors, kind: 'counter' },
  { name: METRICS.balanceErrors, kind: 'counter' },
  { name: METRICS.fundingE2e, kind: 'trend' },
  { name: METRICS.retries, kind: 'counter' },
  { name: METRICS.flowErrors, kind: 'counter' },
  { name: METRICS.adversarial, kind: 'counter' },
  { name: METRICS.adversarialMismatches, kind: 'counter' },
];

/** Every metric a flow may emit: the suite's and the chaos flows' (all counters). */
export const LOAD_METRICS: readonly MetricSpec[] = [
  ...SUITE_METRICS,
  ...Object.values(CHAOS_METRICS).map((name): MetricSpec => ({ name, kind: 'counter' })),
];

export function isWriteOperation(op: string): op is WriteOperation {
  return (WRITE_OPERATIONS as readonly string[]).includes(op);
}

/** One HTTP attempt's latency. */
export function recordLatency(port: MetricsPort, op: TimedOperation, durationMs: number): void {
  port.trend(latencyMetric(op), durationMs);
}

/** The final outcome of one logical write (after retries), with the money it moved or tried to move. */
export function recordWriteOutcome(port: MetricsPort, op: WriteOperation, cls: OutcomeClass, cents: number, reason: string | null): void {
  const tags = reason ? { reason } : undefined;
  port.counter(outcomeMetric(op, cls, 'count'), 1, tags);
  port.counter(outcomeMetric(op, cls, 'cents'), cents, tags);
}

/** A deliberate resend of an already acked write (same key / same evt_ id): never money. */
export function recordReplay(port: MetricsPort, op: WriteOperation | 'funding_intent'): void {
  port.counter(replayMetric(op), 1);
}

export function recordRetry(port: MetricsPort, op: Operation): void {
  port.counter(METRICS.retries, 1, { op });
}

const READS: TimedOperation[] = ['wallet_read', 'funding_intent_read'];

/** Did an operation end the way the flow expected? Failed writes also count as transaction errors. */
export function recordSuccess(port: MetricsPort, op: TimedOperation, ok: boolean, reason: string | null): void {
  port.rate(METRICS.successRate, ok, { op });
  if (!ok && !READS.includes(op)) port.counter(METRICS.transactionErrors, 1, { op, reason: reason ?? 'unexpected' });
}

/** One balance observation: consistent or not. */
export function recordBalance(port: MetricsPort, op: TimedOperation, consistent: boolean): void {
  port.rate(METRICS.balanceIntegrityRate, consistent, { op });
  if (!consistent) port.counter(METRICS.balanceErrors, 1, { op });
}

export function recordFundingE2e(port: MetricsPort, ms: number): void {
  port.trend(METRICS.fundingE2e, ms);
}
