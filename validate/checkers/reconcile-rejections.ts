// Rejections the clients were told about are in the platform's audit trail: for each business
// rejection code (core/operations.ts AUDITED_REJECTIONS), the run's audit rows with that code
// number at least the logical writes the load saw rejected with it. A platform that refuses
// but logs nothing (or logs another code) passes every money check; this one catches it.
import { rejectionMetric } from '../../core/metric-names.js';
import { AUDITED_REJECTIONS } from '../../core/operations.js';
import { reconciliationSkipReason } from '../reconciliation.js';
import { safeInt } from '../pg-integers.js';
import type { Checker, Witness } from '../types.js';

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
    const recorded = new Map(rows.map((r) => [`${r.transaction_type}|${r.code}`, safeInt(r.n, 'audited rejections')]));
    const witnesses: Witness[] = [];
    const table = AUDITED_REJECTIONS.map((r) => {
      const seen = ctx.summary!.counter(rejectionMetric(r.op, r.code));
      const logged = recorded.get(`${r.auditType}|${r.code}`) ?? 0;
      if (logged < seen) witnesses.push({ op: r.op, code: r.code, audit_type: r.auditType, seen_by_clients: seen, recorded: logged, unrecorded: seen - logged });
      return { op: r.op, code: r.code, seen_by_clients: seen, recorded: logged };
    });
    return { violations: witnesses.length, witnesses: witnesses.slice(0, ctx.witnessLimit), info: { rejections: table } };
  },
};
