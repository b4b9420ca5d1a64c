// Plays Stripe's part of wallet funding: builds PaymentIntent events and signs them the way
// Stripe does (Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed by the
// whsec_ secret>), so the target's real signature check runs. The HMAC is the engine's
// (LoadPort.hmacSha256Hex). Verified against the official stripe package in
// test/k6/stripe-signer.test.ts.
import type { LoadPort } from '../core/load-port.js';
import { randomToken } from './random.js';

export type PaymentIntentEventType = 'payment_intent.succeeded' | 'payment_intent.payment_failed';

export interface PaymentIntentEventInput {
  eventId: string;
  type: PaymentIntentEventType;
  intentId: string;
  amountCents: number;
  walletId: string;
  currency?: string;
  createdSeconds?: number;
}

const API_VERSION = '2024-06-20';

export function newEventId(): string {
  return `evt_${randomToken(24)}`;
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The header Stripe sends with one delivery of payload (re-signed on every delivery). */
export function stripeSignatureHeader(port: Pick<LoadPort, 'hmacSha256Hex'>, payload: string, secret: string, timestampSeconds: number = unixSeconds()): string {
  const signature = port.hmacSha256Hex(secret, `${timestampSeconds}.${payload}`);
  return `t=${timestampSeconds},v1=${signature}`;
}

/** A payment_intent.* event as Stripe would deliver it, serialized once (the signed bytes). */
export function paymentIntentEvent(input: PaymentIntentEventInput): string {
  const created = input.createdSeconds ?? unixSeconds();
  const succeeded = input.type === 'payment_intent.succeeded';
  const intent = {
    id: input.intentId,
    object: 'payment_intent',
    amount: input.amountCents,
    amount_capturable: 0,
    amount_received: succeeded ? input.amountCents : 0,
    capture_method: 'automatic',
    confirmation_method: 'automatic',
    created,
    currency: input.currency ?? 'eur',
    last_payment_error: succeeded
      ? null
      : { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', type: 'card_error' },
    livemode: false,
    metadata: { wallet_id: input.walletId },
    payment_method_types: ['card'],
    status: succeeded ? 'succeeded' : 'requires_payment_method',
  };
  return JSON.stringify({
    id: input.eventId,
    object: 'event',
    api_version: API_VERSION,
    created,
    data: { object: intent },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: input.type,
  });
}
