// Platform fee = total x fee_bps / 10000 rounded half-up, and vendor share +
// fee = total. Computed here independently of the target's own mp_platform_fee(), which is
// under test (core/fees.ts is the reference formula).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const orderFeeSplit: Checker = {
  name: 'order-fee-split',
  anomaly: 'fee-split-mismatch',
  description: 'platform fee = round-half-up(total x bps / 10000) and vendor share + fee = total',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT id::text AS order_id, wallet_id, total_cents, fee_bps, platform_fee_cents,
               expected_fee_cents, vendor_share_cents
        FROM (
          SELECT o.*, floor((o.total_cents::numeric * o.fee_bps + 5000) / 10000) AS expected_fee_cents
          FROM orders o WHERE o.wallet_id LIKE $1
        ) o
        WHERE platform_fee_cents <> expected_fee_cents
           OR vendor_share_cents + platform_fee_cents <> total_cents`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id, order_id',
    });
  },
  screen: {
    passes: ['orders'],
    decide: (p) => (same(p.one('orders').fee_split_bad, 0) ? agreed() : null),
  },
};
