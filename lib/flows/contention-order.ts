// Contention: a group shares one wallet. Each iteration is a round: every terminal serves a
// member of the same group at once (the requests go out concurrently, whatever the engine's
// arrival timing), and one member tops the wallet up at a checkpoint in that same moment. Concurrent debits of one row are what a
// missing row lock gets wrong. Who wins the race is unknowable per response, so only what
// must hold is checked: 201 or 402 (never 5xx), balances never negative, total = Σ lines at
// fixture prices. The ledger checkers judge the money afterwards.
// Runs as the concession workload of the contention scenario (its lanes, slice, thresholds).
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import type { FlowContext } from '../flow-context.js';
import { checkpointFor, type TerminalFixture } from '../fixtures.js';
import { newIdempotencyKey } from '../idempotency.js';
import { chance } from '../random.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';
import { memberBasket } from './contention-basket.js';
import { groupWallets } from './contention-groups.js';

interface Member { walletId: string; blocked: boolean; lane: number }

async function order(ctx: FlowContext, m: Member, terminal: TerminalFixture): Promise<void> {
  const basket = memberBasket(ctx.rt, terminal);
  const key = newIdempotencyKey(ctx, 'order', m.walletId);
  const r = await attemptWrite(ctx, 'order', ctx.rt.profile.client, () =>
    ctx.target.order({ walletId: m.walletId, terminalId: terminal.id, items: basket.items, idempotencyKey: key }));
  // Whether the others' orders landed first decides 201 or 402; either is correct.
  const accept = m.blocked ? ['wallet_blocked'] : ['acked', 'insufficient_funds'];
  settle(ctx, r, accept, 'shared-wallet order is charged (201) or declined (402)', basket.totalCents);
  if (r.outcome !== 'acked' || !r.body) return;
  expectThat(ctx, 'order total is the sum of its lines at fixture prices', r.body.total_cents === basket.totalCents, 'order');
  observeBalance(ctx, 'order', r.body.balance_cents);
}

async function topUp(ctx: FlowContext, m: Member): Promise<void> {
  const { rt } = ctx;
  // Enough for the rest of the group's round (one top-up per round, the others order).
  const amount: Cents = rt.profile.behaviour.rechargeCents * Math.max(1, rt.profile.behaviour.terminals - 1);
  const key = newIdempotencyKey(ctx, 'recharge', m.walletId);
  const method = chance(0.5) ? 'cash' : 'card';
  const checkpointId = checkpointFor(rt.fixtures, m.lane);
  const r = await attemptWrite(ctx, 'recharge', rt.profile.client, () =>
    ctx.target.recharge({ walletId: m.walletId, amountCents: amount, checkpointId, method, idempotencyKey: key }));
  settle(ctx, r, m.blocked ? ['wallet_blocked'] : ['acked'], 'shared-wallet top-up is credited', amount);
  if (r.outcome !== 'acked' || !r.body) return;
  // The balance before was >= 0, so whatever else landed meanwhile, at least the top-up is there.
  if (observeBalance(ctx, 'recharge', r.body.balance_cents)) {
    expectThat(ctx, 'a top-up leaves at least its amount on the wallet', r.body.balance_cents >= amount, 'recharge');
  }
}

export async function contentionOrder(ctx: FlowContext): Promise<void> {
  const { rt, target } = ctx;
  const terminals = rt.profile.behaviour.terminals;
  const round = ctx.it.iteration;
  const groups = groupWallets(rt);
  const wallet = groups[round % groups.length]!;

  // The terminals show the balance first; it may be stale by the time the orders land.
  const view = await attemptRead(ctx, 'wallet_read', () => target.readWallet(wallet.id));
  if (!settle(ctx, view, ['acked'], 'wallet read succeeds') || !view.body) return;
  observeBalance(ctx, 'wallet_read', view.body.balance_cents);
  const blocked = view.body.status === 'blocked';

  // One member per round tops up (a different terminal each round); the others order, all at once.
  await Promise.all(Array.from({ length: terminals }, (_, lane) => {
    const member: Member = { walletId: wallet.id, blocked, lane };
    return lane === round % terminals ? topUp(ctx, member) : order(ctx, member, rt.fixtures.terminals[lane] as TerminalFixture);
  }));
}
