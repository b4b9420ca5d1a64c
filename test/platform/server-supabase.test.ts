// The Supabase surface end to end through the real supabase-js client: rpc() (POST and GET)
// and functions.invoke() for both edge functions.
import { createClient, FunctionsHttpError } from '@supabase/supabase-js';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { seedFestival, startTarget } from '../support/target.js';

const db = await useTestDatabase();
await seedFestival(db.pool, [{ id: 'w-sb', balanceCents: 1_000 }, { id: 'w-sb-poor', balanceCents: 100 }]);
const target = await startTarget({ databaseUrl: db.url });
afterAll(() => target.stop());

// Node 20 has no global WebSocket and the target has no Realtime: a transport that refuses.
class NoRealtime { constructor() { throw new Error('the moshpit target has no Realtime'); } }
const clientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: { transport: NoRealtime as unknown as typeof WebSocket },
};
const supabase = createClient(target.url, target.apiKey, clientOptions);

describe('supabase-js rpc()', () => {
  it('runs a write and returns the procedure result with its status', async () => {
    const { data, error, status } = await supabase.rpc('sp_process_checkpoint_recharge', {
      p_idempotency_key: 'sb-recharge-1', p_wallet_id: 'w-sb', p_amount_cents: 2_000, p_checkpoint_id: 'cp-1', p_method: 'card',
    });
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toMatchObject({ ok: true, http_status: 201, recharge_id: expect.any(String), balance_cents: 3_000 });
  });

  it('reads with POST and with GET', async () => {
    const viaPost = await supabase.rpc('get_wallet', { p_wallet_id: 'w-sb' });
    const viaGet = await supabase.rpc('get_wallet', { p_wallet_id: 'w-sb' }, { get: true });
    expect(viaPost.data).toMatchObject({ ok: true, wallet_id: 'w-sb', balance_cents: 3_000, inside: false, entry_count: 0 });
    expect(viaGet.data).toEqual(viaPost.data);
  });

  it('runs a gate scan and replays it', async () => {
    const args = { p_idempotency_key: 'sb-entry-1', p_wallet_id: 'w-sb', p_gateway_id: 'g-north', p_direction: 'entry' };
    const first = await supabase.rpc('sp_process_gate_scan', args);
    expect(first.data).toMatchObject({ ok: true, result: 'admitted', entry_number: 1 });
    const again = await supabase.rpc('sp_process_gate_scan', args);
    expect(again.data).toEqual({ ...first.data, replayed: true });
  });

  it('surfaces a definite rejection as an error with the procedure code and status', async () => {
    const { data, error, status } = await supabase.rpc('sp_process_bar_order', {
      p_idempotency_key: 'sb-order-poor', p_wallet_id: 'w-sb-poor', p_terminal_id: 't-bar-1', p_items: [{ product_id: 'p-beer', quantity: 1 }],
    });
    expect(data).toBeNull();
    expect(status).toBe(402);
    expect(error).toMatchObject({ code: 'insufficient_funds', message: expect.any(String) });
  });

  it('answers an unexposed function with 404 not_found', async () => {
    const { error, status } = await supabase.rpc('sp_process_stripe_recharge', { p_event_id: 'evt_1', p_event_type: 'x', p_intent_id: 'pi_1' });
    expect(status).toBe(404);
    expect(error).toMatchObject({ code: 'not_found' });
  });

  it('answers a client with the wrong key with 401', async () => {
    const wrong = createClient(target.url, 'not-the-key', clientOptions);
    const { error, status } = await wrong.rpc('get_wallet', { p_wallet_id: 'w-sb' });
    expect(status).toBe(401);
    expect(error).toMatchObject({ code: 'unauthorized' });
  });
});

describe('supabase-js functions.invoke()', () => {
  it('creates a funding intent, and the webhook function credits it', async () => {
    const created = await supabase.functions.invoke('create-funding-intent', {
      body: { wallet_id: 'w-sb', amount_cents: 1_500 },
      headers: { 'Idempotency-Key': 'sb-intent-1' },
    });
    expect(created.error).toBeNull();
    expect(created.data).toMatchObject({ intent_id: expect.stringMatching(/^pi_/), status: 'pending', amount_cents: 1_500, wallet_id: 'w-sb' });

    const payload = JSON.stringify({
      id: 'evt_sb_1', object: 'event', type: 'payment_intent.succeeded',
      data: { object: { id: created.data.intent_id, object: 'payment_intent' } },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: target.webhookSecret });
    const delivered = await supabase.functions.invoke('stripe-webhook', {
      body: payload,
      headers: { 'Stripe-Signature': signature, 'Content-Type': 'application/json' },
    });
    expect(delivered.error).toBeNull();
    expect(delivered.data).toMatchObject({ received: true, outcome: 'applied' });

    const wallet = await supabase.rpc('get_wallet', { p_wallet_id: 'w-sb' });
    expect(wallet.data.balance_cents).toBe(3_000 + 1_500);
  });

  it('reports failures as FunctionsHttpError with the JSON error body', async () => {
    const { error } = await supabase.functions.invoke('create-funding-intent', {
      body: { wallet_id: 'w-sb', amount_cents: 12.5 },
      headers: { 'Idempotency-Key': 'sb-intent-bad' },
    });
    expect(error).toBeInstanceOf(FunctionsHttpError);
    const response = (error as FunctionsHttpError).context as Response;
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});
