// The adversarial client share: after its normal journey, a small share of iterations
// (behaviour.adversarialRate) misbehaves once on the wallet it owns, the way real clients do.
// Each misbehaviour has its expected answer and a money rule (nothing moves, or exactly once);
// a mismatch counts in moshpit_adversarial_mismatches (a threshold: count<1), and every write
// still goes through settle(), so reconciliation holds the database to what the clients saw.
//   hostile_amount        a recharge of 0, -500, 12.5, 100.0, 1e2 or 10^20 cents: 400, nothing moves
//   concurrent_duplicate  one recharge sent twice at the same moment, same key: applied once
//   conflicting_replay    a key reused with another amount: 422 idempotency_key_reused, applied once
//   extra_fields          an order carrying its own total, fee and balance: ignored or 400, never trusted
//   out_of_order_scan     an exit while outside / an entry while inside: 409, nothing moves
//   replayed_*            a completed recharge, order or scan resent with its key (adversarial-replays.ts)
import { METRICS } from '../../core/metric-names.js';
import type { HttpRequest, HttpResponse } from '../../core/load-port.js';
import type { Cents } from '../../core/money.js';
import { ADVERSARIAL_KINDS, type AdversarialKind } from '../../core/thresholds.js';
import type { StatefulWorkload } from '../../core/profiles.js';
import { attemptRead } from '../attempts.js';
import type { Flow, FlowContext } from '../flow-context.js';
import { newIdempotencyKey } from '../idempotency.js';
import { recordLatency, recordReplay } from '../metrics.js';
import { chance, pick } from '../random.js';
import { walletFor } from '../runtime.js';
import { fromRest, fromRpc } from '../targets/internal/normalize.js';
import type { CallName, OpResult } from '../targets/index.js';
import { observeBalance, settle } from '../verdicts.js';
import { replayedOrder, replayedRecharge, replayedScan, type MisbehaviourOutcome, type WalletBefore } from './adversarial-replays.js';
import { cheapestProduct, checkpointFor } from '../fixtures.js';

/** Amounts no client may get credited, written as the JSON text a broken client sends. */
const HOSTILE_AMOUNTS = ['0', '-500', '12.5', '100.0', '1e2', '100000000000000000000'];
const ADVERSARIAL_RECHARGE: Cents = 500;

interface Write { op: CallName; rest: { path: string; body: string }; rpc: { fn: string; body: string } }

/** A write with a body we spell ourselves (raw JSON text), on either surface. */
function rawRequest(ctx: FlowContext, w: Write, key: string): HttpRequest {
  const { targetUrl, apiKey, targetKind } = ctx.rt.config;
  const timeoutSeconds = ctx.rt.profile.client.timeoutSeconds;
  if (targetKind === 'rest') {
    return {
      method: 'POST', url: `${targetUrl}${w.rest.path}`, body: w.rest.body, timeoutSeconds, expected: 'adversarial',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      tags: { op: w.op, name: `POST ${w.rest.path}`, adversarial: 'true' },
    };
  }
  return {
    method: 'POST', url: `${targetUrl}/rest/v1/rpc/${w.rpc.fn}`, body: w.rpc.body, timeoutSeconds, expected: 'adversarial',
    headers: { apikey: apiKey, Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    tags: { op: w.op, name: `POST /rest/v1/rpc/${w.rpc.fn}`, adversarial: 'true' },
  };
}

function read<B>(ctx: FlowContext, op: CallName, res: HttpResponse): OpResult<B> {
  recordLatency(ctx.port, op as Parameters<typeof recordLatency>[1], res.durationMs);
  return ctx.rt.config.targetKind === 'rest' ? fromRest<B>(op, res) : fromRpc<B>(op, res);
}

function recharge(ctx: FlowContext, walletId: string, key: string, amountText: string): Write {
  const checkpoint = checkpointFor(ctx.rt.fixtures, 0);
  return {
    op: 'recharge',
    rest: { path: '/v1/recharges', body: `{"wallet_id":${JSON.stringify(walletId)},"amount_cents":${amountText},"checkpoint_id":${JSON.stringify(checkpoint)},"method":"card"}` },
    rpc: { fn: 'sp_process_checkpoint_recharge', body: `{"p_idempotency_key":${JSON.stringify(key)},"p_wallet_id":${JSON.stringify(walletId)},"p_amount_cents":${amountText},"p_checkpoint_id":${JSON.stringify(checkpoint)},"p_method":"card"}` },
  };
}

async function balanceOf(ctx: FlowContext, walletId: string): Promise<WalletBefore | null> {
  const r = await attemptRead(ctx, 'wallet_read', () => ctx.target.readWallet(walletId));
  if (!settle(ctx, r, ['acked'], 'wallet read succeeds') || !r.body) return null;
  return { balance: r.body.balance_cents, blocked: r.body.status === 'blocked', inside: r.body.inside === true, entryCount: r.body.entry_count };
}

/** Records one misbehaviour and whether the platform answered it as it must. */
function verdict(ctx: FlowContext, kind: AdversarialKind, ok: boolean): void {
  ctx.port.counter(METRICS.adversarial, 1, { kind });
  if (!ok) ctx.port.counter(METRICS.adversarialMismatches, 1, { kind });
  ctx.port.check(`adversarial ${kind.replace(/_/g, ' ')} gets its expected answer and moves no money it must not`, ok, { op: 'adversarial' });
}

const KINDS: Record<AdversarialKind, (ctx: FlowContext, walletId: string, before: WalletBefore) => Promise<MisbehaviourOutcome | null>> = {
  async hostile_amount(ctx, walletId) {
    const key = newIdempotencyKey(ctx, 'recharge', walletId);
    const amount = pick(HOSTILE_AMOUNTS);
    const r = read(ctx, 'recharge', await ctx.port.request(rawRequest(ctx, recharge(ctx, walletId, key, amount), key)));
    const ok = settle(ctx, r, ['validation_failed'], 'a recharge of a zero, negative, fractional or huge amount is refused with 400');
    return { ok, moved: 0 };
  },

  async concurrent_duplicate(ctx, walletId, before) {
    if (before.blocked) return null;
    const key = newIdempotencyKey(ctx, 'recharge', walletId);
    const req = rawRequest(ctx, recharge(ctx, walletId, key, String(ADVERSARIAL_RECHARGE)), key);
    const [a, b] = (await ctx.port.batch([req, req])).map((res) => read<{ balance_cents: number }>(ctx, 'recharge', res));
    // One logical write: acked once (the other replays it, or is told it is still in flight).
    const acked = [a!, b!].filter((r) => r.outcome === 'acked');
    const other = [a!, b!].find((r) => r !== acked[0]);
    const sane = acked.length >= 1 && (other!.outcome === 'acked' ? other!.replayed || acked[0]!.replayed : other!.code === 'idempotency_key_in_flight');
    const first = acked.find((r) => !r.replayed) ?? acked[0] ?? a!;
    settle(ctx, first, ['acked'], 'two identical recharges at the same moment: one is applied', ADVERSARIAL_RECHARGE);
    if (acked.length === 2) recordReplay(ctx.port, 'recharge');
    return { ok: sane, moved: first.outcome === 'acked' ? ADVERSARIAL_RECHARGE : 0 };
  },

  async conflicting_replay(ctx, walletId, before) {
    if (before.blocked) return null;
    const key = newIdempotencyKey(ctx, 'recharge', walletId);
    const firstR = read(ctx, 'recharge', await ctx.port.request(rawRequest(ctx, recharge(ctx, walletId, key, String(ADVERSARIAL_RECHARGE)), key)));
    if (!settle(ctx, firstR, ['acked'], 'a recharge is credited', ADVERSARIAL_RECHARGE)) return { ok: false, moved: 0 };
    const again = read(ctx, 'recharge', await ctx.port.request(rawRequest(ctx, recharge(ctx, walletId, key, String(ADVERSARIAL_RECHARGE + 200)), key)));
    const ok = again.outcome === 'rejected' && again.code === 'idempotency_key_reused';
    return { ok, moved: ADVERSARIAL_RECHARGE };
  },

  async extra_fields(ctx, walletId, before) {
    if (before.blocked) return null;
    const cheapest = cheapestProduct(ctx.rt.fixtures.products);
    const terminal = ctx.rt.fixtures.terminals[0]!;
    if (before.balance < cheapest.price_cents) return null;
    const key = newIdempotencyKey(ctx, 'order', walletId);
    const items = `[{"product_id":${JSON.stringify(cheapest.id)},"quantity":1,"price_cents":1}]`;
    const lies = '"total_cents":1,"platform_fee_cents":0,"balance_cents":99999999';
    const w: Write = {
      op: 'order',
      rest: { path: '/v1/orders', body: `{"wallet_id":${JSON.stringify(walletId)},"terminal_id":${JSON.stringify(terminal.id)},"items":${items},${lies}}` },
      rpc: { fn: 'sp_process_bar_order', body: `{"p_idempotency_key":${JSON.stringify(key)},"p_wallet_id":${JSON.stringify(walletId)},"p_terminal_id":${JSON.stringify(terminal.id)},"p_items":${items}}` },
    };
    const r = read<{ total_cents: number }>(ctx, 'order', await ctx.port.request(rawRequest(ctx, w, key)));
    // Ignoring the client's numbers (201 at fixture prices) or refusing them (400) are both right.
    const ok = settle(ctx, r, ['acked', 'validation_failed'], 'an order carrying its own total is charged at fixture prices or refused', cheapest.price_cents)
      && (r.outcome !== 'acked' || r.body?.total_cents === cheapest.price_cents);
    return { ok, moved: r.outcome === 'acked' ? -cheapest.price_cents : 0 };
  },

  async out_of_order_scan(ctx, walletId, before) {
    if (before.blocked) return null;
    const gateway = ctx.rt.fixtures.gateways[0]!;
    const key = newIdempotencyKey(ctx, before.inside ? 'entry' : 'exit', walletId);
    const r = before.inside
      ? await ctx.target.entryScan({ walletId, gatewayId: gateway.id, idempotencyKey: key })
      : await ctx.target.exitScan({ walletId, gatewayId: gateway.id, idempotencyKey: key });
    recordLatency(ctx.port, r.op as 'entry' | 'exit', r.durationMs);
    const expected = before.inside ? 'duplicate_entry' : 'not_inside';
    const ok = settle(ctx, r, [expected], 'a scan out of order (in while inside, out while outside) is refused with 409');
    return { ok, moved: 0 };
  },

  replayed_recharge: replayedRecharge,
  replayed_order: replayedOrder,
  replayed_scan: replayedScan,
};

/** One misbehaviour on the iteration's own wallet, then the wallet must hold exactly what it should. */
export async function misbehave(ctx: FlowContext, walletId: string, kind: AdversarialKind = pick(ADVERSARIAL_KINDS)): Promise<void> {
  const before = await balanceOf(ctx, walletId);
  if (!before) return;
  const outcome = await KINDS[kind](ctx, walletId, before);
  if (!outcome) return; // not applicable to this wallet (blocked, too poor)
  const after = await balanceOf(ctx, walletId);
  const exact = after !== null && observeBalance(ctx, 'wallet_read', after.balance, before.balance + outcome.moved);
  verdict(ctx, kind, outcome.ok && exact);
}

/** The workload's flow, then (for a share of iterations) one misbehaviour on its own wallet. */
export function withAdversarialShare(workload: StatefulWorkload, flow: Flow): Flow {
  return async (ctx) => {
    await flow(ctx);
    if (!chance(ctx.rt.profile.behaviour.adversarialRate)) return;
    const wallet = walletFor(ctx.rt, workload, ctx.it.iteration, workload === 'funding' ? 0 : ctx.it.lane);
    await misbehave(ctx, wallet.id);
  };
}
