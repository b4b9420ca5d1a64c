// Replays of every kind of write, the way a client that lost an answer behaves: a completed
// recharge, order or gate scan is sent again with its Idempotency-Key, moments later. The
// platform must answer from its record: the first answer again, flagged as a replay, and the
// money moved once. (Webhook redeliveries and funding-intent replays live in wallet-funding.ts.)
//   replayed_recharge  a credited recharge resent: same recharge id and balance, credited once
//   replayed_order     a paid order resent: same order id and balance, charged once
//   replayed_scan      an exit (inside) or an entry (outside) resent: same answer, fee charged once
import type { Cents } from '../../core/money.js';
import type { WriteOperation } from '../../core/operations.js';
import { attemptWrite } from '../attempts.js';
import type { FlowContext } from '../flow-context.js';
import { newIdempotencyKey } from '../idempotency.js';
import { recordReplay } from '../metrics.js';
import type { OpResult } from '../targets/index.js';
import { settle } from '../verdicts.js';
import { cheapestProduct, checkpointFor } from '../fixtures.js';

export interface WalletBefore { balance: Cents; blocked: boolean; inside: boolean; entryCount: number }
/** ok: every answer was what it must be; moved: what the wallet must have gained (or lost). */
export interface MisbehaviourOutcome { ok: boolean; moved: Cents }

const REPLAYED_RECHARGE: Cents = 500;

/** The write once (with the client's usual retries), then the same write again under the same key. */
async function sendThenReplay<B>(ctx: FlowContext, op: WriteOperation, send: () => Promise<OpResult<B>>): Promise<{ first: OpResult<B>; again: OpResult<B> }> {
  const first = await attemptWrite(ctx, op, ctx.rt.profile.client, send);
  if (first.outcome !== 'acked') return { first, again: first };
  const again = await attemptWrite(ctx, op, ctx.rt.profile.client, send);
  recordReplay(ctx.port, op);
  return { first, again };
}

/** A replay answers as the original did, and says it is one. */
function sameAnswer<B>(first: OpResult<B>, again: OpResult<B>, fields: ReadonlyArray<keyof B>): boolean {
  return again.outcome === 'acked' && again.replayed
    && fields.every((f) => first.body != null && again.body != null && first.body[f] === again.body[f]);
}

export async function replayedRecharge(ctx: FlowContext, walletId: string, before: WalletBefore): Promise<MisbehaviourOutcome | null> {
  if (before.blocked) return null;
  const key = newIdempotencyKey(ctx, 'recharge', walletId);
  const checkpointId = checkpointFor(ctx.rt.fixtures, 0);
  const { first, again } = await sendThenReplay(ctx, 'recharge', () =>
    ctx.target.recharge({ walletId, amountCents: REPLAYED_RECHARGE, checkpointId, method: 'card', idempotencyKey: key }));
  if (!settle(ctx, first, ['acked'], 'a recharge is credited', REPLAYED_RECHARGE)) return { ok: false, moved: 0 };
  return { ok: sameAnswer(first, again, ['recharge_id', 'balance_cents']), moved: REPLAYED_RECHARGE };
}

export async function replayedOrder(ctx: FlowContext, walletId: string, before: WalletBefore): Promise<MisbehaviourOutcome | null> {
  if (before.blocked) return null;
  const { products, terminals } = ctx.rt.fixtures;
  const cheapest = cheapestProduct(products);
  if (before.balance < cheapest.price_cents) return null;
  const key = newIdempotencyKey(ctx, 'order', walletId);
  const { first, again } = await sendThenReplay(ctx, 'order', () =>
    ctx.target.order({ walletId, terminalId: terminals[0]!.id, items: [{ product_id: cheapest.id, quantity: 1 }], idempotencyKey: key }));
  if (!settle(ctx, first, ['acked'], 'an order the wallet can pay is charged', cheapest.price_cents)) return { ok: false, moved: 0 };
  const ok = sameAnswer(first, again, ['order_id', 'total_cents', 'balance_cents']) && first.body?.total_cents === cheapest.price_cents;
  return { ok, moved: -cheapest.price_cents };
}

/** Inside: an exit, replayed. Outside: an entry, replayed (the first is free, a re-entry pays the fee once). */
export async function replayedScan(ctx: FlowContext, walletId: string, before: WalletBefore): Promise<MisbehaviourOutcome | null> {
  if (before.blocked) return null;
  const gatewayId = ctx.rt.fixtures.gateways[0]!.id;
  if (before.inside) {
    const key = newIdempotencyKey(ctx, 'exit', walletId);
    const { first, again } = await sendThenReplay(ctx, 'exit', () => ctx.target.exitScan({ walletId, gatewayId, idempotencyKey: key }));
    if (!settle(ctx, first, ['acked'], 'an exit while inside is recorded')) return { ok: false, moved: 0 };
    return { ok: sameAnswer(first, again, ['result', 'occupancy']), moved: 0 };
  }
  const fee = before.entryCount === 0 ? 0 : ctx.rt.fixtures.manifest.settings.reentry_fee_cents;
  if (before.balance < fee) return null;
  const key = newIdempotencyKey(ctx, 'entry', walletId);
  const { first, again } = await sendThenReplay(ctx, 'entry', () => ctx.target.entryScan({ walletId, gatewayId, idempotencyKey: key }));
  // Occupancy is shared with every other gate: a full venue is a right answer, with nothing to replay.
  if (!settle(ctx, first, ['acked', 'capacity_reached'], 'an entry while outside is admitted (or the venue is full)', first.outcome === 'acked' ? fee : 0)) return { ok: false, moved: 0 };
  if (first.outcome !== 'acked') return { ok: true, moved: 0 };
  const ok = sameAnswer(first, again, ['result', 'entry_number', 'fee_cents', 'balance_cents']) && first.body?.fee_cents === fee;
  return { ok, moved: -fee };
}
