// A wallet's balance is its opening balance plus the sum of its ledger rows,
// i.e. no balance change happened outside the ledger (lost updates, unlogged writes).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const ledgerSum: Checker = {
  name: 'ledger-sum',
  anomaly: 'ledger-sum-mismatch',
  description: 'balance = opening balance + sum of the wallet\'s ledger amounts',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT w.id AS wallet_id, w.balance_cents, w.opening_balance_cents,
               coalesce(l.ledger_sum, 0) AS ledger_sum_cents, coalesce(l.ledger_rows, 0) AS ledger_rows,
               w.balance_cents - w.opening_balance_cents - coalesce(l.ledger_sum, 0) AS unexplained_cents
        FROM wallets w
        LEFT JOIN (
          SELECT wallet_id, sum(amount_cents) AS ledger_sum, count(*) AS ledger_rows
          FROM ledger WHERE wallet_id LIKE $1 GROUP BY wallet_id
        ) l ON l.wallet_id = w.id
        WHERE w.id LIKE $1
          AND w.balance_cents <> w.opening_balance_cents + coalesce(l.ledger_sum, 0)`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id',
    });
  },
  screen: {
    // Σ hash(wallet) x (balance - opening) over wallets = Σ hash(wallet) x amount over the ledger.
    passes: ['wallets', 'ledger'],
    decide: (p) => (same(p.one('wallets').moved_fp, p.one('ledger').sum_fp) ? agreed() : null),
  },
};
