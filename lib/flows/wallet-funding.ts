// Scenario C: wallet funding through Stripe, 50 at once at pilot. Create a PaymentIntent on the
// platform, let the customer pay (a profile-driven delay), deliver Stripe's signed webhook
// (sometimes twice: the second must be deduplicated), then poll until the credit is visible.
// moshpit_funding_e2e_ms spans the intent request to the credited balance being readable.
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import type { FlowContext } from '../flow-context.js';
import { newIdempotencyKey } from '../idempotency.js';
import { recordFundingE2e, recordReplay } from '../metrics.js';
import { between, chance, pick } from '../random.js';
import { walletFor } from '../runtime.js';
import { newEventId, paymentIntentEvent, stripeSignatureHeader, type PaymentIntentEventType } from '../stripe-signer.js';
import type { OpResult, WebhookBody } from '../targets/index.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';

/** One delivery of a signed event; Stripe signs each delivery afresh. */
function deliver(ctx: FlowContext, payload: string): Promise<OpResult<WebhookBody>> {
  const secret = ctx.rt.config.stripeWebhookSecret as string;
  return attemptWrite(ctx, 'funding_webhook', ctx.rt.profile.client, () =>
    ctx.target.deliverWebhook({ payload, signatureHeader: stripeSignatureHeader(ctx.port, payload, secret) }));
}

/** Polls until the wallet shows at least `expected`; returns the balance seen last (null if unreadable). */
async function waitForBalance(ctx: FlowContext, walletId: string, expected: Cents): Promise<Cents | null> {
  const { creditPollIntervalMs, creditTimeoutMs } = ctx.rt.profile.behaviour;
  const deadline = Date.now() + creditTimeoutMs;
  let seen: Cents | null = null;
  for (;;) {
    const r = await attemptRead(ctx, 'wallet_read', () => ctx.target.readWallet(walletId));
    if (r.outcome === 'acked' && r.body) seen = r.body.balance_cents;
    if ((seen !== null && seen >= expected) || Date.now() >= deadline) return seen;
    await ctx.port.sleep(creditPollIntervalMs / 1000);
  }
}

export async function walletFunding(ctx: FlowContext): Promise<void> {
  const { rt, target } = ctx;
  const { behaviour } = rt.profile;
  const wallet = walletFor(rt, 'funding', ctx.it.iteration, 0);

  const before = await attemptRead(ctx, 'wallet_read', () => target.readWallet(wallet.id));
  if (!settle(ctx, before, ['acked'], 'wallet read succeeds') || !before.body) return;
  const opening = before.body.balance_cents;
  if (!observeBalance(ctx, 'wallet_read', opening)) return;
  // A blocked wristband is not offered online top-up (the platform's rules for it are its own).
  if (before.body.status === 'blocked') return;

  const amount = pick(behaviour.fundingAmountsCents);
  const requestedAt = Date.now();
  const key = newIdempotencyKey(ctx, 'funding_intent', wallet.id);
  const intent = await attemptWrite(ctx, 'funding_intent', rt.profile.client, () => target.createFundingIntent({ walletId: wallet.id, amountCents: amount, idempotencyKey: key }));
  if (!settle(ctx, intent, ['acked'], 'funding intent is created') || !intent.body) return;
  const intentId = intent.body.intent_id;
  expectThat(ctx, 'new funding intent is pending for the requested amount',
    typeof intentId === 'string' && intentId.startsWith('pi_') && intent.body.status === 'pending' && intent.body.amount_cents === amount, 'funding_intent');

  await ctx.port.sleep(between(behaviour.stripeDelayMs) / 1000);

  const type: PaymentIntentEventType = chance(behaviour.paymentFailedRate) ? 'payment_intent.payment_failed' : 'payment_intent.succeeded';
  const succeeded = type === 'payment_intent.succeeded';
  const payload = paymentIntentEvent({ eventId: newEventId(), type, intentId, amountCents: amount, walletId: wallet.id });
  const delivery = await deliver(ctx, payload);
  settle(ctx, delivery, ['acked'], 'signed Stripe webhook is accepted', succeeded ? amount : 0);
  if (delivery.outcome !== 'acked') return;
  expectThat(ctx, 'first webhook delivery is applied', delivery.body?.outcome === 'applied', 'funding_webhook');

  if (chance(behaviour.duplicateWebhookRate)) {
    // Stripe redelivers the same evt_ (at-least-once delivery): it must change nothing.
    const again = await deliver(ctx, payload);
    recordReplay(ctx.port, 'funding_webhook');
    expectThat(ctx, 'redelivered webhook is deduplicated', again.outcome === 'acked' && again.body?.outcome === 'duplicate', 'funding_webhook');
  }

  if (succeeded) {
    const seen = await waitForBalance(ctx, wallet.id, opening + amount);
    const credited = seen !== null && seen >= opening + amount;
    expectThat(ctx, 'funding is credited before the timeout', credited, 'wallet_read');
    if (credited) recordFundingE2e(ctx.port, Date.now() - requestedAt);
    observeBalance(ctx, 'wallet_read', seen, opening + amount);
  } else {
    const after = await attemptRead(ctx, 'wallet_read', () => target.readWallet(wallet.id));
    if (after.outcome === 'acked' && after.body) observeBalance(ctx, 'wallet_read', after.body.balance_cents, opening);
  }

  const final = await attemptRead(ctx, 'funding_intent_read', () => target.readFundingIntent(intentId));
  settle(ctx, final, ['acked'], 'funding intent can be read back');
  expectThat(ctx, succeeded ? 'paid intent ends confirmed' : 'declined intent ends failed',
    final.body?.status === (succeeded ? 'confirmed' : 'failed'), 'funding_intent_read');
}
