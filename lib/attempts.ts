// Sending an operation: one attempt for reads; for writes, retries while the outcome is
// unknowable (no response, 5xx, or the same key still in flight), always with the same
// Idempotency-Key, so a retry can never apply a write twice. Records per-attempt latency.
import type { TimedOperation } from '../core/metric-names.js';
import type { Operation } from '../core/operations.js';
import type { ClientPolicy } from '../core/profiles.js';
import type { FlowContext } from './flow-context.js';
import { recordLatency, recordRetry } from './metrics.js';
import type { OpResult } from './targets/index.js';

export interface Attempted<B> extends OpResult<B> {
  attempts: number;
}

function unresolved(r: OpResult<unknown>): boolean {
  return r.outcome === 'indeterminate' || r.code === 'idempotency_key_in_flight';
}

/** send() must reuse the same key on every call (it may re-sign, e.g. Stripe deliveries). */
export async function attemptWrite<B>(ctx: FlowContext, op: Operation, policy: ClientPolicy, send: () => Promise<OpResult<B>>): Promise<Attempted<B>> {
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const r = await send();
    recordLatency(ctx.port, op, r.durationMs);
    if (!unresolved(r)) return { ...r, attempts };
    if (attempts >= policy.maxAttempts) {
      // Still in flight after the last try: as unknown as a timeout.
      return { ...r, outcome: 'indeterminate', attempts };
    }
    recordRetry(ctx.port, op);
    await ctx.port.sleep((policy.retryBackoffMs * 2 ** (attempts - 1) * (0.5 + Math.random())) / 1000);
  }
}

export async function attemptRead<B>(ctx: FlowContext, op: TimedOperation, send: () => Promise<OpResult<B>>): Promise<OpResult<B>> {
  const r = await send();
  recordLatency(ctx.port, op, r.durationMs);
  return r;
}
