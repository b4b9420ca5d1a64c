// Judging what the target answered: checks (named by rule, never by id), success_rate,
// the outcome counters the validators reconcile, and balance integrity observations.
import type { TimedOperation } from '../core/metric-names.js';
import type { Cents } from '../core/money.js';
import type { FlowContext } from './flow-context.js';
import { isWriteOperation, recordBalance, recordSuccess, recordWriteOutcome } from './metrics.js';
import type { OpResult } from './targets/index.js';

/** Acceptable end states of one operation: 'acked' and/or specific rejection codes. */
export type Accept = ReadonlyArray<'acked' | string>;

export function endState(r: OpResult<unknown>): string {
  if (r.outcome === 'acked') return 'acked';
  return r.code ?? `http_${r.status}`;
}

/** A business rule about a response: a named check, counted in `checks`. */
export function expectThat(ctx: FlowContext, rule: string, ok: boolean, op: TimedOperation): boolean {
  return ctx.port.check(rule, ok, { op });
}

/**
 * The final outcome of a logical operation. For writes, also counts it under
 * moshpit_<op>_<class>[_cents] with the cents it moved (acked) or tried to move.
 */
export function settle(ctx: FlowContext, r: OpResult<unknown>, accept: Accept, rule: string, cents: Cents = 0): boolean {
  const op = r.op as TimedOperation;
  const state = endState(r);
  const ok = accept.includes(state);
  if (isWriteOperation(op)) recordWriteOutcome(ctx.port, op, r.outcome, cents, r.outcome === 'acked' ? null : state);
  recordSuccess(ctx.port, op, ok, ok ? null : state);
  expectThat(ctx, rule, ok, op);
  return ok;
}

/**
 * One balance seen in a response. Always: an integer number of cents, never negative.
 * When the flow knows what it must be (before - debit + credit), it must be exactly that.
 */
export function observeBalance(ctx: FlowContext, op: TimedOperation, seen: unknown, expected: Cents | null = null): boolean {
  const sane = typeof seen === 'number' && Number.isSafeInteger(seen) && seen >= 0;
  const exact = expected === null || seen === expected;
  recordBalance(ctx.port, op, sane && exact);
  ctx.port.check('balance is whole cents and never negative', sane, { op });
  if (expected !== null) ctx.port.check('balance moved by exactly the operation\'s amount', exact, { op });
  return sane && exact;
}
