// Information, never a failure: what happened in the scope, including findings worth
// reporting that are not defects (declined orders, offline shortfalls, rejections by code).
import type { Checker } from '../types.js';
import { agreed, big, int, sumOf } from '../single-pass/fingerprints.js';

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
  screen: {
    // Everything above, read from the table passes.
    passes: ['wallets', 'ledger', 'orders', 'audit', 'recharges', 'scans', 'funding'],
    decide: (p) => {
      const w = p.one('wallets');
      const o = p.one('orders');
      const audit = p.rows('audit');
      const rejections = new Map<string, bigint>();
      for (const r of audit) {
        if (r.status !== 'rejected' && r.status !== 'failed') continue;
        const key = `${r.transaction_type}:${r.code ?? r.status}`;
        rejections.set(key, (rejections.get(key) ?? 0n) + big(r.n));
      }
      const declined = audit.filter((r) => r.transaction_type === 'order' && r.status === 'rejected' && r.code === 'insufficient_funds');
      return agreed({
        wallets: int(w.wallets),
        wallets_inside: int(w.inside_scope),
        ledger_rows: int(p.one('ledger').rows),
        orders_completed: int(o.completed),
        offline_shortfall_orders: int(o.offline_shortfall),
        offline_shortfall_cents: int(o.shortfall_cents),
        declined_orders: int(sumOf(...declined.map((r) => r.n))),
        recharges: int(p.one('recharges').n),
        gate_scans: int(p.one('scans').scans),
        funding_intents: Object.fromEntries([...p.rows('funding')].sort((a, b) => String(a.status).localeCompare(String(b.status), 'en')).map((r) => [r.status, int(r.n)])),
        rejections: Object.fromEntries([...rejections.keys()].sort().map((k) => [k, int(rejections.get(k))])),
      });
    },
  },
};
