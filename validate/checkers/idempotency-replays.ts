// A replay (audit status 'replayed': an idempotent retry answered from the
// stored result, or a duplicate Stripe delivery) never has an effect: no ledger row
// referenced, no ledger row written in the same transaction (same xmin), no balance change.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const idempotencyReplays: Checker = {
  name: 'idempotency-replays',
  anomaly: 'replay-with-effect',
  description: 'replayed requests wrote no ledger row and changed no balance',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT a.id AS audit_id, a.wallet_id, a.transaction_type, a.idempotency_key, a.ledger_id,
               a.previous_balance, a.new_balance, a.amount_cents,
               (SELECT min(l.id) FROM ledger l WHERE l.xmin = a.xmin AND l.wallet_id = a.wallet_id) AS ledger_row_same_transaction
        FROM app_transaction_log a
        WHERE a.status = 'replayed' AND a.wallet_id LIKE $1
          AND (a.ledger_id IS NOT NULL
               OR a.amount_cents <> 0
               OR a.previous_balance IS DISTINCT FROM a.new_balance
               OR EXISTS (SELECT 1 FROM ledger l WHERE l.xmin = a.xmin AND l.wallet_id = a.wallet_id))`,
      params: [ctx.scope.walletLike],
      orderBy: 'audit_id',
    });
  },
  screen: {
    passes: ['audit', 'ledger'],
    // Flags on the audit rows; a ledger row written in a refused attempt's transaction: ledger pass.
    decide: (p) => (p.rows('audit').every((r) => r.status !== 'replayed' || same(r.with_effect, 0))
      && same(p.one('ledger').in_refused_transaction, 0) ? agreed() : null),
  },
};
