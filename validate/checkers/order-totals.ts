// Invariant 4a: an order's total is the sum of its lines, each line is quantity x unit price,
// and the unit price is the product's price (the source docs' "bar order totals match items").
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';

export const orderTotals: Checker = {
  name: 'order-totals',
  anomaly: 'order-total-mismatch',
  description: 'order total = sum of lines; line total = quantity x unit price; unit price = product price',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT o.id::text AS order_id, o.wallet_id, o.total_cents,
               coalesce(l.lines_total, 0) AS lines_total_cents, coalesce(l.lines, 0) AS lines,
               coalesce(l.bad_line_totals, 0) AS bad_line_totals,
               coalesce(l.lines_off_price, 0) AS lines_off_price
        FROM orders o
        LEFT JOIN (
          SELECT ol.order_id,
                 count(*) AS lines,
                 sum(ol.line_total_cents) AS lines_total,
                 count(*) FILTER (WHERE ol.line_total_cents <> ol.quantity * ol.unit_price_cents) AS bad_line_totals,
                 count(*) FILTER (WHERE p.price_cents IS DISTINCT FROM ol.unit_price_cents) AS lines_off_price
          FROM order_lines ol
          JOIN orders o2 ON o2.id = ol.order_id AND o2.wallet_id LIKE $1
          LEFT JOIN products p ON p.id = ol.product_id
          GROUP BY ol.order_id
        ) l ON l.order_id = o.id
        WHERE o.wallet_id LIKE $1
          AND (o.total_cents <> coalesce(l.lines_total, 0) OR coalesce(l.bad_line_totals, 0) > 0 OR coalesce(l.lines_off_price, 0) > 0)`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id, order_id',
    });
  },
};
