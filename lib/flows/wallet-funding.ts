// Scenario C: wallet funding through Stripe, 50 at once at pilot. Create a PaymentIntent on the
// platform, let the customer pay (a profile-driven delay), deliver Stripe's signed webhook
// (sometimes twice: the second must be deduplicated), then poll until the credit is visible.
// moshpit_funding_e2e_ms spans the intent request to the credited balance being readable.
import { sleep } from 'k6';
import exec from 'k6/execution';
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import { newIdempotencyKey } from '../idempotency.js';
import { recordFundingE2e, recordReplay } from '../metrics.js';
import { between, chance, pick } from '../random.js';
import { runtime, walletFor, type Runtime } from '../runtime.js';
import { newEventId, paymentIntentEvent, stripeSignatureHeader, type PaymentIntentEventType } from '../stripe-signer.js';
import type { OpResult, WebhookBody } from '../targets/index.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';

/** One delivery of a signed event; Stripe signs each delivery afresh. */
function deliver(rt: Runtime, payload: string): OpResult<WebhookBody> {
  const secret = rt.config.stripeWebhookSecret as string;
  return attemptWrite('funding_webhook', rt.profile.client, () => rt.target.deliverWebhook({ payload, signatureHeader: stripeSignatureHeader(payload, secret) }));
}

/** Polls until the wallet shows at least `expected`; returns the balance seen last (null if unreadable). */
function waitForBalance(rt: Runtime, walletId: string, expected: Cents): Cents | null {
  const { creditPollIntervalMs, creditTimeoutMs } = rt.profile.behaviour;
  const deadline = Date.now() + creditTimeoutMs;
  let seen: Cents | null = null;
  for (;;) {
    const r = attemptRead('wallet_read', () => rt.target.readWallet(walletId));
    if (r.outcome === 'acked' && r.body) seen = r.body.balance_cents;
    if ((seen !== null && seen >= expected) || Date.now() >= deadline) return seen;
    sleep(creditPollIntervalMs / 1000);
  }
}

export function walletFunding(): void {
  const rt = runtime();
  const { behaviour } = rt.profile;
  const wallet = walletFor(rt, 'funding', exec.scenario.iterationInTest, 0);

  const before = attemptRead('wallet_read', () => rt.target.readWallet(wallet.id));
  if (!settle(before, ['acked'], 'wallet read succeeds') || !before.body) return;
  const opening = before.body.balance_cents;
  if (!observeBalance('wallet_read', opening)) return;
  // A blocked wristband is not offered online top-up (the platform's rules for it are its own).
  if (before.body.status === 'blocked') return;

  const amount = pick(behaviour.fundingAmountsCents);
  const requestedAt = Date.now();
  const key = newIdempotencyKey(rt.config.runId, 'funding_intent', wallet.id);
  const intent = attemptWrite('funding_intent', rt.profile.client, () => rt.target.createFundingIntent({ walletId: wallet.id, amountCents: amount, idempotencyKey: key }));
  if (!settle(intent, ['acked'], 'funding intent is created') || !intent.body) return;
  const intentId = intent.body.intent_id;
  expectThat('new funding intent is pending for the requested amount',
    typeof intentId === 'string' && intentId.startsWith('pi_') && intent.body.status === 'pending' && intent.body.amount_cents === amount, 'funding_intent');

  sleep(between(behaviour.stripeDelayMs) / 1000);

  const type: PaymentIntentEventType = chance(behaviour.paymentFailedRate) ? 'payment_intent.payment_failed' : 'payment_intent.succeeded';
  const succeeded = type === 'payment_intent.succeeded';
  const payload = paymentIntentEvent({ eventId: newEventId(), type, intentId, amountCents: amount, walletId: wallet.id });
  const delivery = deliver(rt, payload);
  settle(delivery, ['acked'], 'signed Stripe webhook is accepted', succeeded ? amount : 0);
  if (delivery.outcome !== 'acked') return;
  expectThat('first webhook delivery is applied', delivery.body?.outcome === 'applied', 'funding_webhook');

  if (chance(behaviour.duplicateWebhookRate)) {
    // Stripe redelivers the same evt_ (at-least-once delivery): it must change nothing.
    const again = deliver(rt, payload);
    recordReplay('funding_webhook');
    expectThat('redelivered webhook is deduplicated', again.outcome === 'acked' && again.body?.outcome === 'duplicate', 'funding_webhook');
  }

  if (succeeded) {
    const seen = waitForBalance(rt, wallet.id, opening + amount);
    const credited = seen !== null && seen >= opening + amount;
    expectThat('funding is credited before the timeout', credited, 'wallet_read');
    if (credited) recordFundingE2e(Date.now() - requestedAt);
    observeBalance('wallet_read', seen, opening + amount);
  } else {
    const after = attemptRead('wallet_read', () => rt.target.readWallet(wallet.id));
    if (after.outcome === 'acked' && after.body) observeBalance('wallet_read', after.body.balance_cents, opening);
  }

  const final = attemptRead('funding_intent_read', () => rt.target.readFundingIntent(intentId));
  settle(final, ['acked'], 'funding intent can be read back');
  expectThat(succeeded ? 'paid intent ends confirmed' : 'declined intent ends failed',
    final.body?.status === (succeeded ? 'confirmed' : 'failed'), 'funding_intent_read');
}
