// Each order debited its wallet exactly once, by total - shortfall_cents, and every order
// debit in the ledger belongs to an order of that wallet. (Ledger and orders written apart:
// a debit twice, a debit missing, the wrong amount, or a debit with no order.)
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const orderDebits: Checker = {
  name: 'order-debits',
  anomaly: 'order-debit-mismatch',
  description: 'each order has exactly one order ledger row of -(total - shortfall); no order debit without an order',
  async run(ctx) {
    // Orders and their debits side by side, one aggregate: no join over millions of rows.
    // A debit booked on another wallet than the order's shows as min(wallet) <> max(wallet).
    return countViolations(ctx, {
      sql: `
        SELECT CASE WHEN sum(is_order) = 0 THEN 'debit_without_order' ELSE 'order_debit_mismatch' END AS kind,
               reference_id AS order_id, min(wallet_id) AS wallet_id, sum(expected) AS expected_debit_cents,
               sum(debits) AS debits, sum(debited) AS debited_cents
        FROM (
          SELECT id::text AS reference_id, wallet_id, 1 AS is_order, total_cents - shortfall_cents AS expected, 0 AS debits, 0::bigint AS debited
          FROM orders WHERE wallet_id LIKE $1
          UNION ALL
          SELECT reference_id, wallet_id, 0, 0, 1, -amount_cents
          FROM ledger WHERE kind = 'order' AND wallet_id LIKE $1
        ) x
        GROUP BY reference_id
        HAVING sum(is_order) <> 1 OR sum(debits) <> 1 OR sum(debited) <> sum(expected) OR min(wallet_id) <> max(wallet_id)`,
      params: [ctx.scope.walletLike],
      orderBy: 'kind DESC, wallet_id, order_id',
    });
  },
  screen: {
    // Orders and order debits as (order, wallet) sets, counted and weighted by amount.
    passes: ['orders', 'ledger'],
    decide: (p) => {
      const o = p.one('orders');
      const l = p.one('ledger');
      return same(o.n, l.order_n) && same(o.debit_cfp, l.order_cfp) && same(o.debit_afp, l.order_afp) ? agreed() : null;
    },
  },
};
