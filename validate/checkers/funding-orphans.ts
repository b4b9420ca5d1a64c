// No orphaned Stripe funding: a success event was received but the intent is not confirmed;
// an intent confirmed with no success event on record; or an intent still pending past the
// bound (its webhook never arrived).
// Younger pending intents may still be waiting for Stripe: info only. With a run id only that
// run's intents are judged, as of the run's end: no run is judged by another run's leftovers,
// and the same run gets the same verdict whenever it is validated.
import { safeInt } from '../pg-integers.js';
import { countViolationKinds } from '../violations.js';
import type { Checker } from '../types.js';

/** The run's own intents when validating a run, else every intent of the prefix's wallets. */
const IN_SCOPE = `(CASE WHEN $2::text IS NULL THEN f.wallet_id LIKE $1 ELSE f.idempotency_key LIKE $2 END)`;

export const fundingOrphans: Checker = {
  name: 'funding-orphans',
  anomaly: 'orphaned-funding',
  description: 'no success event without a confirmed intent, no confirmation without an event, no pending intent past the bound',
  async run(ctx) {
    const r = await countViolationKinds(ctx, {
      succeeded_not_confirmed: {
        sql: `
          SELECT f.id AS intent_id, f.wallet_id, f.status, f.amount_cents
          FROM funding_intents f
          WHERE ${IN_SCOPE} AND f.status <> 'confirmed'
            AND EXISTS (SELECT 1 FROM stripe_events e WHERE e.intent_id = f.id AND e.event_type = 'payment_intent.succeeded')`,
        params: [ctx.scope.walletLike, ctx.scope.runKeyLike],
        orderBy: 'wallet_id, intent_id',
      },
      confirmed_without_event: {
        sql: `
          SELECT f.id AS intent_id, f.wallet_id, f.amount_cents, f.confirmed_by_event
          FROM funding_intents f
          WHERE ${IN_SCOPE} AND f.status = 'confirmed'
            AND NOT EXISTS (SELECT 1 FROM stripe_events e WHERE e.intent_id = f.id AND e.event_type = 'payment_intent.succeeded')`,
        params: [ctx.scope.walletLike, ctx.scope.runKeyLike],
        orderBy: 'wallet_id, intent_id',
      },
      pending_past_bound: {
        sql: `
          SELECT f.id AS intent_id, f.wallet_id, f.amount_cents, f.created_at,
                 floor(extract(epoch FROM $3::timestamptz - f.created_at))::bigint AS age_seconds
          FROM funding_intents f
          WHERE ${IN_SCOPE} AND f.status = 'pending'
            AND f.created_at < $3::timestamptz - make_interval(secs => $4)`,
        params: [ctx.scope.walletLike, ctx.scope.runKeyLike, ctx.asOf, ctx.bounds.pendingFundingSeconds],
        orderBy: 'created_at, intent_id',
      },
    });
    const fresh = await ctx.db.query(
      `SELECT count(*) AS n, coalesce(sum(amount_cents), 0) AS cents FROM funding_intents
       f WHERE ${IN_SCOPE} AND status = 'pending' AND created_at >= $3::timestamptz - make_interval(secs => $4)`,
      [ctx.scope.walletLike, ctx.scope.runKeyLike, ctx.asOf, ctx.bounds.pendingFundingSeconds],
    );
    return {
      violations: r.violations,
      witnesses: r.witnesses,
      info: {
        ...r.byKind,
        pending_bound_seconds: ctx.bounds.pendingFundingSeconds,
        fresh_pending: safeInt(fresh.rows[0]!.n, 'fresh pending intents'),
        fresh_pending_cents: fresh.rows[0]!.cents,
      },
    };
  },
};
