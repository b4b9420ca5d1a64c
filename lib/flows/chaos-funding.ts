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
import { sleep } from 'k6';
import exec from 'k6/execution';
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import { chaosEnv, chaosSeconds, enterChaos } from '../chaos/clock.js';
import { countDelivery, invariant } from '../chaos/metrics.js';
import { chaosRuntime } from '../chaos/runtime.js';
import { activeWindows, numberParam } from '../chaos/schedule.js';
import { deliverConcurrently, deliverForged, deliverReliably, FORGERIES } from '../chaos/webhooks.js';
import { newIdempotencyKey } from '../idempotency.js';
import { recordFundingE2e, recordReplay } from '../metrics.js';
import { between, chance, pick } from '../random.js';
import { walletFor, type Runtime } from '../runtime.js';
import { newEventId, paymentIntentEvent, unixSeconds, type PaymentIntentEventType } from '../stripe-signer.js';
import type { OpResult, WebhookBody } from '../targets/index.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';

function active(fault: string) {
  const now = chaosSeconds();
  return now === null ? [] : activeWindows(chaosEnv(), fault, now);
}

function readBalance(rt: Runtime, walletId: string): Cents | null {
  const r = attemptRead('wallet_read', () => rt.target.readWallet(walletId));
  return r.outcome === 'acked' && r.body ? r.body.balance_cents : null;
}

/** Polls until the wallet shows at least `expected` (or the timeout); returns the last balance seen. */
function waitForBalance(rt: Runtime, walletId: string, expected: Cents, timeoutMs: number): Cents | null {
  const deadline = Date.now() + timeoutMs;
  let seen: Cents | null = null;
  for (let i = 0; i < 10_000; i++) {
    seen = readBalance(rt, walletId) ?? seen;
    if ((seen !== null && seen >= expected) || Date.now() >= deadline) break;
    sleep(rt.profile.behaviour.creditPollIntervalMs / 1000);
  }
  return seen;
}

const applied = (r: OpResult<WebhookBody>) => r.outcome === 'acked' && r.body?.outcome === 'applied';

/**
 * The app waits before trying again after a failure: a constant-VUs workload whose iterations
 * fail in a millisecond (connection refused while the target restarts) would otherwise spin.
 */
const FAILURE_PAUSE_S = 1;
function pause(): void {
  sleep(FAILURE_PAUSE_S);
}

export function chaosWalletFunding(data: unknown): void {
  enterChaos(data);
  const { rt, calls } = chaosRuntime();
  const { behaviour } = rt.profile;
  const wallet = walletFor(rt, 'funding', exec.scenario.iterationInTest, 0);

  const before = attemptRead('wallet_read', () => rt.target.readWallet(wallet.id));
  if (!settle(before, ['acked'], 'wallet read succeeds') || !before.body) return pause();
  const opening = before.body.balance_cents;
  if (!observeBalance('wallet_read', opening)) return;
  if (before.body.status === 'blocked') return;

  const amount = pick(behaviour.fundingAmountsCents);
  const requestedAt = Date.now();
  const key = newIdempotencyKey(rt.config.runId, 'funding_intent', wallet.id);
  const intent = attemptWrite('funding_intent', rt.profile.client, () => rt.target.createFundingIntent({ walletId: wallet.id, amountCents: amount, idempotencyKey: key }));
  if (!settle(intent, ['acked'], 'funding intent is created') || !intent.body) return pause();
  const intentId = intent.body.intent_id;

  sleep(between(behaviour.stripeDelayMs) / 1000);

  // webhook-delay: Stripe holds the delivery back.
  let heldS = 0;
  for (const w of active('webhook-delay')) heldS = Math.max(heldS, numberParam(w, 'delayS', 30));
  if (heldS > 0) {
    countDelivery('delayed');
    sleep(heldS);
  }

  const type: PaymentIntentEventType = chance(behaviour.paymentFailedRate) ? 'payment_intent.payment_failed' : 'payment_intent.succeeded';
  const succeeded = type === 'payment_intent.succeeded';
  const credit = succeeded ? amount : 0;
  const payload = paymentIntentEvent({ eventId: newEventId(), type, intentId, amountCents: amount, walletId: wallet.id });

  // bad-signature: forgeries first; none may be accepted or move money.
  const forging = active('bad-signature').some((w) => chance(numberParam(w, 'rate', 0.05)));
  if (forging) {
    for (const forgery of FORGERIES) {
      const r = deliverForged(rt, calls, payload, amount, forgery);
      countDelivery('forged');
      invariant('a forged Stripe webhook is refused', r.outcome !== 'acked');
      expectThat('a forged Stripe webhook is refused with 400 signature_invalid', r.status === 400 && r.code === 'signature_invalid', 'funding_webhook');
    }
    const after = readBalance(rt, wallet.id);
    if (after !== null) invariant('a forged Stripe webhook credits nothing', after === opening);
  }

  const dupWindows = active('webhook-dup');
  const duplicating = dupWindows.some((w) => chance(numberParam(w, 'rate', 0.2)));
  const reordering = succeeded && active('webhook-reorder').length > 0;

  let first: OpResult<WebhookBody>;
  if (reordering) {
    // Stripe's events for this intent: a decline (older), then the success. Delivered newest first.
    const created = unixSeconds();
    const declined = paymentIntentEvent({ eventId: newEventId(), type: 'payment_intent.payment_failed', intentId, amountCents: amount, walletId: wallet.id, createdSeconds: created - 5 });
    const paid = paymentIntentEvent({ eventId: newEventId(), type, intentId, amountCents: amount, walletId: wallet.id, createdSeconds: created });
    first = deliverReliably(rt, paid);
    settle(first, ['acked'], 'signed Stripe webhook is accepted', credit);
    expectThat('first webhook delivery is applied', applied(first), 'funding_webhook');
    const windowS = Math.min(...active('webhook-reorder').map((w) => numberParam(w, 'windowS', 10)), 10);
    sleep(Math.random() * Math.min(windowS, 3));
    const late = deliverReliably(rt, declined);
    recordReplay('funding_webhook');
    countDelivery('reordered');
    if (late.outcome === 'acked') {
      invariant('a late failure event after the success is superseded, not applied', late.body?.outcome === 'superseded');
    }
  } else if (duplicating) {
    const sent = deliverConcurrently(rt, calls, payload, 2);
    countDelivery('duplicate_concurrent', sent.length);
    first = sent.find(applied) ?? sent[0]!;
    settle(first, ['acked'], 'signed Stripe webhook is accepted', credit);
    for (const r of sent) if (r !== first) recordReplay('funding_webhook');
    // At most once: an applied copy's answer may have been lost (then its redelivery says duplicate).
    const answered = sent.filter((r) => r.outcome === 'acked');
    invariant('concurrent deliveries of one event apply at most once', answered.filter(applied).length <= 1);
    invariant('a concurrent redelivery is answered as a duplicate', answered.filter((r) => !applied(r)).every((r) => r.body?.outcome === 'duplicate'));
    // ... and Stripe delivers it once more, later.
    sleep(0.5 + Math.random());
    const later = deliverReliably(rt, payload);
    recordReplay('funding_webhook');
    countDelivery('duplicate_late');
    if (later.outcome === 'acked') invariant('a later redelivery is answered as a duplicate', later.body?.outcome === 'duplicate');
  } else {
    first = deliverReliably(rt, payload);
    settle(first, ['acked'], 'signed Stripe webhook is accepted', credit);
    expectThat('first webhook delivery is applied', applied(first), 'funding_webhook');
  }
  if (first.outcome !== 'acked') return pause();

  if (succeeded) {
    const seen = waitForBalance(rt, wallet.id, opening + amount, behaviour.creditTimeoutMs);
    const credited = seen !== null && seen >= opening + amount;
    expectThat('funding is credited before the timeout', credited, 'wallet_read');
    if (credited) recordFundingE2e(Date.now() - requestedAt);
    observeBalance('wallet_read', seen, opening + amount);
  } else {
    const after = readBalance(rt, wallet.id);
    if (after !== null) observeBalance('wallet_read', after, opening);
  }

  const final = attemptRead('funding_intent_read', () => rt.target.readFundingIntent(intentId));
  settle(final, ['acked'], 'funding intent can be read back');
  expectThat(succeeded ? 'paid intent ends confirmed' : 'declined intent ends failed',
    final.body?.status === (succeeded ? 'confirmed' : 'failed'), 'funding_intent_read');
}
