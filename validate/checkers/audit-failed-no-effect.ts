// An operation recorded as rejected or failed changed nothing: same balance before and after,
// no amount applied, no ledger row referenced or written in the same transaction (same xmin).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const auditFailedNoEffect: Checker = {
  name: 'audit-failed-no-effect',
  anomaly: 'failed-op-changed-balance',
  description: 'rejected/failed operations left the balance unchanged and wrote no ledger row',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT a.id AS audit_id, a.wallet_id, a.transaction_type, a.status, a.code,
               a.previous_balance, a.new_balance, a.amount_cents, a.ledger_id, a.idempotency_key
        FROM app_transaction_log a
        WHERE a.status IN ('rejected', 'failed') AND a.wallet_id LIKE $1
          AND (a.previous_balance IS DISTINCT FROM a.new_balance
               OR a.amount_cents <> 0
               OR a.ledger_id IS NOT NULL
               OR EXISTS (SELECT 1 FROM ledger l WHERE l.xmin = a.xmin AND l.wallet_id = a.wallet_id))`,
      params: [ctx.scope.walletLike],
      orderBy: 'audit_id',
    });
  },
  screen: {
    passes: ['audit', 'ledger'],
    // Flags on the audit rows; a ledger row written in a refused attempt's transaction: ledger pass.
    decide: (p) => (p.rows('audit').every((r) => (r.status !== 'rejected' && r.status !== 'failed') || same(r.with_effect, 0))
      && same(p.one('ledger').in_refused_transaction, 0) ? agreed() : null),
  },
};
