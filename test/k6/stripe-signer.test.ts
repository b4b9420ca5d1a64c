// lib/stripe-signer.ts signs with the engine's HMAC (LoadPort.hmacSha256Hex); its signatures
// must pass the official Stripe library's verification (what a real platform's webhook handler
// runs), and a tampered payload must not. Signed here with a Node HMAC, which is what the
// k6 binding's k6/crypto hmac('sha256', key, data, 'hex') computes too.
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { newEventId, paymentIntentEvent, stripeSignatureHeader } from '../../lib/stripe-signer.js';

const secret = 'whsec_moshpit_test_0123456789abcdef';
const stripe = new Stripe('sk_test_moshpit_unused');
const port = { hmacSha256Hex: (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex') };

interface Signed { payload: string; header: string; failedPayload: string; failedHeader: string; eventId: string }
let signed: Signed;

beforeAll(() => {
  const eventId = newEventId();
  const payload = paymentIntentEvent({ eventId, type: 'payment_intent.succeeded', intentId: 'pi_test123', amountCents: 2500, walletId: 'k6-test-w-000001' });
  const failedPayload = paymentIntentEvent({ eventId: newEventId(), type: 'payment_intent.payment_failed', intentId: 'pi_test456', amountCents: 1000, walletId: 'k6-test-w-000002' });
  signed = { eventId, payload, header: stripeSignatureHeader(port, payload, secret), failedPayload, failedHeader: stripeSignatureHeader(port, failedPayload, secret) };
});

describe('Stripe webhook signatures made through the port', () => {
  it('verify with the official stripe library', () => {
    const event = stripe.webhooks.constructEvent(signed.payload, signed.header, secret);
    expect(event.id).toBe(signed.eventId);
    expect(event.id).toMatch(/^evt_[A-Za-z0-9]{24}$/);
    expect(event.type).toBe('payment_intent.succeeded');
    const intent = event.data.object as Stripe.PaymentIntent;
    expect(intent).toMatchObject({ id: 'pi_test123', object: 'payment_intent', amount: 2500, amount_received: 2500, status: 'succeeded', currency: 'eur' });
    expect(intent.metadata).toEqual({ wallet_id: 'k6-test-w-000001' });
  });

  it('have the t=<unix>,v1=<hex sha256> shape with a current timestamp', () => {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signed.header);
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(120);
  });

  it('payment_failed events verify too and carry a decline', () => {
    const event = stripe.webhooks.constructEvent(signed.failedPayload, signed.failedHeader, secret);
    expect(event.type).toBe('payment_intent.payment_failed');
    const intent = event.data.object as Stripe.PaymentIntent;
    expect(intent.status).toBe('requires_payment_method');
    expect(intent.amount_received).toBe(0);
    expect(intent.last_payment_error?.code).toBe('card_declined');
  });

  it('a tampered payload is rejected', () => {
    const tampered = signed.payload.replace('"amount":2500', '"amount":250000');
    expect(tampered).not.toBe(signed.payload);
    expect(() => stripe.webhooks.constructEvent(tampered, signed.header, secret)).toThrow(/signature/i);
  });

  it('a different secret is rejected', () => {
    expect(() => stripe.webhooks.constructEvent(signed.payload, signed.header, 'whsec_someone_else')).toThrow(/signature/i);
  });
});
