// lib/stripe-signer.ts runs inside k6; its signatures must pass the official Stripe library's
// verification (what a real platform's webhook handler runs), and a tampered payload must not.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k6Binary, runK6 } from './k6-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'mp-k6-signer-'));
const secret = 'whsec_moshpit_test_0123456789abcdef';
const stripe = new Stripe('sk_test_moshpit_unused');

interface Signed { payload: string; header: string; failedPayload: string; failedHeader: string; eventId: string }
let signed: Signed;

beforeAll(async () => {
  const signer = resolve(import.meta.dirname, '../../lib/stripe-signer.ts');
  const entry = join(work, 'sign.ts');
  writeFileSync(entry, `
import { newEventId, paymentIntentEvent, stripeSignatureHeader } from ${JSON.stringify(signer)};
export const options = { iterations: 1, vus: 1 };
export default function () {}
export function handleSummary() {
  const eventId = newEventId();
  const payload = paymentIntentEvent({ eventId, type: 'payment_intent.succeeded', intentId: 'pi_test123', amountCents: 2500, walletId: 'k6-test-w-000001' });
  const failedPayload = paymentIntentEvent({ eventId: newEventId(), type: 'payment_intent.payment_failed', intentId: 'pi_test456', amountCents: 1000, walletId: 'k6-test-w-000002' });
  return { [__ENV.OUT]: JSON.stringify({ eventId, payload, header: stripeSignatureHeader(payload, __ENV.SECRET),
    failedPayload, failedHeader: stripeSignatureHeader(failedPayload, __ENV.SECRET) }) };
}
`);
  const bundle = join(work, 'sign.js');
  await build({ entryPoints: [entry], outfile: bundle, bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', external: ['k6', 'k6/*'], logLevel: 'silent' });
  const out = join(work, 'signed.json');
  const r = await runK6(await k6Binary(), ['run', '--no-usage-report', '--quiet', bundle], { OUT: out, SECRET: secret });
  expect(r.code, r.stderr).toBe(0);
  signed = JSON.parse(readFileSync(out, 'utf8')) as Signed;
}, 900_000); // resolveTool may build k6 from source on a fresh machine

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Stripe webhook signatures made in k6', () => {
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
