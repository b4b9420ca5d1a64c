// Server-level defect modes leave their footprint (an acknowledged write missing from the
// database; a committed order answered 402), and SQL-level ones reach the procedures.
import { afterAll, describe, expect, it } from 'vitest';
import { DEFECT_EVERY_NTH } from '../../platform/server/server-defects.js';
import { useTestDatabase } from '../support/db.js';
import { call, readRequestLog, seedFestival, startTarget } from '../support/target.js';

const db = await useTestDatabase();
await seedFestival(db.pool, [
  { id: 'w-ack', balanceCents: 0 },
  { id: 'w-rej', balanceCents: 100_000 },
  { id: 'w-nofunds', balanceCents: 100 },
]);
const [ackTarget, rejectTarget, sqlTarget] = await Promise.all([
  startTarget({ databaseUrl: db.url, defects: ['ack_then_rollback'] }),
  startTarget({ databaseUrl: db.url, defects: ['commit_then_reject'] }),
  startTarget({ databaseUrl: db.url, defects: ['no_funds_check'] }),
]);
afterAll(() => Promise.all([rejectTarget.stop(), sqlTarget.stop(), ackTarget.stop()]));

const auth = (t: { apiKey: string }, key: string) => ({ Authorization: `Bearer ${t.apiKey}`, 'Idempotency-Key': key });

async function walletBalance(id: string): Promise<number> {
  const res = await db.pool.query<{ b: string }>('SELECT balance_cents::text AS b FROM wallets WHERE id = $1', [id]);
  return Number(res.rows[0]!.b);
}

describe('ack_then_rollback', () => {
  it('acknowledges every write but persists only 4 of 5', async () => {
    const acked: string[] = [];
    for (let i = 1; i <= 2 * DEFECT_EVERY_NTH; i++) {
      const res = await call(ackTarget.url, 'POST', '/v1/recharges', {
        body: { wallet_id: 'w-ack', amount_cents: 100, checkpoint_id: 'cp-1', method: 'cash' }, headers: auth(ackTarget, `ack-${i}`),
      });
      expect(res.status).toBe(201);
      acked.push(res.body.recharge_id);
    }
    const persisted = await db.pool.query<{ id: string }>(`SELECT id::text FROM recharges WHERE wallet_id = 'w-ack'`);
    const persistedIds = new Set(persisted.rows.map((r) => r.id));
    const lost = acked.filter((id) => !persistedIds.has(id));
    expect(lost).toEqual([acked[DEFECT_EVERY_NTH - 1], acked[2 * DEFECT_EVERY_NTH - 1]]);
    expect(await walletBalance('w-ack')).toBe(8 * 100);
  });

  it('also loses the rolled-back idempotency key, so a retry applies again', async () => {
    const retry = await call(ackTarget.url, 'POST', '/v1/recharges', {
      body: { wallet_id: 'w-ack', amount_cents: 100, checkpoint_id: 'cp-1', method: 'cash' }, headers: auth(ackTarget, `ack-${DEFECT_EVERY_NTH}`),
    });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('reports itself in health', async () => {
    expect((await call(ackTarget.url, 'GET', '/v1/health')).body.defects).toEqual(['ack_then_rollback']);
  });
});

describe('commit_then_reject', () => {
  it('answers every 5th order 402 insufficient_funds although it was committed', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= DEFECT_EVERY_NTH; i++) {
      const res = await call(rejectTarget.url, 'POST', '/v1/orders', {
        body: { wallet_id: 'w-rej', terminal_id: 't-bar-1', items: [{ product_id: 'p-beer', quantity: 1 }] }, headers: auth(rejectTarget, `rej-${i}`),
      });
      statuses.push(res.status);
      if (res.status === 402) expect(res.body).toEqual({ error: { code: 'insufficient_funds', message: expect.any(String) } });
    }
    expect(statuses).toEqual([201, 201, 201, 201, 402]);
    const orders = await db.pool.query(`SELECT 1 FROM orders WHERE wallet_id = 'w-rej'`);
    expect(orders.rowCount).toBe(DEFECT_EVERY_NTH);
    expect(await walletBalance('w-rej')).toBe(100_000 - DEFECT_EVERY_NTH * 650);
  });

  it('misreports on the RPC surface too', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= DEFECT_EVERY_NTH; i++) {
      const res = await call(rejectTarget.url, 'POST', '/rest/v1/rpc/sp_process_bar_order', {
        body: { p_idempotency_key: `rej-rpc-${i}`, p_wallet_id: 'w-rej', p_terminal_id: 't-bar-1', p_items: [{ product_id: 'p-water', quantity: 1 }] },
        headers: { apikey: rejectTarget.apiKey },
      });
      statuses.push(res.status);
      if (res.status === 402) expect(res.body).toMatchObject({ ok: false, http_status: 402, code: 'insufficient_funds' });
    }
    expect(statuses).toEqual([201, 201, 201, 201, 402]);
  });

  it('marks the misreported answers in the request log', async () => {
    await rejectTarget.stop();
    const flagged = readRequestLog(rejectTarget.logFile).filter((l) => l.defect === 'commit_then_reject');
    expect(flagged).toHaveLength(2);
    expect(flagged.every((l) => l.status === 402 && l.op === 'order' && l.wallet_id === 'w-rej')).toBe(true);
  });
});

describe('SQL-level defects', () => {
  it('reach the procedures through the moshpit.defects setting', async () => {
    const res = await call(sqlTarget.url, 'POST', '/v1/orders', {
      body: { wallet_id: 'w-nofunds', terminal_id: 't-bar-1', items: [{ product_id: 'p-beer', quantity: 1 }] }, headers: auth(sqlTarget, 'nofunds-1'),
    });
    expect(res.status).toBe(201);
    expect(await walletBalance('w-nofunds')).toBe(100 - 650);
  });
});
