// Acked <= what the database holds <= acked + indeterminate, per write op, in
// count and cents, against results/<run-id>/summary.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { buildBaseline } from './support/baseline.js';
import { resetFestivalTables } from './support/reset.js';
import { expectFailures, result, tempResultsDir, validate, writeSummary } from './support/validation.js';

const db = await useTestDatabase();

async function validateWith(summary: object) {
  const resultsDir = tempResultsDir();
  writeSummary(resultsDir, 'run-1', summary);
  return validate(db.url, { runId: 'run-1', resultsDir });
}

describe('reconciliation with the load generator', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('lost-write: an order acknowledged but rolled back (server defect ack_then_rollback)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    const r = await f.order(wallets.alice, [['p-water', 1]], { rollback: true });
    expect(r.http_status).toBe(201);
    const report = await validateWith(f.summary());
    expectFailures(report, { 'reconcile-lost-writes': 2 });
    expect(result(report, 'reconcile-lost-writes').witnesses).toEqual([
      { op: 'order', measure: 'count', acked: 4, held: 3, lost: 1 },
      { op: 'order', measure: 'cents', acked: 3000, held: 2700, lost: 300 },
    ]);
  });

  it('lost-write: a webhook acknowledged as applied but rolled back', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    const intent = await f.fundingIntent(wallets.bob, 900);
    await f.webhook(intent, 'evt_bob_1', 'payment_intent.succeeded', { rollback: true });
    const report = await validateWith(f.summary());
    expectFailures(report, { 'reconcile-lost-writes': 2 });
    expect(result(report, 'reconcile-lost-writes').witnesses).toEqual([
      { op: 'funding_webhook', measure: 'count', acked: 3, held: 2, lost: 1 },
      { op: 'funding_webhook', measure: 'cents', acked: 2900, held: 2000, lost: 900 },
    ]);
  });

  it('phantom-write: an order committed but answered 402 (server defect commit_then_reject)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    await f.order(wallets.alice, [['p-beer', 1]], { seenAs: 'rejected' });
    const report = await validateWith(f.summary());
    expectFailures(report, { 'reconcile-phantom-writes': 2 });
    expect(result(report, 'reconcile-phantom-writes').witnesses).toEqual([
      { op: 'order', measure: 'count', acked: 3, indeterminate: 0, held: 4, phantom: 1 },
      { op: 'order', measure: 'cents', acked: 2700, indeterminate: 0, held: 3350, phantom: 650 },
    ]);
  });

  it('indeterminate writes may or may not be there: both are within bounds, and reported', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    await f.recharge(wallets.bob, 400, { seenAs: 'indeterminate' }); // timed out, but committed
    await f.recharge(wallets.bob, 600, { seenAs: 'indeterminate', rollback: true }); // timed out, never committed
    const report = await validateWith(f.summary());
    expectFailures(report, {});
    expect(result(report, 'reconcile-phantom-writes').info).toMatchObject({ indeterminate_operations: { recharge: 2 } });
    const ops = result(report, 'reconcile-lost-writes').info!.operations as Array<Record<string, unknown>>;
    expect(ops.find((o) => o.op === 'recharge')).toEqual({ op: 'recharge', acked: 1, rejected: 0, indeterminate: 2, held: 2, acked_cents: 1000, indeterminate_cents: 1000, held_cents: 1400 });
  });

  it('reads a hand-written summary.json in k6 handleSummary shape (lost and phantom at once)', async () => {
    await buildBaseline(db.pool);
    // The database holds 1 recharge (1000), 3 orders (2700), 4 admissions (500 in fees).
    const report = await validateWith({
      root_group: { name: '', groups: [], checks: [] },
      metrics: {
        moshpit_recharge_acked: { type: 'counter', contains: 'default', values: { count: 3, rate: 0.05 } },
        moshpit_recharge_acked_cents: { type: 'counter', contains: 'default', values: { count: 3000, rate: 50 } },
        moshpit_order_acked: { type: 'counter', contains: 'default', values: { count: 1, rate: 0.01 } },
        moshpit_order_acked_cents: { type: 'counter', contains: 'default', values: { count: 650, rate: 10 } },
        moshpit_entry_acked: { type: 'counter', contains: 'default', values: { count: 4, rate: 0.1 } },
        moshpit_entry_acked_cents: { type: 'counter', contains: 'default', values: { count: 500, rate: 1 } },
        moshpit_exit_acked: { type: 'counter', contains: 'default', values: { count: 2, rate: 0.1 } },
        moshpit_exit_indeterminate: { type: 'counter', contains: 'default', values: { count: 1, rate: 0.1 } },
        moshpit_funding_webhook_acked: { type: 'counter', contains: 'default', values: { count: 2, rate: 0.1 } },
        moshpit_funding_webhook_acked_cents: { type: 'counter', contains: 'default', values: { count: 2000, rate: 1 } },
        http_req_duration: { type: 'trend', contains: 'time', values: { avg: 12.5, 'p(95)': 40 } },
      },
      moshpit: { runId: 'run-1', scenario: 'full' },
    });
    expectFailures(report, { 'reconcile-lost-writes': 2, 'reconcile-phantom-writes': 2 });
    expect(result(report, 'reconcile-lost-writes').witnesses).toEqual([
      { op: 'recharge', measure: 'count', acked: 3, held: 1, lost: 2 },
      { op: 'recharge', measure: 'cents', acked: 3000, held: 1000, lost: 2000 },
    ]);
    expect(result(report, 'reconcile-phantom-writes').witnesses).toEqual([
      { op: 'order', measure: 'count', acked: 1, indeterminate: 0, held: 3, phantom: 2 },
      { op: 'order', measure: 'cents', acked: 650, indeterminate: 0, held: 2700, phantom: 2050 },
    ]);
  });

  it('reads k6 --summary-export and machine-readable summaries the same way', async () => {
    const { f } = await buildBaseline(db.pool);
    expectFailures(await validateWith(f.summary('summary-export')), {});
    const legacy = f.summary() as { metrics: Record<string, { values: { count: number } }> };
    const machine = {
      version: '2', metadata: {}, config: {},
      results: { metrics: Object.entries(legacy.metrics).map(([name, m]) => ({ name, type: 'counter', values: { count: m.values.count } })) },
    };
    const report = await validateWith(machine);
    expectFailures(report, {});
  });

  it('a malformed summary.json fails reconciliation as an error, not as a pass', async () => {
    await buildBaseline(db.pool);
    const resultsDir = tempResultsDir();
    writeSummary(resultsDir, 'run-1', {});
    writeFileSync(join(resultsDir, 'run-1', 'summary.json'), '{"metrics": {"moshpit_order_acked": {"values": {"count": 1.5}}}}');
    const report = await validate(db.url, { runId: 'run-1', resultsDir });
    expect(report.ok).toBe(false);
    expect(result(report, 'reconcile-lost-writes').error).toMatch(/moshpit_order_acked count is not a non-negative integer: 1.5/);
    expect(result(report, 'no-negative-balance').ok).toBe(true);
  });

  it('unlogged rejection: a refusal the client saw that the audit trail does not hold', async () => {
    const { f } = await buildBaseline(db.pool);
    const poor = await f.wallet('poor', 100);
    const r = await f.order(poor, [['p-beer', 1]]);
    expect(r.code).toBe('insufficient_funds');
    // Every insufficient_funds refusal of the run, as the clients counted them (the baseline has some too).
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM app_transaction_log WHERE idempotency_key LIKE 'run-1:%' AND transaction_type = 'order' AND status = 'rejected' AND code = 'insufficient_funds'`);
    const seen = rows[0]!.n as number;
    const base = f.summary() as { metrics: Record<string, unknown> };
    const summary = { ...base, metrics: { ...base.metrics, 'moshpit_order_rejected{reason:insufficient_funds}': { type: 'counter', contains: 'default', values: { count: seen } } } };
    const ok = await validateWith(summary);
    expect(result(ok, 'reconcile-rejections').ok).toBe(true);
    // The platform refused, and answered so, but kept no record of it.
    await db.pool.query(`DELETE FROM app_transaction_log WHERE status = 'rejected' AND code = 'insufficient_funds' AND wallet_id = $1`, [poor]);
    const report = await validateWith(summary);
    expectFailures(report, { 'reconcile-rejections': 1 });
    expect(result(report, 'reconcile-rejections').witnesses).toEqual([
      { op: 'order', code: 'insufficient_funds', audit_type: 'order', seen_by_clients: seen, recorded: seen - 1, unrecorded: 1 },
    ]);
  });
});
