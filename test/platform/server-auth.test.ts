// API key auth on both surfaces: missing or wrong credentials are 401 and change nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { call, dbFootprint, seedFestival, startTarget } from '../support/target.js';

const db = await useTestDatabase();
await seedFestival(db.pool, [{ id: 'w-auth', balanceCents: 10_000 }]);
const target = await startTarget({ databaseUrl: db.url });
afterAll(() => target.stop());

const recharge = { wallet_id: 'w-auth', amount_cents: 500, checkpoint_id: 'cp-1', method: 'cash' };
const rpcRecharge = { p_idempotency_key: 'auth-rpc-1', p_wallet_id: 'w-auth', p_amount_cents: 500, p_checkpoint_id: 'cp-1', p_method: 'cash' };

describe('REST surface', () => {
  it.each([
    ['no credentials', {}],
    ['a wrong bearer token', { Authorization: 'Bearer not-the-key' }],
    ['a wrong X-Api-Key', { 'X-Api-Key': 'not-the-key' }],
    ['a non-bearer Authorization', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['a right key next to a wrong one', { 'X-Api-Key': 'PLACEHOLDER', Authorization: 'Bearer wrong' }],
    ['the Supabase apikey header only', { apikey: 'PLACEHOLDER' }],
  ])('refuses a write with %s: 401 unauthorized, nothing changes', async (_, rawHeaders) => {
    const headers = Object.fromEntries(Object.entries(rawHeaders).map(([k, v]) => [k, v.replace('PLACEHOLDER', target.apiKey)]));
    const before = await dbFootprint(db.pool);
    const res = await call(target.url, 'POST', '/v1/recharges', { body: recharge, headers: { ...headers, 'Idempotency-Key': 'auth-rest-1' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(await dbFootprint(db.pool)).toEqual(before);
  });

  it('refuses reads without the key', async () => {
    expect((await call(target.url, 'GET', '/v1/wallets/w-auth')).status).toBe(401);
    expect((await call(target.url, 'GET', '/v1/funding-intents/pi_123')).status).toBe(401);
  });

  it('accepts Authorization: Bearer and X-Api-Key', async () => {
    const viaBearer = await call(target.url, 'GET', '/v1/wallets/w-auth', { headers: { Authorization: `Bearer ${target.apiKey}` } });
    const viaHeader = await call(target.url, 'GET', '/v1/wallets/w-auth', { headers: { 'X-Api-Key': target.apiKey } });
    expect(viaBearer.status).toBe(200);
    expect(viaHeader.body).toEqual(viaBearer.body);
    expect(viaHeader.body).toMatchObject({ wallet_id: 'w-auth', balance_cents: 10_000 });
  });

  it('needs no key for health', async () => {
    const res = await call(target.url, 'GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok', defects: [] });
  });

  it('does not let the API key stand in for a Stripe signature', async () => {
    const res = await call(target.url, 'POST', '/v1/webhooks/stripe', {
      body: { id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } },
      headers: { Authorization: `Bearer ${target.apiKey}` },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('signature_invalid');
  });
});

describe('Supabase surface', () => {
  it.each([
    ['no credentials', {}],
    ['a wrong apikey', { apikey: 'not-the-key' }],
    ['a right apikey with a wrong bearer', { apikey: 'PLACEHOLDER', Authorization: 'Bearer wrong' }],
    ['the REST X-Api-Key header only', { 'X-Api-Key': 'PLACEHOLDER' }],
    ['a right bearer but no apikey', { Authorization: 'Bearer PLACEHOLDER' }],
  ])('refuses an RPC write with %s: 401, PostgREST-style body, nothing changes', async (_, rawHeaders) => {
    const headers = Object.fromEntries(Object.entries(rawHeaders).map(([k, v]) => [k, v.replace('PLACEHOLDER', target.apiKey)]));
    const before = await dbFootprint(db.pool);
    const res = await call(target.url, 'POST', '/rest/v1/rpc/sp_process_checkpoint_recharge', { body: rpcRecharge, headers });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ ok: false, http_status: 401, code: 'unauthorized' });
    expect(await dbFootprint(db.pool)).toEqual(before);
  });

  it('refuses the create-funding-intent function without the key', async () => {
    const before = await dbFootprint(db.pool);
    const res = await call(target.url, 'POST', '/functions/v1/create-funding-intent', {
      body: { wallet_id: 'w-auth', amount_cents: 1000 },
      headers: { 'Idempotency-Key': 'auth-fn-1', apikey: 'wrong' },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(await dbFootprint(db.pool)).toEqual(before);
  });

  it('accepts apikey alone, and apikey with a matching bearer', async () => {
    const alone = await call(target.url, 'POST', '/rest/v1/rpc/get_wallet', { body: { p_wallet_id: 'w-auth' }, headers: { apikey: target.apiKey } });
    const both = await call(target.url, 'POST', '/rest/v1/rpc/get_wallet', {
      body: { p_wallet_id: 'w-auth' }, headers: { apikey: target.apiKey, Authorization: `Bearer ${target.apiKey}` },
    });
    expect(alone.status).toBe(200);
    expect(both.body).toEqual(alone.body);
  });
});
