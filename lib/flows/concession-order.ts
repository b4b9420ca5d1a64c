// Scenario B: a sale at one of the concession terminals (one lane per terminal). The
// terminal shows the wristband's balance, rings up a basket from its stand's menu and charges
// it. The target must debit exactly the basket at fixture prices, split the platform fee, and
// refuse (402) a basket the wallet cannot pay; some holders then top up and buy again.
import { splitOrder } from '../../core/fees.js';
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import type { FlowContext } from '../flow-context.js';
import { checkpointFor, type ProductFixture, type TerminalFixture } from '../fixtures.js';
import { newIdempotencyKey } from '../idempotency.js';
import { standMenu } from '../menu.js';
import { recordReplay } from '../metrics.js';
import { chance, pick, randomInt } from '../random.js';
import { walletFor, type Runtime } from '../runtime.js';
import type { OrderLine } from '../targets/index.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';

interface Basket { items: OrderLine[]; totalCents: Cents; lines: Array<{ unitPriceCents: Cents; quantity: number }> }

function basketOf(picks: Array<{ product: ProductFixture; quantity: number }>): Basket {
  const items = picks.map((p) => ({ product_id: p.product.id, quantity: p.quantity }));
  const lines = picks.map((p) => ({ unitPriceCents: p.product.price_cents, quantity: p.quantity }));
  return { items, lines, totalCents: lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0) };
}

function randomBasket(rt: Runtime, menu: ProductFixture[]): Basket {
  const { maxBasketLines, maxLineQuantity } = rt.profile.behaviour;
  const picks = new Map<string, { product: ProductFixture; quantity: number }>();
  const lines = randomInt(1, Math.min(maxBasketLines, menu.length));
  while (picks.size < lines) {
    const product = pick(menu);
    if (!picks.has(product.id)) picks.set(product.id, { product, quantity: randomInt(1, maxLineQuantity) });
  }
  return basketOf([...picks.values()]);
}

// A round for the whole group: more than the wallet holds, within a sane line quantity.
const MAX_ROUND_QUANTITY = 20;

function overspendBasket(menu: ProductFixture[], balance: Cents): Basket | null {
  const priciest = menu.reduce((a, b) => (b.price_cents > a.price_cents ? b : a));
  const quantity = Math.floor(balance / priciest.price_cents) + 1;
  return quantity <= MAX_ROUND_QUANTITY ? basketOf([{ product: priciest, quantity }]) : null;
}


interface Sale { walletId: string; blocked: boolean; terminal: TerminalFixture; basket: Basket }

/** Charges the basket; returns the new balance when acked, null otherwise. */
async function charge(ctx: FlowContext, sale: Sale, balance: Cents): Promise<{ balance: Cents | null; declined: boolean }> {
  const { rt, target } = ctx;
  const affordable = sale.basket.totalCents <= balance;
  const accept = sale.blocked ? ['wallet_blocked'] : affordable ? ['acked'] : ['insufficient_funds'];
  const key = newIdempotencyKey(ctx, 'order', sale.walletId);
  const send = () => target.order({ walletId: sale.walletId, terminalId: sale.terminal.id, items: sale.basket.items, idempotencyKey: key });
  const r = await attemptWrite(ctx, 'order', rt.profile.client, send);
  const rule = sale.blocked ? 'blocked wallet cannot order' : affordable ? 'affordable order is charged' : 'order over the balance is declined with 402';
  settle(ctx, r, accept, rule, sale.basket.totalCents);
  if (r.outcome !== 'acked' || !r.body) return { balance: null, declined: r.code === 'insufficient_funds' };

  const body = r.body;
  const split = splitOrder(sale.basket.lines, rt.fixtures.manifest.settings.platform_fee_bps);
  expectThat(ctx, 'order total is the sum of its lines at fixture prices', body.total_cents === split.total, 'order');
  expectThat(ctx, 'platform fee and vendor share split the total', body.platform_fee_cents === split.fee && body.vendor_share_cents === split.vendorShare, 'order');
  observeBalance(ctx, 'order', body.balance_cents, balance - split.total);

  if (chance(rt.profile.behaviour.orderReplayRate)) {
    // The terminal lost the response and resends: same key, same payload, nothing new may happen.
    const replay = await attemptWrite(ctx, 'order', rt.profile.client, send);
    recordReplay(ctx.port, 'order');
    expectThat(ctx, 'replayed order returns the original result',
      replay.outcome === 'acked' && replay.replayed && replay.body?.order_id === body.order_id && replay.body?.balance_cents === body.balance_cents, 'order');
    // A replay that answers correctly but charges again only shows on the wallet itself.
    await expectBalance(ctx, sale.walletId, body.balance_cents);
  }
  return { balance: body.balance_cents, declined: false };
}

/** Reads the wallet back and checks it holds exactly `expected`. */
async function expectBalance(ctx: FlowContext, walletId: string, expected: Cents): Promise<void> {
  const r = await attemptRead(ctx, 'wallet_read', () => ctx.target.readWallet(walletId));
  if (settle(ctx, r, ['acked'], 'wallet read succeeds') && r.body) observeBalance(ctx, 'wallet_read', r.body.balance_cents, expected);
}

async function topUp(ctx: FlowContext, walletId: string, balance: Cents, shortfall: Cents, lane: number): Promise<Cents | null> {
  const { rt, target } = ctx;
  const step = 500;
  const amount = Math.max(rt.profile.behaviour.rechargeCents, Math.ceil(shortfall / step) * step);
  const key = newIdempotencyKey(ctx, 'recharge', walletId);
  const method = chance(0.5) ? 'cash' : 'card';
  const r = await attemptWrite(ctx, 'recharge', rt.profile.client, () =>
    target.recharge({ walletId, amountCents: amount, checkpointId: checkpointFor(rt.fixtures, lane), method, idempotencyKey: key }));
  settle(ctx, r, ['acked'], 'checkpoint recharge is credited', amount);
  if (r.outcome !== 'acked' || !r.body) return null;
  observeBalance(ctx, 'recharge', r.body.balance_cents, balance + amount);
  return r.body.balance_cents;
}

export async function concessionOrder(ctx: FlowContext): Promise<void> {
  const { rt, target } = ctx;
  const lane = ctx.it.lane;
  const terminal = rt.fixtures.terminals[lane] as TerminalFixture;
  const wallet = walletFor(rt, 'concession', ctx.it.iteration, lane);

  const view = await attemptRead(ctx, 'wallet_read', () => target.readWallet(wallet.id));
  if (!settle(ctx, view, ['acked'], 'wallet read succeeds') || !view.body) return;
  const balance = view.body.balance_cents;
  if (!observeBalance(ctx, 'wallet_read', balance)) return;

  const menu = standMenu(rt, terminal);
  const basket = (chance(rt.profile.behaviour.overspendRate) && overspendBasket(menu, balance)) || randomBasket(rt, menu);
  const sale = { walletId: wallet.id, blocked: view.body.status === 'blocked', terminal, basket };
  const result = await charge(ctx, sale, balance);
  if (!result.declined) return;
  if (!chance(rt.profile.behaviour.rechargeAfterDeclineRate)) {
    // The holder walks away; a declined order must not have touched the wallet.
    await expectBalance(ctx, wallet.id, balance);
    return;
  }
  const topped = await topUp(ctx, wallet.id, balance, basket.totalCents - balance, lane);
  if (topped !== null) await charge(ctx, sale, topped);
}
