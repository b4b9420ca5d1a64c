// Rejections the clients were told about are in the platform's audit trail: for each business
// rejection code (core/operations.ts AUDITED_REJECTIONS), the run's audit rows with that code
// number at least the logical writes the load saw rejected with it. A platform that refuses
// but logs nothing (or logs another code) passes every money check; this one catches it.
import { rejectionMetric } from '../../core/metric-names.js';
import { AUDITED_REJECTIONS } from '../../core/operations.js';
import { reconciliationSkipReason } from '../reconciliation.js';
import { safeInt } from '../pg-integers.js';
import type { CheckContext, CheckOutcome, Checker, Witness } from '../types.js';

export const reconcileRejections: Checker = {
  name: 'reconcile-rejections',
  anomaly: 'unlogged-rejection',
  description: 'every rejection the clients saw (per operation and code) is recorded in the audit trail',
  async run(ctx) {
    const skip = reconciliationSkipReason(ctx);
    if (skip) return { violations: 0, witnesses: [], skipped: skip };
    const { rows } = await ctx.db.query(
      `SELECT transaction_type, code, count(*) AS n FROM app_transaction_log
       WHERE idempotency_key LIKE $1 AND status = 'rejected' GROUP BY 1, 2`,
      [ctx.scope.runKeyLike],
    );
    return compare(rows, ctx);
  },
  screen: {
    // The audit pass groups by type, status, code and "in the run".
    passes: ['audit'],
    decide: (p, ctx) => {
      const skip = reconciliationSkipReason(ctx);
      if (skip) return { violations: 0, witnesses: [], skipped: skip };
      const out = compare(p.rows('audit').filter((r) => r.in_run === true && r.status === 'rejected'), ctx);
      return out.violations === 0 ? out : null;
    },
  },
};

/** Audited rejection counts (rows of transaction_type, code, n; summed per pair) vs what the clients saw. */
function compare(rows: ReadonlyArray<Record<string, unknown>>, ctx: Omit<CheckContext, 'db'>): CheckOutcome {
  const recorded = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.transaction_type}|${r.code}`;
    recorded.set(key, (recorded.get(key) ?? 0) + safeInt(r.n, 'audited rejections'));
  }
  const witnesses: Witness[] = [];
  const table = AUDITED_REJECTIONS.map((r) => {
    const seen = ctx.summary!.counter(rejectionMetric(r.op, r.code));
    const logged = recorded.get(`${r.auditType}|${r.code}`) ?? 0;
    if (logged < seen) witnesses.push({ op: r.op, code: r.code, audit_type: r.auditType, seen_by_clients: seen, recorded: logged, unrecorded: seen - logged });
    return { op: r.op, code: r.code, seen_by_clients: seen, recorded: logged };
  });
  return { violations: witnesses.length, witnesses: witnesses.slice(0, ctx.witnessLimit), info: { rejections: table } };
}
