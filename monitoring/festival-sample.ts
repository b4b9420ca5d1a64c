// What the platform's own tables say while a run goes on: people inside the venue against its
// capacity, and the money this run's writes left in the database (its idempotency keys start
// with "<run-id>:"). The db monitor samples this next to PostgreSQL's statistics, so the
// dashboards can show the database's truth beside what the load saw acknowledged.
// Reads the tables of platform/migrations/001_schema.sql; a deployment without them (or
// without read access) simply yields no festival sample.
import type pg from 'pg';
import { runKeyPrefix } from '../core/operations.js';

export interface FestivalSample {
  venueOccupancy: number;
  venueCapacity: number;
  /** Orders this run created, their totals and the platform's share. */
  runOrders: number;
  runRevenueCents: number;
  runPlatformFeeCents: number;
  runRecharges: number;
  runRechargeCents: number;
  runFundingsConfirmed: number;
  runFundingCents: number;
  runAdmissions: number;
  runReentryFeeCents: number;
}

/** LIKE pattern for strings starting with `literal` (%, _ and \ escaped). */
function startsWith(literal: string): string {
  return `${literal.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// One statement, so every figure comes from the same snapshot.
const SQL = `
SELECT (SELECT occupancy FROM venue_state LIMIT 1)::bigint AS venue_occupancy,
       (SELECT venue_capacity FROM festival_settings LIMIT 1)::bigint AS venue_capacity,
       o.n AS run_orders, o.total AS run_revenue_cents, o.fee AS run_platform_fee_cents,
       r.n AS run_recharges, r.total AS run_recharge_cents,
       f.n AS run_fundings_confirmed, f.total AS run_funding_cents,
       s.n AS run_admissions, s.fees AS run_reentry_fee_cents
FROM (SELECT count(*)::bigint AS n, coalesce(sum(total_cents), 0)::bigint AS total, coalesce(sum(platform_fee_cents), 0)::bigint AS fee
        FROM orders WHERE idempotency_key LIKE $1) o,
     (SELECT count(*)::bigint AS n, coalesce(sum(amount_cents), 0)::bigint AS total
        FROM recharges WHERE idempotency_key LIKE $1) r,
     (SELECT count(*)::bigint AS n, coalesce(sum(amount_cents), 0)::bigint AS total
        FROM funding_intents WHERE idempotency_key LIKE $1 AND status = 'confirmed') f,
     (SELECT count(*)::bigint AS n, coalesce(sum(fee_cents), 0)::bigint AS fees
        FROM nfc_scan_log WHERE idempotency_key LIKE $1 AND direction = 'entry' AND result IN ('admitted', 'readmitted')) s`;

export async function sampleFestival(db: Pick<pg.Pool, 'query'>, runId: string): Promise<FestivalSample> {
  const { rows } = await db.query(SQL, [startsWith(runKeyPrefix(runId))]);
  const r = rows[0] as Record<string, string | null>;
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    venueOccupancy: n('venue_occupancy'),
    venueCapacity: n('venue_capacity'),
    runOrders: n('run_orders'),
    runRevenueCents: n('run_revenue_cents'),
    runPlatformFeeCents: n('run_platform_fee_cents'),
    runRecharges: n('run_recharges'),
    runRechargeCents: n('run_recharge_cents'),
    runFundingsConfirmed: n('run_fundings_confirmed'),
    runFundingCents: n('run_funding_cents'),
    runAdmissions: n('run_admissions'),
    runReentryFeeCents: n('run_reentry_fee_cents'),
  };
}
