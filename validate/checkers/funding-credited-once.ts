// Every confirmed funding intent is credited exactly once, with its recorded
// amount; an intent that is not confirmed is not credited; no funding credit without an intent.
import { countViolationKinds } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const fundingCreditedOnce: Checker = {
  name: 'funding-credited-once',
  anomaly: 'funding-credit-mismatch',
  description: 'each confirmed intent has exactly one funding ledger credit of its amount; others have none',
  async run(ctx) {
    const r = await countViolationKinds(ctx, {
      intent_credit_mismatch: {
        sql: `
          SELECT f.id AS intent_id, f.wallet_id, f.status, f.amount_cents,
                 coalesce(c.credits, 0) AS credits, coalesce(c.credited_cents, 0) AS credited_cents
          FROM funding_intents f
          LEFT JOIN (
            SELECT reference_id, count(*) AS credits, sum(amount_cents) AS credited_cents
            FROM ledger WHERE kind = 'funding' AND wallet_id LIKE $1 GROUP BY reference_id
          ) c ON c.reference_id = f.id
          WHERE f.wallet_id LIKE $1
            AND CASE WHEN f.status = 'confirmed'
                     THEN coalesce(c.credits, 0) <> 1 OR c.credited_cents <> f.amount_cents
                     ELSE coalesce(c.credits, 0) <> 0 END`,
        params: [ctx.scope.walletLike],
        orderBy: 'wallet_id, intent_id',
      },
      credit_without_intent: {
        sql: `
          SELECT l.id AS ledger_id, l.wallet_id, l.amount_cents, l.reference_id
          FROM ledger l
          WHERE l.kind = 'funding' AND l.wallet_id LIKE $1
            AND NOT EXISTS (SELECT 1 FROM funding_intents f WHERE f.id = l.reference_id AND f.wallet_id = l.wallet_id)`,
        params: [ctx.scope.walletLike],
        orderBy: 'ledger_id',
      },
    });
    return { violations: r.violations, witnesses: r.witnesses, info: r.byKind };
  },
  screen: {
    // Confirmed intents and funding credits as (intent, wallet) sets; other intents have none.
    passes: ['funding', 'ledger'],
    decide: (p) => {
      const c = p.rows('funding').find((r) => r.status === 'confirmed') ?? { n: 0, credit_cfp: 0, credit_afp: 0 };
      const l = p.one('ledger');
      return same(c.n, l.funding_n) && same(c.credit_cfp, l.funding_cfp) && same(c.credit_afp, l.funding_afp)
        ? agreed({ intent_credit_mismatch: 0, credit_without_intent: 0 })
        : null;
    },
  },
};
