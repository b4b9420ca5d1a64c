// Contention: a group shares one wallet. In round n every terminal serves a member of the same
// group at once (the terminals' arrival-rate schedules start together), and one member tops
// the wallet up at a checkpoint in that same moment. Concurrent debits of one row are what a
// missing row lock gets wrong. Who wins the race is unknowable per response, so only what
// must hold is checked: 201 or 402 (never 5xx), balances never negative, total = Σ lines at
// fixture prices. The ledger checkers judge the money afterwards.
import exec from 'k6/execution';
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import type { TerminalFixture } from '../fixtures.js';
import { newIdempotencyKey } from '../idempotency.js';
import { laneCount, laneOf } from '../options.js';
import { chance } from '../random.js';
import { runtime, type Runtime } from '../runtime.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';
import { memberBasket } from './contention-basket.js';
import { groupWallets } from './contention-groups.js';

interface Member { rt: Runtime; walletId: string; blocked: boolean; lane: number }

function order(m: Member, terminal: TerminalFixture): void {
  const basket = memberBasket(m.rt, terminal);
  const key = newIdempotencyKey(m.rt.config.runId, 'order', m.walletId);
  const r = attemptWrite('order', m.rt.profile.client, () =>
    m.rt.target.order({ walletId: m.walletId, terminalId: terminal.id, items: basket.items, idempotencyKey: key }));
  // Whether the others' orders landed first decides 201 or 402; either is correct.
  const accept = m.blocked ? ['wallet_blocked'] : ['acked', 'insufficient_funds'];
  settle(r, accept, 'shared-wallet order is charged (201) or declined (402)', basket.totalCents);
  if (r.outcome !== 'acked' || !r.body) return;
  expectThat('order total is the sum of its lines at fixture prices', r.body.total_cents === basket.totalCents, 'order');
  observeBalance('order', r.body.balance_cents);
}

function topUp(m: Member): void {
  // Enough for the rest of the group's round (one top-up per round, the others order).
  const amount: Cents = m.rt.profile.behaviour.rechargeCents * Math.max(1, laneCount('concession', m.rt.profile) - 1);
  const key = newIdempotencyKey(m.rt.config.runId, 'recharge', m.walletId);
  const method = chance(0.5) ? 'cash' : 'card';
  const checkpointId = `${m.rt.fixtures.manifest.prefix}checkpoint-${m.lane + 1}`;
  const r = attemptWrite('recharge', m.rt.profile.client, () =>
    m.rt.target.recharge({ walletId: m.walletId, amountCents: amount, checkpointId, method, idempotencyKey: key }));
  settle(r, m.blocked ? ['wallet_blocked'] : ['acked'], 'shared-wallet top-up is credited', amount);
  if (r.outcome !== 'acked' || !r.body) return;
  // The balance before was >= 0, so whatever else landed meanwhile, at least the top-up is there.
  if (observeBalance('recharge', r.body.balance_cents)) {
    expectThat('a top-up leaves at least its amount on the wallet', r.body.balance_cents >= amount, 'recharge');
  }
}

export function contentionOrder(): void {
  const rt = runtime();
  const lane = laneOf(exec.scenario.name);
  const lanes = laneCount('concession', rt.profile);
  const round = exec.scenario.iterationInTest;
  const groups = groupWallets(rt);
  const wallet = groups[round % groups.length]!;

  // The terminal shows the balance first; it may be stale by the time the order lands.
  const view = attemptRead('wallet_read', () => rt.target.readWallet(wallet.id));
  if (!settle(view, ['acked'], 'wallet read succeeds') || !view.body) return;
  observeBalance('wallet_read', view.body.balance_cents);

  const member: Member = { rt, walletId: wallet.id, blocked: view.body.status === 'blocked', lane };
  // One member per round tops up (a different terminal each round); the others order.
  if (lane === round % lanes) topUp(member);
  else order(member, rt.fixtures.terminals[lane] as TerminalFixture);
}
