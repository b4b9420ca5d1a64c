// The Stripe webhook: only a valid, fresh signature over the exact body credits, and it
// credits once, however often Stripe delivers.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { call, dbFootprint, seedFestival, startTarget } from '../support/target.js';

const db = await useTestDatabase();
await seedFestival(db.pool, [{ id: 'w-fund', balanceCents: 1_000 }]);
const target = await startTarget({ databaseUrl: db.url });
afterAll(() => target.stop());

const auth = { Authorization: `Bearer ${target.apiKey}` };
let intentId = '';

function intentEvent(eventId: string, type: string, id: string): string {
  return JSON.stringify({ id: eventId, object: 'event', type, data: { object: { id, object: 'payment_intent' } } });
}

function signed(payload: string, opts: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? target.webhookSecret,
    ...(opts.timestamp !== undefined && { timestamp: opts.timestamp }),
  });
  return { 'Stripe-Signature': header };
}

async function balance(): Promise<number> {
  const res = await db.pool.query<{ b: string }>(`SELECT balance_cents::text AS b FROM wallets WHERE id = 'w-fund'`);
  return Number(res.rows[0]!.b);
}

beforeAll(async () => {
  const res = await call(target.url, 'POST', '/v1/funding-intents', {
    body: { wallet_id: 'w-fund', amount_cents: 2_500 }, headers: { ...auth, 'Idempotency-Key': 'wh-intent-1' },
  });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ intent_id: expect.stringMatching(/^pi_/), status: 'pending', amount_cents: 2_500, wallet_id: 'w-fund' });
  intentId = res.body.intent_id;
});

describe('signature checks (nothing changes on failure)', () => {
  const cases: Array<[string, () => { body: string; headers: Record<string, string> }]> = [
    ['no Stripe-Signature header', () => ({ body: intentEvent('evt_bad_1', 'payment_intent.succeeded', intentId), headers: {} })],
    ['a signature made with another secret', () => {
      const body = intentEvent('evt_bad_2', 'payment_intent.succeeded', intentId);
      return { body, headers: signed(body, { secret: 'whsec_someone_else' }) };
    }],
    ['a tampered body', () => {
      const original = intentEvent('evt_bad_3', 'payment_intent.succeeded', 'pi_someone_elses');
      return { body: intentEvent('evt_bad_3', 'payment_intent.succeeded', intentId), headers: signed(original) };
    }],
    ['a timestamp older than 300 s', () => {
      const body = intentEvent('evt_bad_4', 'payment_intent.succeeded', intentId);
      return { body, headers: signed(body, { timestamp: Math.floor(Date.now() / 1000) - 301 }) };
    }],
    ['a garbage header', () => ({ body: intentEvent('evt_bad_5', 'payment_intent.succeeded', intentId), headers: { 'Stripe-Signature': 't=abc,v1=def' } })],
  ];

  for (const path of ['/v1/webhooks/stripe', '/functions/v1/stripe-webhook']) {
    it.each(cases)(`${path}: refuses %s with 400 signature_invalid`, async (_, make) => {
      const { body, headers } = make();
      const before = await dbFootprint(db.pool);
      const res = await call(target.url, 'POST', path, { body, headers });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'signature_invalid', message: expect.any(String) } });
      expect(await dbFootprint(db.pool)).toEqual(before);
    });
  }

  it('verifies the raw bytes: the same JSON re-serialised differently fails', async () => {
    const body = intentEvent('evt_bad_6', 'payment_intent.succeeded', intentId);
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    const before = await dbFootprint(db.pool);
    const res = await call(target.url, 'POST', '/v1/webhooks/stripe', { body: reformatted, headers: signed(body) });
    expect(res.status).toBe(400);
    expect(await dbFootprint(db.pool)).toEqual(before);
  });
});

describe('delivery', () => {
  it('credits the intent amount once for a valid payment_intent.succeeded', async () => {
    const body = intentEvent('evt_ok_1', 'payment_intent.succeeded', intentId);
    const res = await call(target.url, 'POST', '/v1/webhooks/stripe', { body, headers: signed(body) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, outcome: 'applied' });
    expect(await balance()).toBe(3_500);
    const intent = await call(target.url, 'GET', `/v1/funding-intents/${intentId}`, { headers: auth });
    expect(intent.body).toEqual({ intent_id: intentId, status: 'confirmed', amount_cents: 2_500, wallet_id: 'w-fund' });
  });

  it('does not credit a duplicate delivery (same event, either surface) or a second success event', async () => {
    const body = intentEvent('evt_ok_1', 'payment_intent.succeeded', intentId);
    const again = await call(target.url, 'POST', '/v1/webhooks/stripe', { body, headers: signed(body) });
    expect(again.body).toMatchObject({ received: true, outcome: 'duplicate' });
    const viaFunction = await call(target.url, 'POST', '/functions/v1/stripe-webhook', { body, headers: signed(body) });
    expect(viaFunction.body).toMatchObject({ received: true, outcome: 'duplicate' });
    const other = intentEvent('evt_ok_2', 'payment_intent.succeeded', intentId);
    const second = await call(target.url, 'POST', '/v1/webhooks/stripe', { body: other, headers: signed(other) });
    expect(second.body).toMatchObject({ received: true, outcome: 'duplicate' });
    expect(await balance()).toBe(3_500);
  });

  it('does not credit concurrent duplicate deliveries twice', async () => {
    const created = await call(target.url, 'POST', '/v1/funding-intents', {
      body: { wallet_id: 'w-fund', amount_cents: 700 }, headers: { ...auth, 'Idempotency-Key': 'wh-intent-2' },
    });
    const body = intentEvent('evt_race_1', 'payment_intent.succeeded', created.body.intent_id);
    const results = await Promise.all(Array.from({ length: 8 }, () => call(target.url, 'POST', '/v1/webhooks/stripe', { body, headers: signed(body) })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.filter((r) => r.body.outcome === 'applied')).toHaveLength(1);
    expect(await balance()).toBe(4_200);
  });

  it('answers other event types with "ignored" and no credit', async () => {
    const body = JSON.stringify({ id: 'evt_other_1', object: 'event', type: 'charge.refunded', data: { object: { id: 'ch_1', object: 'charge' } } });
    const res = await call(target.url, 'POST', '/v1/webhooks/stripe', { body, headers: signed(body) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, outcome: 'ignored' });
    expect(await balance()).toBe(4_200);
  });

  it('refuses a signed body that is not JSON with 400 malformed_json', async () => {
    const body = 'this is not json';
    const res = await call(target.url, 'POST', '/v1/webhooks/stripe', { body, headers: signed(body) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
  });
});
