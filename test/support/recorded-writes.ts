// What the database recorded under one run's idempotency keys, per write, in count and cents:
// what tests reconcile a run's outcome counters against.
import { outcomeMetric } from '../../core/metric-names.js';
import type pg from 'pg';
import type { ScenarioName } from '../../core/profiles.js';

export async function recordedWrites(pool: pg.Pool, runId: string) {
  const like = `${runId}:%`;
  const one = async (sql: string) => {
    const row = (await pool.query<{ n: string; cents: string }>(sql, [like])).rows[0]!;
    return { n: Number(row.n), cents: Number(row.cents) };
  };
  return {
    admissions: await one(`SELECT count(*) AS n, coalesce(sum(fee_cents), 0) AS cents FROM nfc_scan_log WHERE idempotency_key LIKE $1 AND direction = 'entry' AND result IN ('admitted', 'readmitted')`),
    exits: await one(`SELECT count(*) AS n, 0 AS cents FROM nfc_scan_log WHERE idempotency_key LIKE $1 AND direction = 'exit' AND result = 'exited'`),
    orders: await one(`SELECT count(*) AS n, coalesce(sum(total_cents), 0) AS cents FROM orders WHERE idempotency_key LIKE $1`),
    recharges: await one(`SELECT count(*) AS n, coalesce(sum(amount_cents), 0) AS cents FROM recharges WHERE idempotency_key LIKE $1`),
    confirmedFundings: await one(`SELECT count(*) AS n, coalesce(sum(amount_cents), 0) AS cents FROM funding_intents WHERE idempotency_key LIKE $1 AND status = 'confirmed'`),
  };
}

/** The acked write each scenario must have made at least once. */
export const MAIN_WRITE: Record<ScenarioName, string> = {
  entry: outcomeMetric('entry', 'acked'),
  concession: outcomeMetric('order', 'acked'),
  funding: outcomeMetric('funding_webhook', 'acked'),
  reentry: outcomeMetric('entry', 'acked'),
  full: outcomeMetric('order', 'acked'),
  contention: outcomeMetric('order', 'acked'),
};
