// Invariant 3: money is conserved. What the business records say moved (confirmed funding
// + recharges - order debits - re-entry fees) equals how far balances moved from their
// opening, per wallet and so over the whole scope. Independent of the ledger: a balance
// moved twice for one order, or credited without a record, breaks it.
// Order debits are total - shortfall_cents (an offline order can only take what was there).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';

// One row per wallet and flow; $1 = wallet LIKE.
const FLOWS = `
  SELECT wallet_id, amount_cents AS credited, 0::bigint AS debited FROM funding_intents
    WHERE wallet_id LIKE $1 AND status = 'confirmed'
  UNION ALL
  SELECT wallet_id, amount_cents, 0 FROM recharges WHERE wallet_id LIKE $1
  UNION ALL
  SELECT wallet_id, 0, total_cents - shortfall_cents FROM orders WHERE wallet_id LIKE $1
  UNION ALL
  SELECT wallet_id, 0, fee_cents FROM nfc_scan_log
    WHERE wallet_id LIKE $1 AND result IN ('admitted', 'readmitted') AND fee_cents <> 0`;

const PER_WALLET = `
  SELECT w.id AS wallet_id, coalesce(f.credited, 0) AS credited_cents, coalesce(f.debited, 0) AS debited_cents,
         w.balance_cents - w.opening_balance_cents AS balance_moved_cents
  FROM wallets w
  LEFT JOIN (SELECT wallet_id, sum(credited) AS credited, sum(debited) AS debited FROM (${FLOWS}) x GROUP BY wallet_id) f
    ON f.wallet_id = w.id
  WHERE w.id LIKE $1`;

export const conservation: Checker = {
  name: 'conservation',
  anomaly: 'money-not-conserved',
  description: 'confirmed funding + recharges - order debits - re-entry fees = balance - opening balance, per wallet and in total',
  async run(ctx) {
    const r = await countViolations(ctx, {
      sql: `
        SELECT wallet_id, credited_cents, debited_cents, balance_moved_cents,
               balance_moved_cents - (credited_cents - debited_cents) AS unexplained_cents
        FROM (${PER_WALLET}) p
        WHERE balance_moved_cents <> credited_cents - debited_cents`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id',
    });
    const totals = await ctx.db.query(
      `SELECT sum(credited_cents) AS credited_cents, sum(debited_cents) AS debited_cents,
              sum(balance_moved_cents) AS balance_moved_cents,
              sum(balance_moved_cents) - (sum(credited_cents) - sum(debited_cents)) AS unexplained_cents
       FROM (${PER_WALLET}) p`,
      [ctx.scope.walletLike],
    );
    return { ...r, info: { totals: totals.rows[0] } };
  },
};
