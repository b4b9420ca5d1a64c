// No Stripe event is applied twice, and no intent is credited by two different
// success events (Stripe delivers at least once; the platform must apply at most once).
import { countViolationKinds } from '../violations.js';
import type { Checker } from '../types.js';

const SCOPED_EVENTS = `
  SELECT e.* FROM stripe_events e JOIN funding_intents f ON f.id = e.intent_id
  WHERE f.wallet_id LIKE $1 AND e.outcome = 'applied'`;

export const fundingEventOnce: Checker = {
  name: 'funding-event-once',
  anomaly: 'stripe-event-applied-twice',
  description: 'each Stripe event is applied at most once, and each intent by at most one success event',
  async run(ctx) {
    const r = await countViolationKinds(ctx, {
      event_applied_twice: {
        sql: `
          SELECT event_id, min(intent_id) AS intent_id, count(*) AS applications
          FROM (${SCOPED_EVENTS}) e GROUP BY event_id HAVING count(*) > 1`,
        params: [ctx.scope.walletLike],
        orderBy: 'event_id',
      },
      intent_succeeded_twice: {
        sql: `
          SELECT intent_id, count(DISTINCT event_id) AS applied_success_events
          FROM (${SCOPED_EVENTS}) e WHERE event_type = 'payment_intent.succeeded'
          GROUP BY intent_id HAVING count(DISTINCT event_id) > 1`,
        params: [ctx.scope.walletLike],
        orderBy: 'intent_id',
      },
    });
    return { violations: r.violations, witnesses: r.witnesses, info: r.byKind };
  },
};
