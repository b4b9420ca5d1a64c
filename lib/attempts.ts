// Sending an operation: one attempt for reads; for writes, retries while the outcome is
// unknowable (no response, 5xx, or the same key still in flight), always with the same
// Idempotency-Key, so a retry can never apply a write twice. Records per-attempt latency.
import { sleep } from 'k6';
import type { Operation } from '../core/operations.js';
import type { ClientPolicy } from '../core/profiles.js';
import type { TimedOperation } from '../core/thresholds.js';
import { recordLatency, recordRetry } from './metrics.js';
import type { OpResult } from './targets/index.js';

export interface Attempted<B> extends OpResult<B> {
  attempts: number;
}

function unresolved(r: OpResult<unknown>): boolean {
  return r.outcome === 'indeterminate' || r.code === 'idempotency_key_in_flight';
}

/** send() must reuse the same key on every call (it may re-sign, e.g. Stripe deliveries). */
export function attemptWrite<B>(op: Operation, policy: ClientPolicy, send: () => OpResult<B>): Attempted<B> {
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const r = send();
    recordLatency(op, r.durationMs);
    if (!unresolved(r)) return { ...r, attempts };
    if (attempts >= policy.maxAttempts) {
      // Still in flight after the last try: as unknown as a timeout.
      return { ...r, outcome: 'indeterminate', attempts };
    }
    recordRetry(op);
    sleep((policy.retryBackoffMs * 2 ** (attempts - 1) * (0.5 + Math.random())) / 1000);
  }
}

export function attemptRead<B>(op: TimedOperation, send: () => OpResult<B>): OpResult<B> {
  const r = send();
  recordLatency(op, r.durationMs);
  return r;
}
