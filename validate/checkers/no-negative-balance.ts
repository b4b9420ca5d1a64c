// No wallet balance below zero.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const noNegativeBalance: Checker = {
  name: 'no-negative-balance',
  anomaly: 'negative-balance',
  description: 'no wallet balance is below zero',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `SELECT id AS wallet_id, balance_cents FROM wallets WHERE id LIKE $1 AND balance_cents < 0`,
      params: [ctx.scope.walletLike],
      orderBy: 'balance_cents, wallet_id',
    });
  },
  screen: {
    passes: ['wallets'],
    decide: (p) => (same(p.one('wallets').negative, 0) ? agreed() : null),
  },
};
