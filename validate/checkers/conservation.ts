// Money is conserved. What the business records say moved (confirmed funding
// + recharges - order debits - re-entry fees) equals how far balances moved from their
// opening, per wallet and so over the whole scope. Independent of the ledger: a balance
// moved twice for one order, or credited without a record, breaks it.
// Order debits are total - shortfall_cents (an offline order can only take what was there).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, big, int } from '../single-pass/fingerprints.js';

// One row per wallet and per business record, aggregated once by wallet; $1 = wallet LIKE.
const PER_WALLET = `
  SELECT wallet_id, sum(credited) AS credited_cents, sum(debited) AS debited_cents, sum(moved) AS balance_moved_cents
  FROM (
    SELECT id AS wallet_id, 1 AS is_wallet, 0::bigint AS credited, 0::bigint AS debited, balance_cents - opening_balance_cents AS moved
      FROM wallets WHERE id LIKE $1
    UNION ALL
    SELECT wallet_id, 0, amount_cents, 0, 0 FROM funding_intents WHERE wallet_id LIKE $1 AND status = 'confirmed'
    UNION ALL
    SELECT wallet_id, 0, amount_cents, 0, 0 FROM recharges WHERE wallet_id LIKE $1
    UNION ALL
    SELECT wallet_id, 0, 0, total_cents - shortfall_cents, 0 FROM orders WHERE wallet_id LIKE $1
    UNION ALL
    SELECT wallet_id, 0, 0, fee_cents, 0 FROM nfc_scan_log
      WHERE wallet_id LIKE $1 AND result IN ('admitted', 'readmitted') AND fee_cents <> 0
  ) flows
  GROUP BY wallet_id
  HAVING sum(is_wallet) = 1`;

// The scope's totals need no grouping: plain sums.
const TOTALS = `
  SELECT t.credited_cents, t.debited_cents, t.balance_moved_cents,
         t.balance_moved_cents - (t.credited_cents - t.debited_cents) AS unexplained_cents
  FROM (SELECT
    (SELECT coalesce(sum(amount_cents), 0) FROM funding_intents WHERE wallet_id LIKE $1 AND status = 'confirmed')
      + (SELECT coalesce(sum(amount_cents), 0) FROM recharges WHERE wallet_id LIKE $1) AS credited_cents,
    (SELECT coalesce(sum(total_cents - shortfall_cents), 0) FROM orders WHERE wallet_id LIKE $1)
      + (SELECT coalesce(sum(fee_cents), 0) FROM nfc_scan_log WHERE wallet_id LIKE $1 AND result IN ('admitted', 'readmitted'))
      AS debited_cents,
    (SELECT coalesce(sum(balance_cents - opening_balance_cents), 0) FROM wallets WHERE id LIKE $1) AS balance_moved_cents) t`;

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
    const totals = await ctx.db.query(TOTALS, [ctx.scope.walletLike]);
    return { ...r, info: { totals: totals.rows[0] } };
  },
  screen: {
    // Per wallet, as fingerprints: Σ hash(wallet) x (balance - opening) = the same sum over
    // confirmed funding + recharges - order debits - re-entry fees.
    passes: ['wallets', 'recharges', 'funding', 'orders', 'scans'],
    decide: (p) => {
      const w = p.one('wallets');
      const r = p.one('recharges');
      const f = p.rows('funding').find((x) => x.status === 'confirmed') ?? { cents: 0, wallet_fp: 0 };
      const o = p.one('orders');
      const s = p.one('scans');
      const flowsFp = big(r.wallet_fp) + big(f.wallet_fp) - big(o.debited_wallet_fp) - big(s.fee_wallet_fp);
      if (big(w.moved_fp) !== flowsFp) return null;
      const credited = big(f.cents) + big(r.cents);
      const debited = big(o.debited_cents) + big(s.fee_cents);
      const moved = big(w.moved_cents);
      return agreed({ totals: { credited_cents: int(credited), debited_cents: int(debited), balance_moved_cents: int(moved), unexplained_cents: int(moved - (credited - debited)) } });
    },
  },
};
