// No idempotency key left in_progress. A stuck key answers every retry with 409 in_flight
// forever: the operation is lost.
// Keys younger than the bound may belong to a request still finishing: info only.
import { safeInt } from '../pg-integers.js';
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

const IN_SCOPE = `(CASE WHEN $2::text IS NULL THEN k.wallet_id LIKE $1 ELSE k.key LIKE $2 END)`;

export const idempotencyStuck: Checker = {
  name: 'idempotency-stuck',
  anomaly: 'stuck-idempotency-key',
  description: 'no idempotency key is still in_progress after the bound',
  async run(ctx) {
    const params = [ctx.scope.walletLike, ctx.scope.runKeyLike, ctx.asOf, ctx.bounds.stuckKeySeconds];
    const r = await countViolations(ctx, {
      sql: `
        SELECT k.key, k.operation, k.wallet_id, k.locked_at,
               floor(extract(epoch FROM $3::timestamptz - k.locked_at))::bigint AS age_seconds
        FROM idempotency_keys k
        WHERE k.status = 'in_progress' AND ${IN_SCOPE}
          AND k.locked_at < $3::timestamptz - make_interval(secs => $4)`,
      params,
      orderBy: 'locked_at, key',
    });
    const fresh = await ctx.db.query(
      `SELECT count(*) AS n FROM idempotency_keys k
       WHERE k.status = 'in_progress' AND ${IN_SCOPE} AND k.locked_at >= $3::timestamptz - make_interval(secs => $4)`,
      params,
    );
    const freshInProgress = safeInt(fresh.rows[0]!.n, 'fresh in-progress keys');
    return { ...r, info: { bound_seconds: ctx.bounds.stuckKeySeconds, fresh_in_progress: freshInProgress } };
  },
  screen: {
    passes: ['idempotency_keys'],
    decide: (p, ctx) => {
      const k = p.one('idempotency_keys');
      return same(k.stuck, 0) ? agreed({ bound_seconds: ctx.bounds.stuckKeySeconds, fresh_in_progress: safeInt(k.fresh_in_progress, 'fresh in-progress keys') }) : null;
    },
  },
};
