// Each checkpoint recharge credited its wallet exactly once with its amount, and every
// recharge credit in the ledger belongs to a recharge of that wallet.
import { countViolationKinds } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const rechargeCredits: Checker = {
  name: 'recharge-credits',
  anomaly: 'recharge-credit-mismatch',
  description: 'each recharge has exactly one recharge ledger row of its amount; no recharge credit without a recharge',
  async run(ctx) {
    const r = await countViolationKinds(ctx, {
      recharge_credit_mismatch: {
        sql: `
          SELECT r.id::text AS recharge_id, r.wallet_id, r.amount_cents,
                 coalesce(c.credits, 0) AS credits, coalesce(c.credited, 0) AS credited_cents
          FROM recharges r
          LEFT JOIN (
            SELECT reference_id, count(*) AS credits, sum(amount_cents) AS credited
            FROM ledger WHERE kind = 'recharge' AND wallet_id LIKE $1 GROUP BY reference_id
          ) c ON c.reference_id = r.id::text
          WHERE r.wallet_id LIKE $1
            AND (coalesce(c.credits, 0) <> 1 OR c.credited <> r.amount_cents)`,
        params: [ctx.scope.walletLike],
        orderBy: 'wallet_id, recharge_id',
      },
      credit_without_recharge: {
        sql: `
          SELECT l.id AS ledger_id, l.wallet_id, l.amount_cents, l.reference_id
          FROM ledger l
          WHERE l.kind = 'recharge' AND l.wallet_id LIKE $1
            AND NOT EXISTS (SELECT 1 FROM recharges r WHERE r.id::text = l.reference_id AND r.wallet_id = l.wallet_id)`,
        params: [ctx.scope.walletLike],
        orderBy: 'ledger_id',
      },
    });
    return { violations: r.violations, witnesses: r.witnesses, info: r.byKind };
  },
  screen: {
    passes: ['recharges', 'ledger'],
    decide: (p) => {
      const r = p.one('recharges');
      const l = p.one('ledger');
      return same(r.n, l.recharge_n) && same(r.credit_cfp, l.recharge_cfp) && same(r.credit_afp, l.recharge_afp)
        ? agreed({ recharge_credit_mismatch: 0, credit_without_recharge: 0 })
        : null;
    },
  },
};
