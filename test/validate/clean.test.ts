// No false alarms: a festival day run through the real procedures, with rejections, a
// replay and a duplicate webhook, passes every checker, with and without reconciliation.
import { beforeEach, describe, expect, it } from 'vitest';
import { CHECKER_NAMES, CHECKERS } from '../../validate/checkers/index.js';
import { useTestDatabase } from '../support/db.js';
import { buildBaseline } from './support/baseline.js';
import { resetFestivalTables } from './support/reset.js';
import { expectFailures, result, tempResultsDir, validate, writeSummary } from './support/validation.js';

const db = await useTestDatabase();

describe('clean festival day', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('passes every checker and reconciles exactly with what the client saw', async () => {
    const { f } = await buildBaseline(db.pool);
    const resultsDir = tempResultsDir();
    writeSummary(resultsDir, 'run-1', f.summary());
    const report = await validate(db.url, { runId: 'run-1', resultsDir });
    expectFailures(report, {});
    expect(report.results.map((r) => r.name)).toEqual(CHECKER_NAMES);
    expect(report.results.filter((r) => r.skipped)).toEqual([]);
    expect(report.snapshot).toBe('shared');
    const ops = result(report, 'reconcile-lost-writes').info!.operations as Array<Record<string, number | string>>;
    expect(ops.find((o) => o.op === 'order')).toMatchObject({ acked: 3, rejected: 1, held: 3, acked_cents: 650 * 2 + 450 + 300 + 650, held_cents: 2700 });
    expect(ops.find((o) => o.op === 'entry')).toMatchObject({ acked: 2 + 1 + 1, rejected: 2, held: 4, acked_cents: 500, held_cents: 500 });
    expect(ops.find((o) => o.op === 'funding_webhook')).toMatchObject({ acked: 2, acked_cents: 2000, held: 2, held_cents: 2000 }); // one paid, one failed
  });

  it('settles every screened checker from the table passes, without its exact query', async () => {
    const { f } = await buildBaseline(db.pool);
    const resultsDir = tempResultsDir();
    writeSummary(resultsDir, 'run-1', f.summary());
    const report = await validate(db.url, { runId: 'run-1', resultsDir });
    expect(report.passes!.filter((p) => p.error)).toEqual([]);
    const screened = CHECKERS.filter((c) => c.screen).map((c) => c.name);
    expect(screened.length).toBeGreaterThan(20);
    // duplicate-scans has examples to show here (the baseline's scans are milliseconds apart).
    const byExact = report.results.filter((r) => screened.includes(r.name) && r.decidedBy !== 'single-pass').map((r) => r.name);
    expect(byExact).toEqual(['duplicate-scans']);
    const exact = await validate(db.url, { runId: 'run-1', resultsDir, singlePass: false });
    expect(exact.results.every((r) => r.decidedBy === 'exact')).toBe(true);
  });

  it('reports information without failing: declined orders, fresh pending funding, rejections', async () => {
    await buildBaseline(db.pool);
    const report = await validate(db.url);
    expectFailures(report, {});
    expect(result(report, 'activity').info).toMatchObject({ wallets: 5, declined_orders: 1, funding_intents: { confirmed: 1, pending: 1, failed: 1 } });
    expect(result(report, 'funding-orphans').info).toMatchObject({ fresh_pending: 1, fresh_pending_cents: 1500 });
    expect(result(report, 'duplicate-scans').ok).toBe(true);
    expect((result(report, 'duplicate-scans').info!.duplicate_scans as number) > 0).toBe(true); // everything here is milliseconds apart
  });

  it('skips reconciliation without a run id or without summary.json, and fails nothing for it', async () => {
    await buildBaseline(db.pool);
    const noRun = await validate(db.url);
    expect(result(noRun, 'reconcile-lost-writes').skipped).toMatch(/no run id/);
    const noSummary = await validate(db.url, { runId: 'run-1' });
    expect(result(noSummary, 'reconcile-phantom-writes').skipped).toMatch(/no summary.json/);
    expect(noSummary.ok).toBe(true);
  });

  it('does not look outside the prefix', async () => {
    await buildBaseline(db.pool);
    // Someone else's broken wallet: not ours to judge.
    await db.pool.query(`INSERT INTO wallets (id, balance_cents, opening_balance_cents) VALUES ('prod-w-1', -100, 0)`);
    expectFailures(await validate(db.url), {});
  });
});
