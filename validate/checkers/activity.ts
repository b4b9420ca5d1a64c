// Information, never a failure: what happened in the scope, including findings worth
// reporting that are not defects (declined orders, offline shortfalls, rejections by code).
import type { Checker } from '../types.js';

export const activity: Checker = {
  name: 'activity',
  anomaly: 'none',
  description: 'what the scope holds: volumes, declined orders, offline shortfalls, rejections by code (information)',
  async run(ctx) {
    const p = [ctx.scope.walletLike];
    const totals = await ctx.db.query(
      `SELECT
         (SELECT count(*) FROM wallets WHERE id LIKE $1) AS wallets,
         (SELECT count(*) FROM wallets WHERE id LIKE $1 AND inside) AS wallets_inside,
         (SELECT count(*) FROM ledger WHERE wallet_id LIKE $1) AS ledger_rows,
         (SELECT count(*) FROM orders WHERE wallet_id LIKE $1 AND status = 'completed') AS orders_completed,
         (SELECT count(*) FROM orders WHERE wallet_id LIKE $1 AND status = 'offline_shortfall') AS offline_shortfall_orders,
         (SELECT coalesce(sum(shortfall_cents), 0) FROM orders WHERE wallet_id LIKE $1) AS offline_shortfall_cents,
         (SELECT count(*) FROM app_transaction_log WHERE wallet_id LIKE $1 AND transaction_type = 'order'
            AND status = 'rejected' AND code = 'insufficient_funds') AS declined_orders,
         (SELECT count(*) FROM recharges WHERE wallet_id LIKE $1) AS recharges,
         (SELECT count(*) FROM nfc_scan_log WHERE wallet_id LIKE $1) AS gate_scans`,
      p,
    );
    const rejections = await ctx.db.query(
      `SELECT transaction_type, coalesce(code, status) AS code, count(*) AS n FROM app_transaction_log
       WHERE wallet_id LIKE $1 AND status IN ('rejected', 'failed') GROUP BY 1, 2 ORDER BY 1, 2`,
      p,
    );
    const funding = await ctx.db.query(
      `SELECT status, count(*) AS n FROM funding_intents WHERE wallet_id LIKE $1 GROUP BY status ORDER BY status`,
      p,
    );
    return {
      violations: 0,
      witnesses: [],
      info: {
        ...totals.rows[0],
        funding_intents: Object.fromEntries(funding.rows.map((r) => [r.status, r.n])),
        rejections: Object.fromEntries(rejections.rows.map((r) => [`${r.transaction_type}:${r.code}`, r.n])),
      },
    };
  },
};
