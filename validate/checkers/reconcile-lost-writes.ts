// Reconciliation, lower bound: every write the target acknowledged is in the database
// (acked <= held, count and cents). See validate/reconciliation.ts for what "held" means.
import { HELD_PASSES, heldFromPasses, lostWrites, reconcile, reconcileHeld, reconciliationSkipReason } from '../reconciliation.js';
import type { Checker } from '../types.js';

export const reconcileLostWrites: Checker = {
  name: 'reconcile-lost-writes',
  anomaly: 'lost-write',
  description: 'per write op, the database holds at least what k6 saw acknowledged (count and cents)',
  async run(ctx) {
    const skip = reconciliationSkipReason(ctx);
    if (skip) return { violations: 0, witnesses: [], skipped: skip };
    const table = await reconcile(ctx.db, ctx.scope.runKeyLike!, ctx.summary!);
    const witnesses = lostWrites(table);
    return { violations: witnesses.length, witnesses: witnesses.slice(0, ctx.witnessLimit), info: { summary: ctx.summary!.path, operations: table } };
  },
  screen: {
    passes: HELD_PASSES,
    decide: (p, ctx) => {
      const skip = reconciliationSkipReason(ctx);
      if (skip) return { violations: 0, witnesses: [], skipped: skip };
      const table = reconcileHeld(heldFromPasses(p), ctx.summary!);
      return lostWrites(table).length === 0 ? { violations: 0, witnesses: [], info: { summary: ctx.summary!.path, operations: table } } : null;
    },
  },
};
