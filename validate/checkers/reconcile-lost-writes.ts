// Reconciliation, lower bound: every write the target acknowledged is in the database
// (acked <= held, count and cents). See validate/reconciliation.ts for what "held" means.
import { lostWrites, reconciliationJudge } from '../reconciliation.js';
import type { Checker } from '../types.js';

export const reconcileLostWrites: Checker = {
  name: 'reconcile-lost-writes',
  anomaly: 'lost-write',
  description: 'per write op, the database holds at least what k6 saw acknowledged (count and cents)',
  ...reconciliationJudge(lostWrites, (table) => ({ operations: table })),
};
