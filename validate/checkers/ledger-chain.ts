// Each ledger row's balance_after follows from the previous row (or the
// opening balance) plus its amount, in id order per wallet. A break shows where two writers
// interleaved on one wallet (the row was written from a stale balance).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const ledgerChain: Checker = {
  name: 'ledger-chain',
  anomaly: 'broken-balance-chain',
  description: 'every ledger row\'s balance_after = previous balance_after (or opening) + amount, in id order',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT c.id AS ledger_id, c.wallet_id, c.kind, c.amount_cents, c.balance_after_cents,
               c.previous_balance_cents + c.amount_cents AS expected_balance_after_cents
        FROM (
          SELECT l.id, l.wallet_id, l.kind, l.amount_cents, l.balance_after_cents,
                 coalesce(lag(l.balance_after_cents) OVER (PARTITION BY l.wallet_id ORDER BY l.id), w.opening_balance_cents)
                   AS previous_balance_cents
          FROM ledger l JOIN wallets w ON w.id = l.wallet_id
          WHERE l.wallet_id LIKE $1
        ) c
        WHERE c.balance_after_cents <> c.previous_balance_cents + c.amount_cents`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id, ledger_id',
    });
  },
  screen: {
    // The ledger's ordered pass: no break between rows; and, with no break, the chains' ends
    // (first row's start, last row's balance_after) are each wallet's opening and balance
    // exactly when the aggregate pass's chain_fp equals the wallets pass's (passes.ts). A
    // wallet without rows has opening = balance, which ledger-sum's agreement makes sure of.
    passes: ['wallets', 'ledger', 'ledger:chain'],
    decide: (p) => {
      const w = p.one('wallets');
      const l = p.one('ledger');
      return same(p.one('ledger:chain').chain_breaks, 0) && same(l.chain_fp, w.chain_ends_fp) && same(w.moved_fp, l.sum_fp) ? agreed() : null;
    },
  },
};
