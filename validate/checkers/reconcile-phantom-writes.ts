// Reconciliation, upper bound: the database holds no more than was acknowledged or left
// indeterminate (held <= acked + indeterminate, count and cents): nothing the target
// refused, or never received, was applied anyway.
import { HELD_PASSES, heldFromPasses, phantomWrites, reconcile, reconcileHeld, reconciliationSkipReason, type OpReconciliation } from '../reconciliation.js';
import type { Checker } from '../types.js';

export const reconcilePhantomWrites: Checker = {
  name: 'reconcile-phantom-writes',
  anomaly: 'phantom-write',
  description: 'per write op, the database holds at most acked + indeterminate (count and cents)',
  async run(ctx) {
    const skip = reconciliationSkipReason(ctx);
    if (skip) return { violations: 0, witnesses: [], skipped: skip };
    const table = await reconcile(ctx.db, ctx.scope.runKeyLike!, ctx.summary!);
    const witnesses = phantomWrites(table);
    return {
      violations: witnesses.length,
      witnesses: witnesses.slice(0, ctx.witnessLimit),
      info: { summary: ctx.summary!.path, indeterminate_operations: indeterminateOps(table) },
    };
  },
  screen: {
    passes: HELD_PASSES,
    decide: (p, ctx) => {
      const skip = reconciliationSkipReason(ctx);
      if (skip) return { violations: 0, witnesses: [], skipped: skip };
      const table = reconcileHeld(heldFromPasses(p), ctx.summary!);
      return phantomWrites(table).length === 0
        ? { violations: 0, witnesses: [], info: { summary: ctx.summary!.path, indeterminate_operations: indeterminateOps(table) } }
        : null;
    },
  },
};

function indeterminateOps(table: OpReconciliation[]): Record<string, number> {
  return Object.fromEntries(table.filter((r) => r.indeterminate > 0).map((r) => [r.op, r.indeterminate]));
}
