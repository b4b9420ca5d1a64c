// Scenario C under Stripe faults. The same funding as lib/flows/wallet-funding.ts (intent,
// customer pays, signed webhook, credit visible), with the client faults of the timeline
// applied to the webhook at the moment Stripe would send it:
//   webhook-delay    the delivery is held back delayS seconds (Stripe backlog)
//   webhook-dup      the event is delivered twice at once, and once more a little later;
//                    exactly one delivery may apply, the others must answer `duplicate`
//   webhook-reorder  the customer's first card was declined, the second paid: the success
//                    event arrives first and the older failure after it (must be `superseded`)
//   bad-signature    forged deliveries (wrong secret, stale timestamp, tampered amount, no
//                    signature) arrive first: each must be refused, and credit nothing
// The logical write (reconciled by validate/) is the first delivery that applied; every other
// delivery of the same event is a replay. Deliveries are redelivered until answered, like Stripe.
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import { chaosSeconds } from '../chaos/clock.js';
import type { ChaosContext } from '../chaos/context.js';
import { countDelivery, invariant } from '../chaos/metrics.js';
import { activeWindows } from '../chaos/schedule.js';
import { paramNumber } from '../../core/faults.js';
import { deliverConcurrently, deliverForged, deliverReliably, FORGERIES } from '../chaos/webhooks.js';
import { newIdempotencyKey } from '../idempotency.js';
import { recordFundingE2e, recordReplay } from '../metrics.js';
import { between, chance, pick } from '../random.js';
import { walletFor } from '../runtime.js';
import { newEventId, paymentIntentEvent, unixSeconds, type PaymentIntentEventType } from '../stripe-signer.js';
import type { OpResult, WebhookBody } from '../targets/index.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';

function active(ctx: ChaosContext, fault: string) {
  const now = chaosSeconds(ctx.chaos.clock);
  return now === null ? [] : activeWindows(ctx.chaos.env, fault, now);
}

async function readBalance(ctx: ChaosContext, walletId: string): Promise<Cents | null> {
  const r = await attemptRead(ctx, 'wallet_read', () => ctx.target.readWallet(walletId));
  return r.outcome === 'acked' && r.body ? r.body.balance_cents : null;
}

/** Polls until the wallet shows at least `expected` (or the timeout); returns the last balance seen. */
async function waitForBalance(ctx: ChaosContext, walletId: string, expected: Cents, timeoutMs: number): Promise<Cents | null> {
  const deadline = Date.now() + timeoutMs;
  let seen: Cents | null = null;
  for (let i = 0; i < 10_000; i++) {
    seen = (await readBalance(ctx, walletId)) ?? seen;
    if ((seen !== null && seen >= expected) || Date.now() >= deadline) break;
    await ctx.port.sleep(ctx.rt.profile.behaviour.creditPollIntervalMs / 1000);
  }
  return seen;
}

const applied = (r: OpResult<WebhookBody>) => r.outcome === 'acked' && r.body?.outcome === 'applied';

/**
 * The app waits before trying again after a failure: a constant-VUs workload whose iterations
 * fail in a millisecond (connection refused while the target restarts) would otherwise spin.
 */
const FAILURE_PAUSE_S = 1;

export async function chaosWalletFunding(ctx: ChaosContext): Promise<void> {
  const { rt, port } = ctx;
  const { behaviour } = rt.profile;
  const pause = () => port.sleep(FAILURE_PAUSE_S);
  const wallet = walletFor(rt, 'funding', ctx.it.iteration, 0);

  const before = await attemptRead(ctx, 'wallet_read', () => ctx.target.readWallet(wallet.id));
  if (!settle(ctx, before, ['acked'], 'wallet read succeeds') || !before.body) return pause();
  const opening = before.body.balance_cents;
  if (!observeBalance(ctx, 'wallet_read', opening)) return;
  if (before.body.status === 'blocked') return;

  const amount = pick(behaviour.fundingAmountsCents);
  const requestedAt = Date.now();
  const key = newIdempotencyKey(ctx, 'funding_intent', wallet.id);
  const intent = await attemptWrite(ctx, 'funding_intent', rt.profile.client, () => ctx.target.createFundingIntent({ walletId: wallet.id, amountCents: amount, idempotencyKey: key }));
  if (!settle(ctx, intent, ['acked'], 'funding intent is created') || !intent.body) return pause();
  const intentId = intent.body.intent_id;

  await port.sleep(between(behaviour.stripeDelayMs) / 1000);

  // webhook-delay: Stripe holds the delivery back.
  let heldS = 0;
  for (const w of active(ctx, 'webhook-delay')) heldS = Math.max(heldS, paramNumber(w, 'delayS'));
  if (heldS > 0) {
    countDelivery(port, 'delayed');
    await port.sleep(heldS);
  }

  const type: PaymentIntentEventType = chance(behaviour.paymentFailedRate) ? 'payment_intent.payment_failed' : 'payment_intent.succeeded';
  const succeeded = type === 'payment_intent.succeeded';
  const credit = succeeded ? amount : 0;
  const payload = paymentIntentEvent({ eventId: newEventId(), type, intentId, amountCents: amount, walletId: wallet.id });

  // bad-signature: forgeries first; none may be accepted or move money.
  const forging = active(ctx, 'bad-signature').some((w) => chance(paramNumber(w, 'rate')));
  if (forging) {
    for (const forgery of FORGERIES) {
      const r = await deliverForged(ctx, payload, amount, forgery);
      countDelivery(port, 'forged');
      invariant(port, 'a forged Stripe webhook is refused', r.outcome !== 'acked');
      expectThat(ctx, 'a forged Stripe webhook is refused with 400 signature_invalid', r.status === 400 && r.code === 'signature_invalid', 'funding_webhook');
    }
    const after = await readBalance(ctx, wallet.id);
    if (after !== null) invariant(port, 'a forged Stripe webhook credits nothing', after === opening);
  }

  const duplicating = active(ctx, 'webhook-dup').some((w) => chance(paramNumber(w, 'rate')));
  const reorderWindows = succeeded ? active(ctx, 'webhook-reorder') : [];

  let first: OpResult<WebhookBody>;
  if (reorderWindows.length > 0) {
    // Stripe's events for this intent: a decline (older), then the success. Delivered newest first.
    const created = unixSeconds();
    const declined = paymentIntentEvent({ eventId: newEventId(), type: 'payment_intent.payment_failed', intentId, amountCents: amount, walletId: wallet.id, createdSeconds: created - 5 });
    const paid = paymentIntentEvent({ eventId: newEventId(), type, intentId, amountCents: amount, walletId: wallet.id, createdSeconds: created });
    first = await deliverReliably(ctx, paid);
    settle(ctx, first, ['acked'], 'signed Stripe webhook is accepted', credit);
    expectThat(ctx, 'first webhook delivery is applied', applied(first), 'funding_webhook');
    const windowS = Math.min(...reorderWindows.map((w) => paramNumber(w, 'windowS')), 10);
    await port.sleep(Math.random() * Math.min(windowS, 3));
    const late = await deliverReliably(ctx, declined);
    recordReplay(port, 'funding_webhook');
    countDelivery(port, 'reordered');
    if (late.outcome === 'acked') {
      invariant(port, 'a late failure event after the success is superseded, not applied', late.body?.outcome === 'superseded');
    }
  } else if (duplicating) {
    const sent = await deliverConcurrently(ctx, payload, 2);
    countDelivery(port, 'duplicate_concurrent', sent.length);
    first = sent.find(applied) ?? sent[0]!;
    settle(ctx, first, ['acked'], 'signed Stripe webhook is accepted', credit);
    for (const r of sent) if (r !== first) recordReplay(port, 'funding_webhook');
    // At most once: an applied copy's answer may have been lost (then its redelivery says duplicate).
    const answered = sent.filter((r) => r.outcome === 'acked');
    invariant(port, 'concurrent deliveries of one event apply at most once', answered.filter(applied).length <= 1);
    invariant(port, 'a concurrent redelivery is answered as a duplicate', answered.filter((r) => !applied(r)).every((r) => r.body?.outcome === 'duplicate'));
    // ... and Stripe delivers it once more, later.
    await port.sleep(0.5 + Math.random());
    const later = await deliverReliably(ctx, payload);
    recordReplay(port, 'funding_webhook');
    countDelivery(port, 'duplicate_late');
    if (later.outcome === 'acked') invariant(port, 'a later redelivery is answered as a duplicate', later.body?.outcome === 'duplicate');
  } else {
    first = await deliverReliably(ctx, payload);
    settle(ctx, first, ['acked'], 'signed Stripe webhook is accepted', credit);
    expectThat(ctx, 'first webhook delivery is applied', applied(first), 'funding_webhook');
  }
  if (first.outcome !== 'acked') return pause();

  if (succeeded) {
    const seen = await waitForBalance(ctx, wallet.id, opening + amount, behaviour.creditTimeoutMs);
    const credited = seen !== null && seen >= opening + amount;
    expectThat(ctx, 'funding is credited before the timeout', credited, 'wallet_read');
    if (credited) recordFundingE2e(port, Date.now() - requestedAt);
    observeBalance(ctx, 'wallet_read', seen, opening + amount);
  } else {
    const after = await readBalance(ctx, wallet.id);
    if (after !== null) observeBalance(ctx, 'wallet_read', after, opening);
  }

  const final = await attemptRead(ctx, 'funding_intent_read', () => ctx.target.readFundingIntent(intentId));
  settle(ctx, final, ['acked'], 'funding intent can be read back');
  expectThat(ctx, succeeded ? 'paid intent ends confirmed' : 'declined intent ends failed',
    final.body?.status === (succeeded ? 'confirmed' : 'failed'), 'funding_intent_read');
}
