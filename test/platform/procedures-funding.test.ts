// Money in: checkpoint recharges, funding intents, Stripe webhook application and dedupe, and the
// defect modes missing_audit and webhook_double_credit.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { useTestDatabase } from '../support/db.js';
import { call, count, createWallet, defectPool, ledgerCheck, stateSnapshot, wallet } from '../support/sql-fixtures.js';

const db = await useTestDatabase();
let seq = 0;
const key = (tag: string) => `fund-${tag}-${++seq}`;
const SUCCEEDED = 'payment_intent.succeeded';
const FAILED = 'payment_intent.payment_failed';
const evt = () => `evt_${++seq}`;

async function intentFor(w: string, amount: number): Promise<string> {
  const r = await call(db.pool, 'sp_create_funding_intent', key('intent'), w, amount);
  expect(r.ok).toBe(true);
  return r.intent_id as string;
}
const deliver = (pool: pg.Pool, eventId: string, type: string | null, intent: string | null) =>
  call(pool, 'sp_process_stripe_recharge', eventId, type, intent);
const events = async (intent: string) =>
  (await db.pool.query(`SELECT event_id, outcome FROM stripe_events WHERE intent_id = $1 ORDER BY id`, [intent])).rows;
const intentRow = async (intent: string) => (await db.pool.query(`SELECT * FROM funding_intents WHERE id = $1`, [intent])).rows[0];

describe('checkpoint recharge', () => {
  it('credits, writes recharge + ledger + audit', async () => {
    const w = await createWallet(db.pool, 'rch-basic', { balance: 100 });
    const k = key('rch');
    const r = await call(db.pool, 'sp_process_checkpoint_recharge', k, w, 2500, 'cp-north', 'card');
    expect(r).toEqual({ ok: true, http_status: 201, recharge_id: expect.stringMatching(/^[0-9a-f-]{36}$/), balance_cents: 2600 });
    const rc = (await db.pool.query(`SELECT wallet_id, amount_cents, checkpoint_id, method, idempotency_key FROM recharges WHERE id = $1`, [r.recharge_id])).rows;
    expect(rc).toEqual([{ wallet_id: w, amount_cents: '2500', checkpoint_id: 'cp-north', method: 'card', idempotency_key: k }]);
    const led = (await db.pool.query(`SELECT id, kind, amount_cents, balance_after_cents, reference_id FROM ledger WHERE idempotency_key = $1`, [k])).rows;
    expect(led).toEqual([{ id: expect.any(String), kind: 'recharge', amount_cents: '2500', balance_after_cents: '2600', reference_id: r.recharge_id }]);
    const audit = (await db.pool.query(`SELECT transaction_type, status, amount_cents, previous_balance, new_balance, ledger_id FROM app_transaction_log WHERE idempotency_key = $1`, [k])).rows;
    expect(audit).toEqual([{ transaction_type: 'recharge', status: 'completed', amount_cents: '2500', previous_balance: '100', new_balance: '2600', ledger_id: led[0]!.id }]);
  });

  it('bad amounts, methods, checkpoints and wallets are 4xx with no state change', async () => {
    const w = await createWallet(db.pool, 'rch-bad', { balance: 100 });
    const blocked = await createWallet(db.pool, 'rch-blocked', { balance: 100, status: 'blocked' });
    const before = await stateSnapshot(db.pool);
    const bad: Array<[string | null, number | null, string | null, string | null]> = [
      [w, 0, 'cp', 'cash'], [w, -500, 'cp', 'cash'], [w, null, 'cp', 'cash'], [w, 50_000_001, 'cp', 'cash'],
      [w, 100, '', 'cash'], [w, 100, null, 'cash'], [w, 100, 'c'.repeat(300), 'cash'],
      [w, 100, 'cp', 'bitcoin'], [w, 100, 'cp', null], [w, 100, 'cp', 'CASH'], [null, 100, 'cp', 'cash'],
    ];
    for (const [wid, amount, cp, method] of bad) {
      expect(await call(db.pool, 'sp_process_checkpoint_recharge', key('bad'), wid, amount, cp, method))
        .toMatchObject({ ok: false, http_status: 400, code: 'validation_failed' });
    }
    expect(await call(db.pool, 'sp_process_checkpoint_recharge', key('bad'), 'rch-nobody', 100, 'cp', 'cash'))
      .toMatchObject({ ok: false, http_status: 404, code: 'wallet_not_found' });
    expect(await call(db.pool, 'sp_process_checkpoint_recharge', key('bad'), blocked, 100, 'cp', 'cash'))
      .toMatchObject({ ok: false, http_status: 403, code: 'wallet_blocked' });
    const after = await stateSnapshot(db.pool);
    expect({ ...after, idempotency_keys: 0 }).toEqual({ ...before, idempotency_keys: 0 });
    expect(Number(after.idempotency_keys)).toBe(Number(before.idempotency_keys) + 2);
    // The bounds themselves are allowed.
    expect(await call(db.pool, 'sp_process_checkpoint_recharge', key('ok'), w, 1, 'cp', 'cash')).toMatchObject({ ok: true, balance_cents: 101 });
    expect(await call(db.pool, 'sp_process_checkpoint_recharge', key('ok'), w, 50_000_000, 'cp', 'cash')).toMatchObject({ ok: true, balance_cents: 50_000_101 });
  });

  it('missing_audit defect: successful recharges leave no audit row (correct mode writes one)', async () => {
    const bug = defectPool(db.url, 'missing_audit');
    try {
      for (const [pool, buggy] of [[db.pool, false], [bug, true]] as const) {
        const w = await createWallet(db.pool, `rch-audit-${buggy}`, { balance: 0 });
        const k = key('audit');
        expect(await call(pool, 'sp_process_checkpoint_recharge', k, w, 1000, 'cp', 'cash')).toMatchObject({ ok: true, balance_cents: 1000 });
        const ledgerId = (await db.pool.query(`SELECT id FROM ledger WHERE idempotency_key = $1`, [k])).rows[0].id;
        expect(await count(db.pool, 'app_transaction_log WHERE ledger_id = $1', [ledgerId])).toBe(buggy ? 0 : 1);
        expect(await ledgerCheck(db.pool, w)).toMatchObject({ sumMatches: true, chainIntact: true });
      }
    } finally {
      await bug.end();
    }
  });
});

describe('funding intents', () => {
  it('creates a pending pi_ intent for the wallet; no money moves yet', async () => {
    const w = await createWallet(db.pool, 'fi-basic', { balance: 0 });
    const k = key('fi');
    const r = await call(db.pool, 'sp_create_funding_intent', k, w, 2500);
    expect(r).toEqual({ ok: true, http_status: 201, intent_id: expect.stringMatching(/^pi_[0-9a-f]{24}$/), status: 'pending', amount_cents: 2500, wallet_id: w });
    expect(await intentRow(r.intent_id as string)).toMatchObject({ wallet_id: w, amount_cents: '2500', status: 'pending', idempotency_key: k });
    expect(await count(db.pool, 'ledger WHERE wallet_id = $1', [w])).toBe(0);
    expect(await call(db.pool, 'sp_create_funding_intent', k, w, 2500)).toEqual({ ...r, replayed: true });
    expect(await count(db.pool, 'funding_intents WHERE wallet_id = $1', [w])).toBe(1);
  });

  it('rejects bad amounts (400) and unknown or blocked wallets (404/403)', async () => {
    const blocked = await createWallet(db.pool, 'fi-blocked', { status: 'blocked' });
    const before = await stateSnapshot(db.pool);
    for (const amount of [0, -1, null, 50_000_001]) {
      expect(await call(db.pool, 'sp_create_funding_intent', key('fi'), 'fi-basic', amount)).toMatchObject({ http_status: 400, code: 'validation_failed' });
    }
    expect(await call(db.pool, 'sp_create_funding_intent', key('fi'), 'fi-nobody', 100)).toMatchObject({ http_status: 404, code: 'wallet_not_found' });
    expect(await call(db.pool, 'sp_create_funding_intent', key('fi'), blocked, 100)).toMatchObject({ http_status: 403, code: 'wallet_blocked' });
    const after = await stateSnapshot(db.pool);
    expect({ ...after, idempotency_keys: 0 }).toEqual({ ...before, idempotency_keys: 0 });
  });
});

describe('stripe webhook application', () => {
  it('succeeded credits the recorded amount once; the same event again is duplicate', async () => {
    const w = await createWallet(db.pool, 'wh-once', { balance: 100 });
    const pi = await intentFor(w, 2500);
    const e = evt();
    const r = await deliver(db.pool, e, SUCCEEDED, pi);
    expect(r).toEqual({
      ok: true, http_status: 200, received: true, outcome: 'applied', event_id: e, intent_id: pi, intent_status: 'confirmed',
      wallet_id: w, amount_cents: 2500, balance_cents: 2600,
    });
    expect(await deliver(db.pool, e, SUCCEEDED, pi)).toMatchObject({ ok: true, http_status: 200, outcome: 'duplicate' });
    expect((await wallet(db.pool, w)).balance).toBe(2600);
    expect(await intentRow(pi)).toMatchObject({ status: 'confirmed', confirmed_by_event: e });
    expect(await events(pi)).toEqual([{ event_id: e, outcome: 'applied' }, { event_id: e, outcome: 'duplicate' }]);
    const led = (await db.pool.query(`SELECT kind, amount_cents, reference_id, idempotency_key FROM ledger WHERE wallet_id = $1`, [w])).rows;
    const intentKey = (await intentRow(pi)).idempotency_key;
    expect(led).toEqual([{ kind: 'funding', amount_cents: '2500', reference_id: pi, idempotency_key: intentKey }]);
    const audit = (await db.pool.query(`SELECT transaction_type, status, amount_cents, ledger_id IS NOT NULL AS has_ledger FROM app_transaction_log WHERE reference_id = $1 AND transaction_type = 'funding' ORDER BY id`, [pi])).rows;
    expect(audit).toEqual([
      { transaction_type: 'funding', status: 'completed', amount_cents: '2500', has_ledger: true },
      { transaction_type: 'funding', status: 'replayed', amount_cents: '0', has_ledger: false },
    ]);
  });

  it('two different succeeded events for one intent: the second is duplicate', async () => {
    const w = await createWallet(db.pool, 'wh-two-events', { balance: 0 });
    const pi = await intentFor(w, 1000);
    expect((await deliver(db.pool, evt(), SUCCEEDED, pi)).outcome).toBe('applied');
    expect((await deliver(db.pool, evt(), SUCCEEDED, pi)).outcome).toBe('duplicate');
    expect((await wallet(db.pool, w)).balance).toBe(1000);
    expect(await count(db.pool, 'ledger WHERE reference_id = $1', [pi])).toBe(1);
  });

  it('concurrent deliveries (same event and different events) credit exactly once', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 20 });
    try {
      const w = await createWallet(db.pool, 'wh-race', { balance: 0 });
      const pi = await intentFor(w, 1500);
      const e = evt();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(pool, i < 10 ? e : evt(), SUCCEEDED, pi)));
      expect(results.every((r) => r.ok && r.http_status === 200)).toBe(true);
      expect(results.filter((r) => r.outcome === 'applied')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(19);
      expect((await wallet(db.pool, w)).balance).toBe(1500);
      expect(await count(db.pool, 'ledger WHERE reference_id = $1', [pi])).toBe(1);
      expect(await count(db.pool, 'stripe_events WHERE intent_id = $1', [pi])).toBe(20);
      expect(await ledgerCheck(db.pool, w)).toMatchObject({ sumMatches: true, chainIntact: true });
    } finally {
      await pool.end();
    }
  });

  it('failed then succeeded: marks failed, then still credits (Stripe’s last word)', async () => {
    const w = await createWallet(db.pool, 'wh-fail-then-ok', { balance: 0 });
    const pi = await intentFor(w, 700);
    const f = evt();
    expect(await deliver(db.pool, f, FAILED, pi)).toMatchObject({ ok: true, outcome: 'applied', intent_status: 'failed' });
    expect(await intentRow(pi)).toMatchObject({ status: 'failed' });
    expect((await wallet(db.pool, w)).balance).toBe(0);
    expect((await deliver(db.pool, f, FAILED, pi)).outcome).toBe('duplicate');
    expect((await deliver(db.pool, evt(), FAILED, pi)).outcome).toBe('duplicate'); // another failure of a failed intent
    expect(await deliver(db.pool, evt(), SUCCEEDED, pi)).toMatchObject({ outcome: 'applied', balance_cents: 700 });
    expect(await intentRow(pi)).toMatchObject({ status: 'confirmed' });
    expect(await call(db.pool, 'get_funding_intent', pi)).toMatchObject({ status: 'confirmed' });
    expect(await count(db.pool, 'ledger WHERE reference_id = $1', [pi])).toBe(1);
    expect((await events(pi)).map((x) => x.outcome)).toEqual(['applied', 'duplicate', 'duplicate', 'applied']);
  });

  it('succeeded then failed: the late failure is superseded and changes nothing', async () => {
    const w = await createWallet(db.pool, 'wh-ok-then-fail', { balance: 0 });
    const pi = await intentFor(w, 900);
    await deliver(db.pool, evt(), SUCCEEDED, pi);
    const before = await stateSnapshot(db.pool);
    expect(await deliver(db.pool, evt(), FAILED, pi)).toMatchObject({ ok: true, http_status: 200, outcome: 'superseded', intent_status: 'confirmed' });
    expect(await stateSnapshot(db.pool)).toEqual(before);
    expect((await events(pi)).map((x) => x.outcome)).toEqual(['applied', 'superseded']);
  });

  it('unknown intent is 404 unknown_intent (recorded); other event types are ignored; bad ids are 4xx', async () => {
    const before = await stateSnapshot(db.pool);
    const e = evt();
    expect(await deliver(db.pool, e, SUCCEEDED, 'pi_doesnotexist000000000000')).toMatchObject({ ok: false, http_status: 404, code: 'unknown_intent', outcome: 'unknown_intent' });
    expect(await deliver(db.pool, evt(), FAILED, null)).toMatchObject({ http_status: 404, code: 'unknown_intent' });
    expect(await deliver(db.pool, evt(), SUCCEEDED, 'pi_' + 'x'.repeat(4000))).toMatchObject({ http_status: 404, code: 'unknown_intent' });
    const ign = evt();
    expect(await deliver(db.pool, ign, 'charge.refunded', 'pi_whatever')).toEqual({ ok: true, http_status: 200, received: true, outcome: 'ignored', event_id: ign, intent_id: 'pi_whatever' });
    expect(await deliver(db.pool, '', SUCCEEDED, 'pi_x')).toMatchObject({ http_status: 400, code: 'validation_failed' });
    expect(await deliver(db.pool, evt(), null, 'pi_x')).toMatchObject({ http_status: 400, code: 'validation_failed' });
    expect(await stateSnapshot(db.pool)).toEqual(before);
    const rows = (await db.pool.query(`SELECT outcome FROM stripe_events WHERE event_id = ANY($1)`, [[e, ign]])).rows.map((r) => r.outcome).sort();
    expect(rows).toEqual(['ignored', 'unknown_intent']);
  });

  it('webhook_double_credit defect: every succeeded delivery credits (two funding rows for one intent)', async () => {
    const bug = defectPool(db.url, 'webhook_double_credit');
    try {
      for (const [pool, buggy] of [[db.pool, false], [bug, true]] as const) {
        const w = await createWallet(db.pool, `wh-double-${buggy}`, { balance: 0 });
        const pi = await intentFor(w, 2000);
        const e = evt();
        await deliver(pool, e, SUCCEEDED, pi);
        const again = await deliver(pool, e, SUCCEEDED, pi);
        const other = await deliver(pool, evt(), SUCCEEDED, pi);
        expect([again.outcome, other.outcome]).toEqual(buggy ? ['applied', 'applied'] : ['duplicate', 'duplicate']);
        expect(await count(db.pool, `ledger WHERE reference_id = $1 AND kind = 'funding'`, [pi])).toBe(buggy ? 3 : 1);
        expect((await wallet(db.pool, w)).balance).toBe(buggy ? 6000 : 2000);
        // A payment_failed delivery is unaffected by this defect.
        expect((await deliver(pool, evt(), FAILED, pi)).outcome).toBe('superseded');
      }
    } finally {
      await bug.end();
    }
  });
});
