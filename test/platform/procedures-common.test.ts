// Shared procedure machinery: fee math, defect switch, idempotency keys, reads, re-runnable migrations.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { platformFee } from '../../core/fees.js';
import { migrate } from '../../stack/migrate.js';
import { useTestDatabase } from '../support/db.js';
import {
  CATALOG, call, count, createWallet, defectPool, ledgerCheck, seedCatalog, stateSnapshot, wallet,
} from '../support/sql-fixtures.js';

const db = await useTestDatabase();
await seedCatalog(db.pool);
const beer = [{ product_id: CATALOG.beer.id, quantity: 1 }];

describe('mp_platform_fee', () => {
  it('matches core/fees.ts platformFee (half-up) over a range of totals and rates', async () => {
    const rates = [0, 1, 99, 250, 275, 333, 1250, 5000, 9999, 10000];
    const { rows } = await db.pool.query(
      `SELECT t::bigint AS total, b AS bps, mp_platform_fee(t, b) AS fee
       FROM generate_series(0, 3000) AS t, unnest($1::int[]) AS b
       UNION ALL
       SELECT t, b, mp_platform_fee(t, b)
       FROM unnest(ARRAY[19, 20, 39, 40, 59, 60, 123456789, 9007199254740]::bigint[]) AS t, unnest($1::int[]) AS b`,
      [rates],
    );
    expect(rows.length).toBe(3001 * rates.length + 8 * rates.length);
    const mismatches = rows.filter((r) => Number(r.fee) !== platformFee(Number(r.total), r.bps));
    expect(mismatches).toEqual([]);
    // The half-cent cases explicitly.
    expect(Number((await db.pool.query(`SELECT mp_platform_fee(20, 250) AS f`)).rows[0].f)).toBe(1);
    expect(Number((await db.pool.query(`SELECT mp_platform_fee(19, 250) AS f`)).rows[0].f)).toBe(0);
  });

  it('refuses a negative total or a rate outside 0..10000 (programming errors, not user input)', async () => {
    await expect(db.pool.query(`SELECT mp_platform_fee(-1, 250)`)).rejects.toThrow(/total/);
    await expect(db.pool.query(`SELECT mp_platform_fee(100, 10001)`)).rejects.toThrow(/bps/);
  });
});

describe('mp_defect', () => {
  it('reads the comma-separated moshpit.defects GUC; unset or empty means none', async () => {
    const c = await db.pool.connect();
    try {
      const on = async (name: string) => (await c.query(`SELECT mp_defect($1) AS d`, [name])).rows[0].d as boolean;
      expect(await on('lost_update')).toBe(false);
      await c.query(`SET moshpit.defects = 'lost_update, fee_rounding'`);
      expect(await on('lost_update')).toBe(true);
      expect(await on('fee_rounding')).toBe(true);
      expect(await on('lost')).toBe(false);
      expect(await on('')).toBe(false);
      await c.query(`SET moshpit.defects = ''`);
      expect(await on('lost_update')).toBe(false);
      await c.query(`RESET moshpit.defects`);
    } finally {
      c.release();
    }
    const p = defectPool(db.url, 'missing_audit', 1);
    try {
      expect((await p.query(`SELECT mp_defect('missing_audit') AS d`)).rows[0].d).toBe(true);
    } finally {
      await p.end();
    }
  });
});

describe('idempotency keys', () => {
  it('missing or empty key: 400 idempotency_key_missing, not stored, no effect', async () => {
    const w = await createWallet(db.pool, 'idem-missing', { balance: 5000 });
    const before = await stateSnapshot(db.pool);
    for (const key of [null, '', '   ']) {
      const r = await call(db.pool, 'sp_process_bar_order', key, w, CATALOG.terminal, JSON.stringify(beer));
      expect(r).toMatchObject({ ok: false, http_status: 400, code: 'idempotency_key_missing' });
      expect(r.message).toBeTruthy();
    }
    expect((await call(db.pool, 'sp_process_checkpoint_recharge', null, w, 100, 'cp', 'cash')).code).toBe('idempotency_key_missing');
    expect((await call(db.pool, 'sp_process_gate_scan', '', w, CATALOG.gateway, 'entry')).code).toBe('idempotency_key_missing');
    expect((await call(db.pool, 'sp_create_funding_intent', null, w, 100)).code).toBe('idempotency_key_missing');
    expect(await stateSnapshot(db.pool)).toEqual(before);
    // Each attempt is still audited as rejected.
    expect(await count(db.pool, `app_transaction_log WHERE wallet_id = $1 AND code = 'idempotency_key_missing' AND status = 'rejected'`, [w])).toBe(6);
  });

  it('key longer than 255 characters: 400 validation_failed, even for a huge key', async () => {
    const w = await createWallet(db.pool, 'idem-long', { balance: 5000 });
    const before = await stateSnapshot(db.pool);
    for (const key of ['k'.repeat(256), 'k'.repeat(20000)]) {
      const r = await call(db.pool, 'sp_process_bar_order', key, w, CATALOG.terminal, JSON.stringify(beer));
      expect(r).toMatchObject({ ok: false, http_status: 400, code: 'validation_failed' });
    }
    expect((await call(db.pool, 'sp_process_bar_order', 'k'.repeat(255), w, CATALOG.terminal, JSON.stringify(beer))).http_status).toBe(201);
    expect(await count(db.pool, 'orders WHERE wallet_id = $1', [w])).toBe(1);
    expect(Number((await stateSnapshot(db.pool)).orders)).toBe(Number(before.orders) + 1);
  });

  it('replay returns the stored response with replayed: true and has no other effect', async () => {
    const w = await createWallet(db.pool, 'idem-replay', { balance: 5000 });
    const first = await call(db.pool, 'sp_process_bar_order', 'idem-replay-1', w, CATALOG.terminal, JSON.stringify(beer));
    expect(first).toMatchObject({ ok: true, http_status: 201, balance_cents: 4350 });
    expect(first.replayed).toBeUndefined();
    // Same JSON with different key order / whitespace is the same request (jsonb is canonical).
    const again = await call(db.pool, 'sp_process_bar_order', 'idem-replay-1', w, CATALOG.terminal, '[{"quantity": 1,  "product_id": "p-beer"}]');
    expect(again).toEqual({ ...first, replayed: true });
    expect((await wallet(db.pool, w)).balance).toBe(4350);
    expect(await count(db.pool, 'orders WHERE idempotency_key = $1', ['idem-replay-1'])).toBe(1);
    const audit = (await db.pool.query(
      `SELECT status, ledger_id, previous_balance, new_balance FROM app_transaction_log WHERE idempotency_key = $1 ORDER BY id`, ['idem-replay-1'])).rows;
    expect(audit.map((a) => a.status)).toEqual(['completed', 'replayed']);
    expect(audit[1]).toMatchObject({ ledger_id: null, previous_balance: '4350', new_balance: '4350' });
    const key = (await db.pool.query(`SELECT * FROM idempotency_keys WHERE key = $1`, ['idem-replay-1'])).rows[0];
    expect(key).toMatchObject({ status: 'completed', http_status: 201, operation: 'order', wallet_id: w });
    expect(key.response).toEqual(first);
  });

  it('definite rejections are stored and replayed; 400 validation errors are not stored', async () => {
    const w = await createWallet(db.pool, 'idem-rejections', { balance: 100 });
    const r1 = await call(db.pool, 'sp_process_bar_order', 'idem-rej-402', w, CATALOG.terminal, JSON.stringify(beer));
    expect(r1).toMatchObject({ http_status: 402, code: 'insufficient_funds' });
    // Topping up does not change the answer for the same key: the key names that one request.
    await call(db.pool, 'sp_process_checkpoint_recharge', 'idem-rej-topup', w, 10000, 'cp-1', 'cash');
    expect(await call(db.pool, 'sp_process_bar_order', 'idem-rej-402', w, CATALOG.terminal, JSON.stringify(beer)))
      .toEqual({ ...r1, replayed: true });
    const r404 = await call(db.pool, 'sp_process_gate_scan', 'idem-rej-404', 'idem-nobody', CATALOG.gateway, 'entry');
    expect(r404).toMatchObject({ http_status: 404, code: 'wallet_not_found' });
    expect(await count(db.pool, 'idempotency_keys WHERE key = ANY($1)', [['idem-rej-402', 'idem-rej-404']])).toBe(2);

    const bad = await call(db.pool, 'sp_process_bar_order', 'idem-rej-400', w, CATALOG.terminal, '[{"product_id":"p-beer","quantity":0}]');
    expect(bad).toMatchObject({ http_status: 400, code: 'validation_failed' });
    expect(await count(db.pool, 'idempotency_keys WHERE key = $1', ['idem-rej-400'])).toBe(0);
    // The client fixes the request and retries under the same key: it goes through.
    const fixed = await call(db.pool, 'sp_process_bar_order', 'idem-rej-400', w, CATALOG.terminal, JSON.stringify(beer));
    expect(fixed).toMatchObject({ http_status: 201 });
  });

  it('same key, different payload: 422 idempotency_key_reused, nothing changes', async () => {
    const w = await createWallet(db.pool, 'idem-reuse', { balance: 5000 });
    await call(db.pool, 'sp_process_bar_order', 'idem-reuse-1', w, CATALOG.terminal, JSON.stringify(beer));
    const before = await stateSnapshot(db.pool);
    const variants: Array<[string, ...unknown[]]> = [
      ['sp_process_bar_order', 'idem-reuse-1', w, CATALOG.terminal, JSON.stringify([{ product_id: CATALOG.beer.id, quantity: 2 }])],
      ['sp_process_bar_order', 'idem-reuse-1', 'someone-else', CATALOG.terminal, JSON.stringify(beer)],
      ['sp_process_checkpoint_recharge', 'idem-reuse-1', w, 650, 'cp-1', 'cash'],
      ['sp_process_gate_scan', 'idem-reuse-1', w, CATALOG.gateway, 'entry'],
      ['sp_create_funding_intent', 'idem-reuse-1', w, 650],
    ];
    for (const [fn, ...args] of variants) {
      expect(await call(db.pool, fn, ...args)).toMatchObject({ ok: false, http_status: 422, code: 'idempotency_key_reused' });
    }
    expect(await stateSnapshot(db.pool)).toEqual(before);
    // The entry scan with a reused key is not a scan that happened.
    expect(await count(db.pool, 'nfc_scan_log WHERE idempotency_key = $1', ['idem-reuse-1'])).toBe(0);
  });

  it('same key while the first request is still running: 409 idempotency_key_in_flight, then replay', async () => {
    const w = await createWallet(db.pool, 'idem-inflight', { balance: 5000 });
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      const first = await call(holder, 'sp_process_bar_order', 'idem-inflight-1', w, CATALOG.terminal, JSON.stringify(beer));
      expect(first.http_status).toBe(201);
      // Not committed yet: another session must neither wait nor apply it again. Waiting would
      // block on the holder's row, which lock_timeout turns into an error instead of a hang.
      const other = await db.pool.connect();
      try {
        await other.query("SET lock_timeout = '10s'");
        expect(await call(other, 'sp_process_bar_order', 'idem-inflight-1', w, CATALOG.terminal, JSON.stringify(beer)))
          .toMatchObject({ ok: false, http_status: 409, code: 'idempotency_key_in_flight' });
      } finally {
        await other.query('RESET lock_timeout');
        other.release();
      }
      await holder.query('COMMIT');
      expect(await call(db.pool, 'sp_process_bar_order', 'idem-inflight-1', w, CATALOG.terminal, JSON.stringify(beer)))
        .toEqual({ ...first, replayed: true });
    } finally {
      holder.release();
    }
    expect((await wallet(db.pool, w)).balance).toBe(5000 - 650);
  });

  it('a rolled-back first attempt leaves the key free', async () => {
    const w = await createWallet(db.pool, 'idem-rollback', { balance: 5000 });
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      await call(c, 'sp_process_checkpoint_recharge', 'idem-rollback-1', w, 700, 'cp-1', 'card');
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
    const r = await call(db.pool, 'sp_process_checkpoint_recharge', 'idem-rollback-1', w, 700, 'cp-1', 'card');
    expect(r).toMatchObject({ ok: true, http_status: 201, balance_cents: 5700 });
    expect(r.replayed).toBeUndefined();
  });

  it('20 parallel calls with one key apply exactly once (others replay or 409)', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 20 });
    try {
      for (const [op, args] of [
        ['sp_process_bar_order', (w: string) => [w, CATALOG.terminal, JSON.stringify(beer)]],
        ['sp_process_checkpoint_recharge', (w: string) => [w, 1234, 'cp-1', 'cash']],
        ['sp_process_gate_scan', (w: string) => [w, CATALOG.gateway, 'entry']],
        ['sp_create_funding_intent', (w: string) => [w, 2000]],
      ] as const) {
        const w = await createWallet(db.pool, `idem-par-${op}`, { balance: 5000 });
        const key = `idem-par-key-${op}`;
        const results = await Promise.all(Array.from({ length: 20 }, () => call(pool, op, key, ...args(w))));
        const fresh = results.filter((r) => r.ok && !r.replayed);
        const replays = results.filter((r) => r.ok && r.replayed);
        const inFlight = results.filter((r) => r.code === 'idempotency_key_in_flight');
        expect(fresh).toHaveLength(1);
        expect(replays.length + inFlight.length).toBe(19);
        for (const r of replays) expect(r).toEqual({ ...fresh[0], replayed: true });
        expect(await count(db.pool, 'ledger WHERE idempotency_key = $1', [key])).toBe(op === 'sp_process_bar_order' || op === 'sp_process_checkpoint_recharge' ? 1 : 0);
        expect(await count(db.pool, 'app_transaction_log WHERE idempotency_key = $1', [key])).toBe(20);
        expect(await count(db.pool, 'app_transaction_log WHERE idempotency_key = $1 AND status = $2', [key, 'completed'])).toBe(1);
        const check = await ledgerCheck(db.pool, w);
        expect(check.sumMatches && check.chainIntact).toBe(true);
      }
      expect(await count(db.pool, 'orders WHERE idempotency_key = $1', ['idem-par-key-sp_process_bar_order'])).toBe(1);
      expect(await count(db.pool, 'nfc_scan_log WHERE idempotency_key = $1', ['idem-par-key-sp_process_gate_scan'])).toBe(1);
      expect(await count(db.pool, 'funding_intents WHERE idempotency_key = $1', ['idem-par-key-sp_create_funding_intent'])).toBe(1);
    } finally {
      await pool.end();
    }
  });
});

describe('reads', () => {
  it('get_wallet returns the REST wallet shape, 404 wallet_not_found otherwise', async () => {
    const w = await createWallet(db.pool, 'read-wallet', { balance: 1234, inside: true, entryCount: 2 });
    expect(await call(db.pool, 'get_wallet', w)).toEqual({
      ok: true, http_status: 200, wallet_id: w, balance_cents: 1234, status: 'active', inside: true, entry_count: 2,
    });
    expect(await call(db.pool, 'get_wallet', 'read-nobody')).toMatchObject({ ok: false, http_status: 404, code: 'wallet_not_found' });
    expect(await call(db.pool, 'get_wallet', null)).toMatchObject({ http_status: 404 });
  });

  it('get_funding_intent returns the intent shape, 404 unknown_intent otherwise', async () => {
    const w = await createWallet(db.pool, 'read-intent', { balance: 0 });
    const created = await call(db.pool, 'sp_create_funding_intent', 'read-intent-1', w, 2500);
    expect(await call(db.pool, 'get_funding_intent', created.intent_id)).toEqual({
      ok: true, http_status: 200, intent_id: created.intent_id, status: 'pending', amount_cents: 2500, wallet_id: w,
    });
    expect(await call(db.pool, 'get_funding_intent', 'pi_000000000000000000000000')).toMatchObject({ ok: false, http_status: 404, code: 'unknown_intent' });
  });
});

describe('migrations', () => {
  it('re-apply cleanly on a database that already has them (and keep its data)', async () => {
    const w = await createWallet(db.pool, 'migrate-again', { balance: 42 });
    await migrate(db.url);
    await migrate(db.url);
    expect((await wallet(db.pool, w)).balance).toBe(42);
    expect((await call(db.pool, 'get_wallet', w)).balance_cents).toBe(42);
  });
});
