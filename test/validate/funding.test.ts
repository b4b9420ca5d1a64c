// Each confirmed intent credited exactly once; no Stripe event applied twice;
// no orphaned funding.
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { buildBaseline } from './support/baseline.js';
import { appendLedgerEntry } from './support/inject.js';
import { resetFestivalTables } from './support/reset.js';
import { expectFailures, result, tempResultsDir, validate, writeSummary } from './support/validation.js';

const db = await useTestDatabase();

describe('funding', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('double credit: a duplicate Stripe delivery credited again (defect webhook_double_credit)', async () => {
    const { f, wallets, intents } = await buildBaseline(db.pool);
    const r = await f.webhook(intents.carolPaid, 'evt_carol_1', 'payment_intent.succeeded', { defects: ['webhook_double_credit'] });
    expect(r.outcome).toBe('applied');
    const report = await validate(db.url);
    // The credit reuses the intent's key, so the key is applied twice as well.
    expectFailures(report, { 'funding-credited-once': 1, 'funding-event-once': 1, 'idempotency-once': 1, conservation: 1 });
    expect(result(report, 'funding-credited-once').witnesses).toEqual([
      { kind: 'intent_credit_mismatch', intent_id: intents.carolPaid, wallet_id: wallets.carol, status: 'confirmed', amount_cents: 2000, credits: 2, credited_cents: 4000 },
    ]);
    expect(result(report, 'funding-event-once').witnesses).toEqual([
      { kind: 'event_applied_twice', event_id: 'evt_carol_1', intent_id: intents.carolPaid, applications: 2 },
    ]);
  });

  it('event applied twice: the same event recorded as applied twice (no money moved)', async () => {
    const { intents } = await buildBaseline(db.pool);
    await db.pool.query(
      `INSERT INTO stripe_events (event_id, event_type, intent_id, outcome) VALUES ('evt_carol_1', 'payment_intent.succeeded', $1, 'applied')`,
      [intents.carolPaid]);
    const report = await validate(db.url);
    expectFailures(report, { 'funding-event-once': 1 });
  });

  it('event applied twice: one intent confirmed by two different success events', async () => {
    const { f, intents } = await buildBaseline(db.pool);
    await f.webhook(intents.carolPaid, 'evt_carol_2', 'payment_intent.succeeded', { defects: ['webhook_double_credit'] });
    const report = await validate(db.url);
    expectFailures(report, { 'funding-event-once': 1, 'funding-credited-once': 1, 'idempotency-once': 1, conservation: 1 });
    expect(result(report, 'funding-event-once').witnesses).toEqual([{ kind: 'intent_succeeded_twice', intent_id: intents.carolPaid, applied_success_events: 2 }]);
  });

  it('credit-mismatch: a credit for an intent that is not confirmed', async () => {
    const { wallets, intents } = await buildBaseline(db.pool);
    await appendLedgerEntry(db.pool, { wallet: wallets.erin, kind: 'funding', amountCents: 1500, reference: intents.erinPending });
    const report = await validate(db.url);
    expectFailures(report, { 'funding-credited-once': 1, conservation: 1 });
    expect(result(report, 'funding-credited-once').witnesses[0]).toMatchObject({ intent_id: intents.erinPending, status: 'pending', credits: 1, credited_cents: 1500 });
  });

  it('orphaned funding: a success event received but the intent never confirmed', async () => {
    const { wallets, intents } = await buildBaseline(db.pool);
    await db.pool.query(
      `INSERT INTO stripe_events (event_id, event_type, intent_id, outcome) VALUES ('evt_erin_ok', 'payment_intent.succeeded', $1, 'applied')`,
      [intents.erinPending]);
    const report = await validate(db.url);
    expectFailures(report, { 'funding-orphans': 1 });
    expect(result(report, 'funding-orphans').witnesses).toEqual([
      { kind: 'succeeded_not_confirmed', intent_id: intents.erinPending, wallet_id: wallets.erin, status: 'pending', amount_cents: 1500 },
    ]);
  });

  it('orphaned funding: confirmed and credited with no success event on record', async () => {
    const { wallets, intents } = await buildBaseline(db.pool);
    await db.pool.query(`UPDATE funding_intents SET status = 'confirmed', confirmed_at = now() WHERE id = $1`, [intents.erinPending]);
    await appendLedgerEntry(db.pool, { wallet: wallets.erin, kind: 'funding', amountCents: 1500, reference: intents.erinPending });
    const report = await validate(db.url);
    expectFailures(report, { 'funding-orphans': 1 });
    expect(result(report, 'funding-orphans').witnesses[0]).toMatchObject({ kind: 'confirmed_without_event', intent_id: intents.erinPending });
  });

  it('orphaned funding: pending past the bound fails; within the bound it is information', async () => {
    const { intents } = await buildBaseline(db.pool);
    await db.pool.query(`UPDATE funding_intents SET created_at = now() - interval '1 hour' WHERE id = $1`, [intents.erinPending]);
    const report = await validate(db.url);
    expectFailures(report, { 'funding-orphans': 1 });
    expect(result(report, 'funding-orphans').witnesses[0]).toMatchObject({ kind: 'pending_past_bound', intent_id: intents.erinPending, amount_cents: 1500 });
    const tolerant = await validate(db.url, { bounds: { pendingFundingSeconds: 7200 } });
    expectFailures(tolerant, {});
    expect(result(tolerant, 'funding-orphans').info).toMatchObject({ fresh_pending: 1, fresh_pending_cents: 1500, pending_bound_seconds: 7200 });
  });

  it('a run is judged on its own intents, as of its end: not by another run\'s leftovers, not by the clock', async () => {
    const { intents } = await buildBaseline(db.pool);
    // An intent another run left pending an hour ago (its webhook never came).
    await db.pool.query(`UPDATE funding_intents SET created_at = now() - interval '1 hour', idempotency_key = 'old-run:funding_intent:x' WHERE id = $1`, [intents.erinPending]);
    const resultsDir = tempResultsDir();
    const summary = (endedAt: number) => ({ metrics: {}, moshpit: { sources: [{ source: 'artillery-funding-s0', endedAt }] } });
    writeSummary(resultsDir, 'new-run', summary(Date.now()));
    expectFailures(await validate(db.url), { 'funding-orphans': 1 }); // the prefix as a whole: it is an orphan
    const own = await validate(db.url, { runId: 'new-run', resultsDir });
    expect(result(own, 'funding-orphans').ok).toBe(true);

    // That intent's own run ended 10 s after it was created: pending then, fresh, and it stays
    // fresh whenever the run is validated again.
    writeSummary(resultsDir, 'old-run', summary(Date.now() - 3600_000 + 10_000));
    const again = await validate(db.url, { runId: 'old-run', resultsDir });
    expect(result(again, 'funding-orphans').ok).toBe(true);
    expect(result(again, 'funding-orphans').info).toMatchObject({ fresh_pending: 1 });
  });
});
