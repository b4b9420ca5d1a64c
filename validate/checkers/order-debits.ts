// Each order debited its wallet exactly once, by total - shortfall_cents, and every order
// debit in the ledger belongs to an order of that wallet. (Ledger and orders written apart:
// a debit twice, a debit missing, or the wrong amount.)
import { countViolationKinds } from '../violations.js';
import type { Checker } from '../types.js';

export const orderDebits: Checker = {
  name: 'order-debits',
  anomaly: 'order-debit-mismatch',
  description: 'each order has exactly one order ledger row of -(total - shortfall); no order debit without an order',
  async run(ctx) {
    const r = await countViolationKinds(ctx, {
      order_debit_mismatch: {
        sql: `
          SELECT o.id::text AS order_id, o.wallet_id, o.total_cents, o.shortfall_cents,
                 coalesce(d.debits, 0) AS debits, coalesce(d.debited, 0) AS debited_cents
          FROM orders o
          LEFT JOIN (
            SELECT reference_id, count(*) AS debits, -sum(amount_cents) AS debited
            FROM ledger WHERE kind = 'order' AND wallet_id LIKE $1 GROUP BY reference_id
          ) d ON d.reference_id = o.id::text
          WHERE o.wallet_id LIKE $1
            AND (coalesce(d.debits, 0) <> 1 OR d.debited <> o.total_cents - o.shortfall_cents)`,
        params: [ctx.scope.walletLike],
        orderBy: 'wallet_id, order_id',
      },
      debit_without_order: {
        sql: `
          SELECT l.id AS ledger_id, l.wallet_id, l.amount_cents, l.reference_id
          FROM ledger l
          WHERE l.kind = 'order' AND l.wallet_id LIKE $1
            AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id::text = l.reference_id AND o.wallet_id = l.wallet_id)`,
        params: [ctx.scope.walletLike],
        orderBy: 'ledger_id',
      },
    });
    return { violations: r.violations, witnesses: r.witnesses, info: r.byKind };
  },
};
