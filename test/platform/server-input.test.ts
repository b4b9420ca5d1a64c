// Bad input is refused before the database (4xx with a code, no footprint); idempotency headers
// behave as platform/API.md says; unknown routes and methods are 404/405.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { call, dbFootprint, readRequestLog, seedFestival, startTarget } from '../support/target.js';

const db = await useTestDatabase();
await seedFestival(db.pool, [{ id: 'w-in', balanceCents: 20_000 }]);
const target = await startTarget({ databaseUrl: db.url });
afterAll(() => target.stop());

const rest = (key?: string) => ({ Authorization: `Bearer ${target.apiKey}`, ...(key && { 'Idempotency-Key': key }) });
const supa = () => ({ apikey: target.apiKey });
const rest_ = rest;
const okRecharge = { wallet_id: 'w-in', amount_cents: 500, checkpoint_id: 'cp-1', method: 'cash' };

function withoutAudit(footprint: Record<string, string>): Record<string, string> {
  const { audit: _audit, ...others } = footprint;
  return others;
}

/** A chunked upload (no Content-Length), so the limit must be enforced while streaming. */
function postChunked(path: string, chunks: string[]): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${target.url}${path}`, {
      method: 'POST',
      headers: { ...rest('in-chunked'), 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

async function expectRefusedWithoutChange(send: () => Promise<{ status: number; body: any }>, status: number, code: string, shape: 'rest' | 'rpc' = 'rest') {
  const before = await dbFootprint(db.pool);
  const res = await send();
  expect(res.status).toBe(status);
  if (shape === 'rest') expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  else expect(res.body).toMatchObject({ ok: false, http_status: status, code });
  expect(await dbFootprint(db.pool)).toEqual(before);
  return res;
}

describe('malformed and mistyped bodies', () => {
  it('answers malformed JSON with 400 malformed_json on both surfaces', async () => {
    await expectRefusedWithoutChange(() => call(target.url, 'POST', '/v1/recharges', { body: '{"wallet_id": "w-in",', headers: rest('in-mal-1') }), 400, 'malformed_json');
    await expectRefusedWithoutChange(() => call(target.url, 'POST', '/rest/v1/rpc/sp_process_checkpoint_recharge', { body: 'not json', headers: supa() }), 400, 'malformed_json', 'rpc');
  });

  it.each([
    ['a float', 12.5],
    ['a numeric string', '12'],
    ['a negative amount', -500],
    ['zero', 0],
    ['null', null],
    ['an unsafe integer', 2 ** 60],
    ['a boolean', true],
  ])('refuses amount_cents as %s with 400 validation_failed', async (_, amount) => {
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/v1/recharges', { body: { ...okRecharge, amount_cents: amount }, headers: rest(`in-amt-${String(amount)}`) }),
      400, 'validation_failed',
    );
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/rest/v1/rpc/sp_create_funding_intent', {
        body: { p_idempotency_key: `in-rpc-amt-${String(amount)}`, p_wallet_id: 'w-in', p_amount_cents: amount }, headers: supa(),
      }),
      400, 'validation_failed', 'rpc',
    );
  });

  it.each([
    ['a missing wallet_id', { amount_cents: 500, checkpoint_id: 'cp-1', method: 'cash' }],
    ['a numeric wallet_id', { ...okRecharge, wallet_id: 42 }],
    ['a blank wallet_id', { ...okRecharge, wallet_id: '   ' }],
    ['an unknown method', { ...okRecharge, method: 'bitcoin' }],
    ['an unknown field', { ...okRecharge, tip_cents: 100 }],
    ['an array body', [okRecharge]],
  ])('refuses a recharge with %s', async (_, body) => {
    await expectRefusedWithoutChange(() => call(target.url, 'POST', '/v1/recharges', { body, headers: rest('in-shape') }), 400, 'validation_failed');
  });

  it.each([
    ['no items', []],
    ['a zero quantity', [{ product_id: 'p-beer', quantity: 0 }]],
    ['a fractional quantity', [{ product_id: 'p-beer', quantity: 1.5 }]],
    ['a string quantity', [{ product_id: 'p-beer', quantity: '2' }]],
    ['an extra line field', [{ product_id: 'p-beer', quantity: 1, price_cents: 1 }]],
    ['items as an object', { product_id: 'p-beer', quantity: 1 }],
  ])('refuses an order with %s (REST and RPC alike)', async (_, items) => {
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/v1/orders', { body: { wallet_id: 'w-in', terminal_id: 't-bar-1', items }, headers: rest('in-items') }),
      400, 'validation_failed',
    );
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/rest/v1/rpc/sp_process_bar_order', {
        body: { p_idempotency_key: 'in-items-rpc', p_wallet_id: 'w-in', p_terminal_id: 't-bar-1', p_items: items }, headers: supa(),
      }),
      400, 'validation_failed', 'rpc',
    );
  });

  it('refuses unknown RPC arguments the same way as unknown REST fields', async () => {
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/rest/v1/rpc/get_wallet', { body: { p_wallet_id: 'w-in', p_extra: 1 }, headers: supa() }),
      400, 'validation_failed', 'rpc',
    );
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const huge = { ...okRecharge, checkpoint_id: 'x'.repeat(70 * 1024) };
    await expectRefusedWithoutChange(() => call(target.url, 'POST', '/v1/recharges', { body: huge, headers: rest('in-huge') }), 413, 'payload_too_large');
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/rest/v1/rpc/sp_process_checkpoint_recharge', { body: { ...huge, p_idempotency_key: 'x' }, headers: supa() }),
      413, 'payload_too_large', 'rpc',
    );
    const chunks = ['{"wallet_id":"w-in","checkpoint_id":"', ...Array.from({ length: 10 }, () => 'y'.repeat(8 * 1024)), '"}'];
    await expectRefusedWithoutChange(() => postChunked('/v1/recharges', chunks), 413, 'payload_too_large');
    // The server is still serving.
    expect((await call(target.url, 'GET', '/v1/health')).status).toBe(200);
  });

  it('refuses a bad wallet id in the path', async () => {
    await expectRefusedWithoutChange(() => call(target.url, 'GET', '/v1/wallets/%E0%A4%A', { headers: rest() }), 400, 'validation_failed');
  });
});

describe('idempotency headers', () => {
  it('requires a key for every write: 400 idempotency_key_missing', async () => {
    await expectRefusedWithoutChange(() => call(target.url, 'POST', '/v1/recharges', { body: okRecharge, headers: rest() }), 400, 'idempotency_key_missing');
    await expectRefusedWithoutChange(() => call(target.url, 'POST', '/v1/recharges', { body: okRecharge, headers: rest('  ') }), 400, 'idempotency_key_missing');
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/rest/v1/rpc/sp_process_gate_scan', {
        body: { p_wallet_id: 'w-in', p_gateway_id: 'g-north', p_direction: 'entry' }, headers: supa(),
      }),
      400, 'idempotency_key_missing', 'rpc',
    );
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/functions/v1/create-funding-intent', { body: { wallet_id: 'w-in', amount_cents: 100 }, headers: supa() }),
      400, 'idempotency_key_missing',
    );
  });

  it('refuses keys longer than 255 characters', async () => {
    await expectRefusedWithoutChange(() => call(target.url, 'POST', '/v1/recharges', { body: okRecharge, headers: rest('k'.repeat(256)) }), 400, 'validation_failed');
  });

  it('replays a completed key: same status and body, "replayed": true and the Idempotent-Replayed header', async () => {
    const first = await call(target.url, 'POST', '/v1/recharges', { body: okRecharge, headers: rest('in-replay-1') });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const before = await dbFootprint(db.pool);
    const again = await call(target.url, 'POST', '/v1/recharges', { body: okRecharge, headers: rest('in-replay-1') });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual({ ...first.body, replayed: true });
    const after = await dbFootprint(db.pool);
    expect(after.balances).toBe(before.balances);
    expect(after.recharges).toBe(before.recharges);
  });

  it('replays a rejection with its original status', async () => {
    const order = { wallet_id: 'w-in', terminal_id: 't-unknown', items: [{ product_id: 'p-beer', quantity: 1 }] };
    const first = await call(target.url, 'POST', '/v1/orders', { body: order, headers: rest('in-replay-rej') });
    expect(first.status).toBe(422);
    expect(first.body.error.code).toBe('unknown_terminal');
    const again = await call(target.url, 'POST', '/v1/orders', { body: order, headers: rest('in-replay-rej') });
    expect(again.status).toBe(422);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toMatchObject({ error: { code: 'unknown_terminal' }, replayed: true });
  });

  it('answers 422 idempotency_key_reused for the same key with a different payload; no money moves', async () => {
    await call(target.url, 'POST', '/v1/recharges', { body: okRecharge, headers: rest('in-reuse-1') });
    const before = await dbFootprint(db.pool);
    const res = await call(target.url, 'POST', '/v1/recharges', { body: { ...okRecharge, amount_cents: 900 }, headers: rest('in-reuse-1') });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('idempotency_key_reused');
    // The procedures audit every attempt, refusals included; everything else stays put.
    expect(withoutAudit(await dbFootprint(db.pool))).toEqual(withoutAudit(before));
  });
});

describe('routing', () => {
  it('answers unknown routes with 404 not_found', async () => {
    const res = await call(target.url, 'GET', '/v1/nope', { headers: rest() });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    const res = await call(target.url, 'DELETE', '/v1/orders', { headers: rest() });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.body.error.code).toBe('method_not_allowed');
    const get = await call(target.url, 'GET', '/rest/v1/rpc/sp_process_bar_order', { headers: supa() });
    expect(get.status).toBe(405);
  });

  it('exposes only the listed RPC functions (sp_process_stripe_recharge is webhook-only)', async () => {
    for (const fn of ['sp_process_stripe_recharge', 'mp_platform_fee', 'pg_sleep']) {
      await expectRefusedWithoutChange(
        () => call(target.url, 'POST', `/rest/v1/rpc/${fn}`, { body: { p_event_id: 'evt_x', p_event_type: 'payment_intent.succeeded', p_intent_id: 'pi_x' }, headers: supa() }),
        404, 'not_found', 'rpc',
      );
    }
  });
});

/** Bytes exactly as given (header values a fetch client would refuse to send); the status line and body. */
function rawRequest(head: Buffer | string, body = ''): Promise<{ status: number; body: any }> {
  const u = new URL(target.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const payload = text.slice(text.indexOf('\r\n\r\n') + 4);
      let parsed: unknown = payload;
      try { parsed = JSON.parse(payload); } catch { /* not JSON */ }
      resolve({ status, body: parsed });
    });
    socket.write(Buffer.concat([Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1'), Buffer.from(body)]));
  });
}

function rawRecharge(keyBytes: Buffer): Promise<{ status: number; body: any }> {
  const body = JSON.stringify(okRecharge);
  const head = Buffer.concat([
    Buffer.from(`POST /v1/recharges HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${target.apiKey}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\nIdempotency-Key: `),
    keyBytes,
    Buffer.from('\r\n\r\n'),
  ]);
  return rawRequest(head, body);
}

describe('control characters in string input: 400 invalid_input before the database', () => {
  const controls: Array<[string, string]> = [
    ['NUL', '\u0000'], ['SOH', '\u0001'], ['ESC', '\u001b'], ['a newline', '\n'], ['a tab', '\t'],
    ['DEL', '\u007f'], ['a C1 control (NEL)', '\u0085'], ['an unpaired surrogate', '\ud800'],
  ];

  it.each(controls)('%s in an id, a key or a field name, on both surfaces', async (_, c) => {
    const rest = [
      ['/v1/recharges', { ...okRecharge, wallet_id: `w-in${c}` }],
      ['/v1/recharges', { ...okRecharge, checkpoint_id: `cp${c}1` }],
      ['/v1/orders', { wallet_id: 'w-in', terminal_id: 't-bar-1', items: [{ product_id: `p-beer${c}`, quantity: 1 }] }],
      ['/v1/funding-intents', { wallet_id: `${c}w-in`, amount_cents: 100 }],
      ['/v1/scans/entry', { wallet_id: 'w-in', gateway_id: `g-north${c}` }],
      ['/v1/recharges', { ...okRecharge, [`method${c}`]: 'cash' }],
      ['/v1/terminals/t-bar-1/offline-orders', { orders: [{ device_order_id: `d${c}1`, device_seq: 1, wallet_id: 'w-in', items: [{ product_id: 'p-beer', quantity: 1 }] }] }],
    ] as const;
    for (const [path, body] of rest) {
      await expectRefusedWithoutChange(() => call(target.url, 'POST', path, { body, headers: rest_(`in-ctl-${path}`) }), 400, 'invalid_input');
    }
    const rpc = [
      ['sp_process_checkpoint_recharge', { p_idempotency_key: `in-ctl${c}`, p_wallet_id: 'w-in', p_amount_cents: 500, p_checkpoint_id: 'cp-1', p_method: 'cash' }],
      ['sp_process_gate_scan', { p_idempotency_key: 'in-ctl-rpc', p_wallet_id: `w-in${c}`, p_gateway_id: 'g-north', p_direction: 'entry' }],
      ['sp_process_bar_order', { p_idempotency_key: 'in-ctl-rpc', p_wallet_id: 'w-in', p_terminal_id: `t${c}`, p_items: [{ product_id: 'p-beer', quantity: 1 }] }],
      ['sp_create_funding_intent', { p_idempotency_key: 'in-ctl-rpc', p_wallet_id: 'w-in', p_amount_cents: 100, [`x${c}`]: 1 }],
      ['get_wallet', { p_wallet_id: `w-in${c}` }],
      ['get_funding_intent', { p_intent_id: `pi_${c}` }],
      ['sp_sync_offline_orders', { p_idempotency_key: `in-ctl${c}-sync`, p_terminal_id: 't-bar-1', p_orders: [{ device_order_id: 'd1', device_seq: 1, wallet_id: 'w-in', items: [{ product_id: 'p-beer', quantity: 1 }] }] }],
    ] as const;
    for (const [fn, body] of rpc) {
      await expectRefusedWithoutChange(() => call(target.url, 'POST', `/rest/v1/rpc/${fn}`, { body, headers: supa() }), 400, 'invalid_input', 'rpc');
    }
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/functions/v1/create-funding-intent', { body: { wallet_id: `w-in${c}`, amount_cents: 100 }, headers: { ...supa(), 'Idempotency-Key': 'in-ctl-edge' } }),
      400, 'invalid_input',
    );
    // Path segments and query arguments arrive percent-encoded.
    if (c !== '\ud800') { // no UTF-8 form: it cannot be percent-encoded
      const enc = encodeURIComponent(c);
      await expectRefusedWithoutChange(() => call(target.url, 'GET', `/v1/wallets/w-in${enc}`, { headers: rest_() }), 400, 'invalid_input');
      await expectRefusedWithoutChange(() => call(target.url, 'GET', `/v1/funding-intents/pi_${enc}`, { headers: rest_() }), 400, 'invalid_input');
      await expectRefusedWithoutChange(() => call(target.url, 'GET', `/rest/v1/rpc/get_wallet?p_wallet_id=w-in${enc}`, { headers: supa() }), 400, 'invalid_input', 'rpc');
    }
  });

  it('in the Idempotency-Key header: a tab or a C1 byte is invalid_input; other control bytes never get past HTTP parsing', async () => {
    for (const key of [Buffer.from('in-hdr\tkey'), Buffer.from([0x69, 0x6e, 0x85, 0x6b])]) {
      const before = await dbFootprint(db.pool);
      const res = await rawRecharge(key);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_input', message: expect.stringMatching(/idempotency key contains a control character/) } });
      expect(await dbFootprint(db.pool)).toEqual(before);
    }
    for (const byte of [0x00, 0x01, 0x1b, 0x7f]) {
      const before = await dbFootprint(db.pool);
      const res = await rawRecharge(Buffer.from([0x6b, byte, 0x6b]));
      expect(res.status).toBe(400);
      expect(await dbFootprint(db.pool)).toEqual(before);
    }
  });

  it('in a signed Stripe event: refused, nothing credited', async () => {
    const payload = JSON.stringify({ id: 'evt_\u0000nul', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_\u0000x', object: 'payment_intent' } } });
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: target.webhookSecret });
    await expectRefusedWithoutChange(() => call(target.url, 'POST', '/v1/webhooks/stripe', { body: payload, headers: { 'Stripe-Signature': header } }), 400, 'invalid_input');
  });

  it('logged as a 400, never as an internal error', async () => {
    await call(target.url, 'POST', '/v1/recharges', { body: { ...okRecharge, wallet_id: 'w\u0000' }, headers: rest_('in-ctl-log') });
    expect(target.stderr()).not.toMatch(/internal error|invalid byte sequence|0x00/);
  });
});

describe('numbers are integers as written (platform/API.md): 100.0 and 1e2 are floats', () => {
  const recharge = (amount: string) => `{"wallet_id":"w-in","amount_cents":${amount},"checkpoint_id":"cp-1","method":"cash"}`;

  it.each(['100.0', '1e2', '1E2', '100.00', '1e+2', '10000e-2', '-0.0'])('refuses amount_cents written as %s on both surfaces', async (amount) => {
    const res = await expectRefusedWithoutChange(() => call(target.url, 'POST', '/v1/recharges', { body: recharge(amount), headers: rest_(`in-float-${amount}`) }), 400, 'validation_failed');
    expect(res.body.error.message).toContain(`amount_cents`);
    expect(res.body.error.message).toContain(amount);
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/rest/v1/rpc/sp_create_funding_intent', { body: `{"p_idempotency_key":"in-float-rpc","p_wallet_id":"w-in","p_amount_cents":${amount}}`, headers: supa() }),
      400, 'validation_failed', 'rpc',
    );
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/functions/v1/create-funding-intent', { body: `{"wallet_id":"w-in","amount_cents":${amount}}`, headers: { ...supa(), 'Idempotency-Key': 'in-float-edge' } }),
      400, 'validation_failed',
    );
  });

  it('refuses a quantity or a device_seq written as a float', async () => {
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/v1/orders', { body: '{"wallet_id":"w-in","terminal_id":"t-bar-1","items":[{"product_id":"p-beer","quantity":1.0}]}', headers: rest_('in-float-q') }),
      400, 'validation_failed',
    );
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/rest/v1/rpc/sp_process_bar_order', { body: '{"p_idempotency_key":"in-float-q","p_wallet_id":"w-in","p_terminal_id":"t-bar-1","p_items":[{"product_id":"p-beer","quantity":2e0}]}', headers: supa() }),
      400, 'validation_failed', 'rpc',
    );
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/v1/terminals/t-bar-1/offline-orders', { body: '{"orders":[{"device_order_id":"d1","device_seq":1.0,"wallet_id":"w-in","items":[{"product_id":"p-beer","quantity":1}]}]}', headers: rest_('in-float-seq') }),
      400, 'validation_failed',
    );
  });

  it('takes the same amount written as an integer, and decimals inside strings are just text', async () => {
    const res = await call(target.url, 'POST', '/v1/recharges', { body: recharge('100'), headers: rest_('in-int-100') });
    expect(res.status).toBe(201);
    await expectRefusedWithoutChange(
      () => call(target.url, 'POST', '/v1/recharges', { body: `{"wallet_id":"w-in","amount_cents":100,"checkpoint_id":"cp-1.5","method":"1e2"}`, headers: rest_('in-int-str') }),
      400, 'validation_failed',
    );
  });
});

describe('unexpected failures', () => {
  it('answers 500 internal_error without internals, and logs the detail', async () => {
    // Simulates a broken deployment: the procedure behind this route is gone.
    await db.pool.query('DROP FUNCTION get_funding_intent(text)');
    const res = await call(target.url, 'GET', '/v1/funding-intents/pi_missing', { headers: rest() });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/get_funding_intent|does not exist|\bat\b.*\.ts/);
    await target.stop();
    expect(target.stderr()).toMatch(/"message":"internal error".*get_funding_intent/);
    const line = readRequestLog(target.logFile).filter((l) => l.route === '/v1/funding-intents/:id').at(-1);
    expect(line).toMatchObject({ status: 500, code: 'internal_error', op: 'funding_intent', error: expect.stringContaining('get_funding_intent') });
  });
});

