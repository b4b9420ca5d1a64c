// The edge functions' logic (platform/edge-functions, what supabase/functions/* run in Deno),
// run on Node with the official stripe package against the real procedures, and compared with
// the embedded server's /functions/v1/* routes: the same requests get the same answers.
// Each side has its own database with the same seed, so replays and credits line up.
import Stripe from 'stripe';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCreateFundingIntent, handleStripeWebhook, postgrestRpc, type Rpc } from '../../platform/edge-functions/index.js';
import { useTestDatabase } from '../support/db.js';
import { startTarget, type RunningTarget } from '../support/target.js';

const serverDb = await useTestDatabase();
const edgeDb = await useTestDatabase();
let target: RunningTarget;

/** PostgREST's call, made directly: SELECT fn(name => value, ...) on the real database. */
function pgRpc(pool: pg.Pool): Rpc {
  return async (fn, args) => {
    if (!/^[a-z_]+$/.test(fn)) throw new Error(`bad function ${fn}`);
    const names = Object.keys(args);
    const sql = `SELECT ${fn}(${names.map((n, i) => `${n} => $${i + 1}`).join(', ')}) AS r`;
    return (await pool.query(sql, Object.values(args))).rows[0].r;
  };
}

beforeAll(async () => {
  for (const db of [serverDb, edgeDb]) {
    await db.pool.query(`INSERT INTO wallets (id, balance_cents, opening_balance_cents) VALUES ('edge-w1', 1000, 1000), ('edge-w2', 0, 0)`);
    await db.pool.query(`INSERT INTO wallets (id, status, balance_cents, opening_balance_cents) VALUES ('edge-blocked', 'blocked', 0, 0)`);
  }
  target = await startTarget({ databaseUrl: serverDb.url });
});
afterAll(async () => { await target?.stop(); });

interface Answer { status: number; body: unknown; replayed: string | null; allow: string | null }

async function read(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* compared as text */ }
  return { status: res.status, body, replayed: res.headers.get('idempotent-replayed'), allow: res.headers.get('allow') };
}

interface Call { method?: string; headers?: Record<string, string>; body?: string }

const serverCall = async (fn: string, c: Call) => read(await fetch(`${target.url}/functions/v1/${fn}`, {
  method: c.method ?? 'POST',
  headers: { apikey: target.apiKey, ...c.headers },
  ...(c.body !== undefined && { body: c.body }),
}));

const edgeRequest = (fn: string, c: Call) => new Request(`http://edge.invalid/functions/v1/${fn}`, {
  method: c.method ?? 'POST', headers: c.headers ?? {}, ...(c.body !== undefined && { body: c.body }),
});

const edgeIntent = async (c: Call) => read(await handleCreateFundingIntent(edgeRequest('create-funding-intent', c), { rpc: pgRpc(edgeDb.pool) }));
const edgeWebhook = async (c: Call) => read(await handleStripeWebhook(edgeRequest('stripe-webhook', c), {
  stripe: Stripe, webhookSecret: target.webhookSecret, rpc: pgRpc(edgeDb.pool),
}));

/** Intent ids are random per database: compared by role, not by value. */
function normalize(a: Answer, ids: Record<string, string>): Answer {
  let text = JSON.stringify(a.body);
  for (const [id, name] of Object.entries(ids)) text = text.split(id).join(name);
  return { ...a, body: JSON.parse(text) };
}

const intentCalls: Array<[string, Call]> = [
  ['created', { headers: { 'Idempotency-Key': 'edge-k1', 'Content-Type': 'application/json' }, body: '{"wallet_id":"edge-w1","amount_cents":500}' }],
  ['replayed', { headers: { 'Idempotency-Key': 'edge-k1' }, body: '{"wallet_id":"edge-w1","amount_cents":500}' }],
  ['key reused with another amount', { headers: { 'Idempotency-Key': 'edge-k1' }, body: '{"wallet_id":"edge-w1","amount_cents":501}' }],
  ['no key', { body: '{"wallet_id":"edge-w1","amount_cents":500}' }],
  ['unknown field', { headers: { 'Idempotency-Key': 'edge-k2' }, body: '{"wallet_id":"edge-w1","amount_cents":500,"balance_cents":1}' }],
  ['fractional amount', { headers: { 'Idempotency-Key': 'edge-k3' }, body: '{"wallet_id":"edge-w1","amount_cents":12.5}' }],
  ['amount as a string', { headers: { 'Idempotency-Key': 'edge-k4' }, body: '{"wallet_id":"edge-w1","amount_cents":"500"}' }],
  ['amount 0', { headers: { 'Idempotency-Key': 'edge-k5' }, body: '{"wallet_id":"edge-w1","amount_cents":0}' }],
  ['malformed JSON', { headers: { 'Idempotency-Key': 'edge-k6' }, body: '{"wallet_id":' }],
  ['NUL in the wallet id', { headers: { 'Idempotency-Key': 'edge-k7' }, body: '{"wallet_id":"edge\\u0000w1","amount_cents":500}' }],
  ['unknown wallet', { headers: { 'Idempotency-Key': 'edge-k8' }, body: '{"wallet_id":"edge-nobody","amount_cents":500}' }],
  ['blocked wallet', { headers: { 'Idempotency-Key': 'edge-k9' }, body: '{"wallet_id":"edge-blocked","amount_cents":500}' }],
  ['body over 64 KiB', { headers: { 'Idempotency-Key': 'edge-k10' }, body: JSON.stringify({ wallet_id: 'x'.repeat(70_000), amount_cents: 1 }) }],
  ['GET', { method: 'GET' }],
  ['second intent', { headers: { 'Idempotency-Key': 'edge-k11' }, body: '{"wallet_id":"edge-w2","amount_cents":700}' }],
];

const intentIds: { server: Record<string, string>; edge: Record<string, string> } = { server: {}, edge: {} };

describe('create-funding-intent: the edge function answers like the embedded route', () => {
  for (const [i, [what, c]] of intentCalls.entries()) {
    it(what, async () => {
      const server = await serverCall('create-funding-intent', c);
      const edge = await edgeIntent(c);
      for (const [side, a] of [['server', server], ['edge', edge]] as const) {
        const id = (a.body as { intent_id?: unknown }).intent_id;
        if (typeof id === 'string' && a.replayed === null) intentIds[side][id] = `pi_${i}`;
      }
      expect(normalize(edge, intentIds.edge)).toEqual(normalize(server, intentIds.server));
      expect(server.status).toBeGreaterThanOrEqual(200); // both sides answered something comparable
    });
  }
  it('covered successes and every kind of refusal', () => {
    expect(Object.keys(intentIds.server)).toHaveLength(2);
  });
});

/** The intent a side created for `role` (pi_0: edge-w1 500, pi_14: edge-w2 700). */
const intentOf = (side: 'server' | 'edge', role: string) => Object.entries(intentIds[side]).find(([, r]) => r === role)![0];

function signed(payload: string, secret = target.webhookSecret, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'Stripe-Signature': Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }), 'Content-Type': 'application/json' };
}
const event = (id: string, type: string, intentId: string | null) =>
  JSON.stringify({ id, object: 'event', type, data: { object: intentId === null ? { object: 'charge' } : { id: intentId, object: 'payment_intent' } } });

type WebhookCase = [string, (side: 'server' | 'edge') => Call];
const webhookCases: WebhookCase[] = [
  ['payment_intent.succeeded credits the intent', (s) => { const p = event('evt_edge_1', 'payment_intent.succeeded', intentOf(s, 'pi_0')); return { headers: signed(p), body: p }; }],
  ['the same event again is a duplicate', (s) => { const p = event('evt_edge_1', 'payment_intent.succeeded', intentOf(s, 'pi_0')); return { headers: signed(p), body: p }; }],
  ['a failure after the success is superseded', (s) => { const p = event('evt_edge_2', 'payment_intent.payment_failed', intentOf(s, 'pi_0')); return { headers: signed(p), body: p }; }],
  ['a failure of a pending intent fails it', (s) => { const p = event('evt_edge_3', 'payment_intent.payment_failed', intentOf(s, 'pi_14')); return { headers: signed(p), body: p }; }],
  ['signed with another secret', (s) => { const p = event('evt_edge_4', 'payment_intent.succeeded', intentOf(s, 'pi_14')); return { headers: signed(p, 'whsec_other'), body: p }; }],
  ['signed more than 300 s ago', (s) => { const p = event('evt_edge_5', 'payment_intent.succeeded', intentOf(s, 'pi_14')); return { headers: signed(p, undefined, Math.floor(Date.now() / 1000) - 600), body: p }; }],
  ['no signature', (s) => ({ body: event('evt_edge_6', 'payment_intent.succeeded', intentOf(s, 'pi_14')) })],
  ['unknown intent', () => { const p = event('evt_edge_7', 'payment_intent.succeeded', 'pi_nobody'); return { headers: signed(p), body: p }; }],
  ['other event types are ignored', () => { const p = event('evt_edge_8', 'charge.succeeded', null); return { headers: signed(p), body: p }; }],
  ['signed but not JSON', () => { const p = '{"id": "evt_edge_9", '; return { headers: signed(p), body: p }; }],
  ['a payment_intent event without data.object.id', () => { const p = event('evt_edge_10', 'payment_intent.succeeded', null); return { headers: signed(p), body: p }; }],
  ['a control character in the event id', (s) => { const p = event('evt_edge\u000111', 'payment_intent.succeeded', intentOf(s, 'pi_14')); return { headers: signed(p), body: p }; }],
  ['GET', () => ({ method: 'GET' })],
];

describe('stripe-webhook: the edge function answers like the embedded route', () => {
  for (const [what, build] of webhookCases) {
    it(what, async () => {
      const server = await serverCall('stripe-webhook', build('server'));
      const edge = await edgeWebhook(build('edge'));
      expect(normalize(edge, intentIds.edge)).toEqual(normalize(server, intentIds.server));
    });
  }

  it('the money ended the same on both sides: one credit of 500 on edge-w1', async () => {
    for (const db of [serverDb, edgeDb]) {
      const r = await db.pool.query(`SELECT id, balance_cents FROM wallets WHERE id LIKE 'edge-%' ORDER BY id`);
      expect(r.rows.map((w) => [w.id, Number(w.balance_cents)])).toEqual([['edge-blocked', 0], ['edge-w1', 1500], ['edge-w2', 0]]);
    }
  });
});

describe('postgrestRpc', () => {
  it('calls a procedure through a PostgREST-style RPC surface (the embedded one) and returns its result', async () => {
    const rpc = postgrestRpc(target.url, target.apiKey);
    const res = await handleCreateFundingIntent(edgeRequest('create-funding-intent', {
      headers: { 'Idempotency-Key': 'edge-rpc-1' }, body: '{"wallet_id":"edge-w2","amount_cents":300}',
    }), { rpc });
    const a = await read(res);
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ status: 'pending', amount_cents: 300, wallet_id: 'edge-w2', intent_id: expect.stringMatching(/^pi_/) });
    const refused = await read(await handleCreateFundingIntent(edgeRequest('create-funding-intent', {
      headers: { 'Idempotency-Key': 'edge-rpc-2' }, body: '{"wallet_id":"edge-nobody","amount_cents":300}',
    }), { rpc }));
    expect(refused).toMatchObject({ status: 404, body: { error: { code: 'wallet_not_found' } } });
  });

  it('an unreachable database is 503 unavailable, not a crash', async () => {
    const errors: unknown[] = [];
    const res = await handleCreateFundingIntent(edgeRequest('create-funding-intent', {
      headers: { 'Idempotency-Key': 'edge-rpc-3' }, body: '{"wallet_id":"edge-w2","amount_cents":300}',
    }), { rpc: postgrestRpc('http://127.0.0.1:1', 'unused-key'), onInternalError: (e) => errors.push(e) });
    expect(await read(res)).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    expect(errors).toHaveLength(1);
  });
});
