// Invariant 4a: an order's total is the sum of its lines, each line is quantity x unit price,
// and the unit price is the product's price (the source docs' "bar order totals match items").
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';

export const orderTotals: Checker = {
  name: 'order-totals',
  anomaly: 'order-total-mismatch',
  description: 'order total = sum of lines; line total = quantity x unit price; unit price = product price',
  async run(ctx) {
    // One pass: orders joined to their lines, grouped by the orders' key.
    return countViolations(ctx, {
      sql: `
        SELECT o.id::text AS order_id, o.wallet_id, o.total_cents,
               coalesce(sum(ol.line_total_cents), 0) AS lines_total_cents, count(ol.order_id) AS lines,
               count(*) FILTER (WHERE ol.line_total_cents <> ol.quantity * ol.unit_price_cents) AS bad_line_totals,
               count(*) FILTER (WHERE ol.order_id IS NOT NULL AND p.price_cents IS DISTINCT FROM ol.unit_price_cents) AS lines_off_price
        FROM orders o
        LEFT JOIN order_lines ol ON ol.order_id = o.id
        LEFT JOIN products p ON p.id = ol.product_id
        WHERE o.wallet_id LIKE $1
        GROUP BY o.id
        HAVING o.total_cents <> coalesce(sum(ol.line_total_cents), 0)
            OR count(*) FILTER (WHERE ol.line_total_cents <> ol.quantity * ol.unit_price_cents) > 0
            OR count(*) FILTER (WHERE ol.order_id IS NOT NULL AND p.price_cents IS DISTINCT FROM ol.unit_price_cents) > 0`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id, order_id',
    });
  },
};
