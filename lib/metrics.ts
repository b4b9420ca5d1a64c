// Every custom metric of the suite, created at module load (init context). Names come from
// core (outcomeMetric, latencyMetric, METRICS) so validate/ reads the same names back.
// Tags stay low-cardinality: op, reason (an error code). Never ids.
import { Counter, Rate, Trend } from 'k6/metrics';
import { OPERATIONS, WRITE_OPERATIONS, outcomeMetric, type OutcomeClass, type Operation, type WriteOperation } from '../core/operations.js';
import { latencyMetric, METRICS, replayMetric, type TimedOperation } from '../core/thresholds.js';

const CLASSES: OutcomeClass[] = ['acked', 'rejected', 'indeterminate'];
const TIMED: TimedOperation[] = [...OPERATIONS, 'funding_intent_read'];

const latency = Object.fromEntries(TIMED.map((op) => [op, new Trend(latencyMetric(op), true)])) as Record<TimedOperation, Trend>;

const outcomes = Object.fromEntries(
  WRITE_OPERATIONS.map((op) => [
    op,
    Object.fromEntries(CLASSES.map((cls) => [cls, { count: new Counter(outcomeMetric(op, cls, 'count')), cents: new Counter(outcomeMetric(op, cls, 'cents')) }])),
  ]),
) as Record<WriteOperation, Record<OutcomeClass, { count: Counter; cents: Counter }>>;

const replays = Object.fromEntries(WRITE_OPERATIONS.map((op) => [op, new Counter(replayMetric(op))])) as Record<WriteOperation, Counter>;

const successRate = new Rate(METRICS.successRate);
const balanceIntegrityRate = new Rate(METRICS.balanceIntegrityRate);
const transactionErrors = new Counter(METRICS.transactionErrors);
const balanceErrors = new Counter(METRICS.balanceErrors);
const fundingE2e = new Trend(METRICS.fundingE2e, true);
const retries = new Counter(METRICS.retries);

export function isWriteOperation(op: string): op is WriteOperation {
  return (WRITE_OPERATIONS as readonly string[]).includes(op);
}

/** One HTTP attempt's latency. */
export function recordLatency(op: TimedOperation, durationMs: number): void {
  latency[op].add(durationMs);
}

/** The final outcome of one logical write (after retries), with the money it moved or tried to move. */
export function recordWriteOutcome(op: WriteOperation, cls: OutcomeClass, cents: number, reason: string | null): void {
  const tags = reason ? { reason } : undefined;
  outcomes[op][cls].count.add(1, tags);
  outcomes[op][cls].cents.add(cents, tags);
}

/** A deliberate resend of an already acked write (same key / same evt_ id): never money. */
export function recordReplay(op: WriteOperation): void {
  replays[op].add(1);
}

export function recordRetry(op: Operation): void {
  retries.add(1, { op });
}

const READS: TimedOperation[] = ['wallet_read', 'funding_intent_read'];

/** Did an operation end the way the flow expected? Failed writes also count as transaction errors. */
export function recordSuccess(op: TimedOperation, ok: boolean, reason: string | null): void {
  successRate.add(ok, { op });
  if (!ok && !READS.includes(op)) transactionErrors.add(1, { op, reason: reason ?? 'unexpected' });
}

/** One balance observation: consistent or not. */
export function recordBalance(op: TimedOperation, consistent: boolean): void {
  balanceIntegrityRate.add(consistent, { op });
  if (!consistent) balanceErrors.add(1, { op });
}

export function recordFundingE2e(ms: number): void {
  fundingE2e.add(ms);
}
