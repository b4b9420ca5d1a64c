// An order's total is the sum of its lines, each line is quantity x unit price,
// and the unit price is the product's price.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const orderTotals: Checker = {
  name: 'order-totals',
  anomaly: 'order-total-mismatch',
  description: 'order total = sum of lines; line total = quantity x unit price; unit price = product price',
  async run(ctx) {
    // Orders and lines side by side in one aggregate by order id (a join of millions of orders
    // to their lines plans as random index scans). Groups without an in-scope order are dropped.
    return countViolations(ctx, {
      sql: `
        SELECT order_id::text AS order_id, min(wallet_id) AS wallet_id, sum(total) AS total_cents,
               sum(line_total) AS lines_total_cents, sum(is_line) AS lines,
               sum(bad_line) AS bad_line_totals, sum(off_price) AS lines_off_price
        FROM (
          SELECT id AS order_id, wallet_id, total_cents AS total, 0::bigint AS line_total,
                 1 AS is_order, 0 AS is_line, 0 AS bad_line, 0 AS off_price
          FROM orders WHERE wallet_id LIKE $1
          UNION ALL
          SELECT ol.order_id, NULL, 0, ol.line_total_cents, 0, 1,
                 (ol.line_total_cents <> ol.quantity * ol.unit_price_cents)::int,
                 (p.price_cents IS DISTINCT FROM ol.unit_price_cents)::int
          FROM order_lines ol LEFT JOIN products p ON p.id = ol.product_id
        ) x
        GROUP BY order_id
        HAVING sum(is_order) = 1
           AND (sum(total) <> sum(line_total) OR sum(bad_line) > 0 OR sum(off_price) > 0)`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id, order_id',
    });
  },
  screen: {
    // Σ hash(order) x total over orders = Σ hash(order) x line total over lines; no bad line anywhere.
    passes: ['orders', 'order_lines'],
    decide: (p) => {
      const o = p.one('orders');
      const l = p.one('order_lines');
      return same(o.total_fp, l.total_fp) && same(l.bad_line, 0) && same(l.off_price, 0) ? agreed() : null;
    },
  },
};
