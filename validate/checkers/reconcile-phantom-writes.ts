// Reconciliation, upper bound: the database holds no more than was acknowledged or left
// indeterminate (held <= acked + indeterminate, count and cents): nothing the target
// refused, or never received, was applied anyway.
import { phantomWrites, reconciliationJudge, type OpReconciliation } from '../reconciliation.js';
import type { Checker } from '../types.js';

export const reconcilePhantomWrites: Checker = {
  name: 'reconcile-phantom-writes',
  anomaly: 'phantom-write',
  description: 'per write op, the database holds at most acked + indeterminate (count and cents)',
  ...reconciliationJudge(phantomWrites, (table) => ({ indeterminate_operations: indeterminateOps(table) })),
};

function indeterminateOps(table: OpReconciliation[]): Record<string, number> {
  return Object.fromEntries(table.filter((r) => r.indeterminate > 0).map((r) => [r.op, r.indeterminate]));
}
