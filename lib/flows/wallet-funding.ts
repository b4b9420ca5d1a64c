// Scenario C: wallet funding through Stripe, 50 at once at pilot. Create a PaymentIntent on the
// platform, let the customer pay (a profile-driven delay), deliver Stripe's signed webhook
// (sometimes twice: the second must be deduplicated; the intent request is sometimes resent
// with its key and must return the same intent; sometimes forged, stale, preceded or
// followed by a failure), then poll until the credit is visible.
// moshpit_funding_e2e_ms spans the intent request to the credited balance being readable.
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import type { FlowContext } from '../flow-context.js';
import { newIdempotencyKey } from '../idempotency.js';
import { recordFundingE2e, recordLatency, recordReplay } from '../metrics.js';
import { between, chance, pick, randomToken } from '../random.js';
import { walletFor } from '../runtime.js';
import { newEventId, paymentIntentEvent, stripeSignatureHeader, unixSeconds, type PaymentIntentEventType } from '../stripe-signer.js';
import { fromRest } from '../targets/internal/normalize.js';
import { httpRequest } from '../targets/internal/send.js';
import type { OpResult, WebhookBody } from '../targets/index.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';

/** One delivery of a signed event; Stripe signs each delivery afresh. */
function deliver(ctx: FlowContext, payload: string): Promise<OpResult<WebhookBody>> {
  const secret = ctx.rt.config.stripeWebhookSecret as string;
  return attemptWrite(ctx, 'funding_webhook', ctx.rt.profile.client, () =>
    ctx.target.deliverWebhook({ payload, signatureHeader: stripeSignatureHeader(ctx.port, payload, secret) }));
}

/** A delivery Stripe would never send: signed with another secret, or too long ago. */
async function deliverForged(ctx: FlowContext, payload: string, how: 'forged' | 'stale'): Promise<OpResult<WebhookBody>> {
  const { rt, port } = ctx;
  const secret = rt.config.stripeWebhookSecret as string;
  const header = how === 'forged'
    ? stripeSignatureHeader(port, payload, `whsec_forged_${randomToken(16)}`)
    : stripeSignatureHeader(port, payload, secret, unixSeconds() - STALE_SIGNATURE_SECONDS);
  const path = rt.config.targetKind === 'rest' ? '/v1/webhooks/stripe' : '/functions/v1/stripe-webhook';
  const req = httpRequest('POST', `${rt.config.targetUrl}${path}`, payload, {
    op: 'funding_webhook', route: `POST ${path}`, timeoutSeconds: rt.profile.client.timeoutSeconds,
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header }, expected: 'refusal', tags: { forged: how },
  });
  const res = await port.request(req);
  recordLatency(port, 'funding_webhook', res.durationMs);
  // The webhook answers REST-style on both surfaces (the edge function is not an RPC).
  return fromRest<WebhookBody>('funding_webhook', res);
}

/** Older than the 300 s a signature is accepted for (platform/API.md). */
const STALE_SIGNATURE_SECONDS = 600;

type StripeMisbehaviour = 'forged' | 'stale' | 'late_failure' | 'failure_first';
const STRIPE_MISBEHAVIOURS: StripeMisbehaviour[] = ['forged', 'stale', 'late_failure', 'failure_first'];

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
  if (chance(behaviour.intentReplayRate)) {
    // The app lost the answer and asks again with the same key: the same intent, never a second one.
    const again = await attemptWrite(ctx, 'funding_intent', rt.profile.client, () => target.createFundingIntent({ walletId: wallet.id, amountCents: amount, idempotencyKey: key }));
    recordReplay(ctx.port, 'funding_intent');
    expectThat(ctx, 'a replayed funding intent request returns the same intent',
      again.outcome === 'acked' && again.replayed && again.body?.intent_id === intentId && again.body?.amount_cents === amount, 'funding_intent');
  }

  await ctx.port.sleep(between(behaviour.stripeDelayMs) / 1000);

  const type: PaymentIntentEventType = chance(behaviour.paymentFailedRate) ? 'payment_intent.payment_failed' : 'payment_intent.succeeded';
  const succeeded = type === 'payment_intent.succeeded';
  const payload = paymentIntentEvent({ eventId: newEventId(), type, intentId, amountCents: amount, walletId: wallet.id });
  // Stripe's side misbehaving too, sometimes: a forged or stale signature (refused, nothing
  // moves), a failure before the success (the success still credits) or after it (superseded).
  const misbehaviour = chance(behaviour.webhookMisbehaviourRate) ? pick(STRIPE_MISBEHAVIOURS) : null;
  if (misbehaviour === 'forged' || misbehaviour === 'stale') {
    const r = await deliverForged(ctx, payload, misbehaviour);
    settle(ctx, r, ['signature_invalid'], misbehaviour === 'forged' ? 'a webhook signed with another secret is refused with 400' : 'a webhook signed more than 300 s ago is refused with 400');
  }
  if (misbehaviour === 'failure_first' && succeeded) {
    const failed = paymentIntentEvent({ eventId: newEventId(), type: 'payment_intent.payment_failed', intentId, amountCents: amount, walletId: wallet.id });
    const early = await deliver(ctx, failed);
    // Not the intent's final word: the logical write is the success that follows.
    recordReplay(ctx.port, 'funding_webhook');
    expectThat(ctx, 'a failure delivered before the success is applied', early.outcome === 'acked' && early.body?.outcome === 'applied', 'funding_webhook');
  }
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

  if (misbehaviour === 'late_failure' && succeeded) {
    const failed = paymentIntentEvent({ eventId: newEventId(), type: 'payment_intent.payment_failed', intentId, amountCents: amount, walletId: wallet.id });
    const late = await deliver(ctx, failed);
    recordReplay(ctx.port, 'funding_webhook');
    expectThat(ctx, 'a failure delivered after the success is superseded and takes nothing back', late.outcome === 'acked' && late.body?.outcome === 'superseded', 'funding_webhook');
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
