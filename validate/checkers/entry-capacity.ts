// Venue occupancy never exceeded festival_settings.venue_capacity, neither in
// any admission's recorded occupancy_after nor in the number of wallets inside now.
// Capacity is the venue's, not the prefix's: the "now" count covers every wallet.
import { countViolationKinds } from '../violations.js';
import type { Checker } from '../types.js';
import { ADMISSION_RESULTS } from './gate-sequence.js';
import { agreed, big, same } from '../single-pass/fingerprints.js';

export const entryCapacity: Checker = {
  name: 'entry-capacity',
  anomaly: 'capacity-exceeded',
  description: 'no admission took occupancy above venue_capacity, and no more wallets are inside than it allows',
  async run(ctx) {
    const r = await countViolationKinds(ctx, {
      admission_over_capacity: {
        sql: `
          SELECT s.id AS scan_id, s.wallet_id, s.occupancy_after, f.venue_capacity
          FROM nfc_scan_log s CROSS JOIN festival_settings f
          WHERE s.wallet_id LIKE $1 AND s.result IN ${ADMISSION_RESULTS} AND s.occupancy_after > f.venue_capacity`,
        params: [ctx.scope.walletLike],
        orderBy: 'scan_id',
      },
      inside_over_capacity: {
        sql: `
          SELECT i.inside AS wallets_inside, f.venue_capacity
          FROM (SELECT count(*) AS inside FROM wallets WHERE inside) i CROSS JOIN festival_settings f
          WHERE i.inside > f.venue_capacity`,
        params: [],
        orderBy: 'wallets_inside',
      },
    });
    const peak = await ctx.db.query(
      `SELECT max(occupancy_after) AS peak_occupancy_after, (SELECT venue_capacity FROM festival_settings) AS venue_capacity
       FROM nfc_scan_log WHERE wallet_id LIKE $1 AND result IN ${ADMISSION_RESULTS}`,
      [ctx.scope.walletLike],
    );
    return { violations: r.violations, witnesses: r.witnesses, info: { ...r.byKind, ...peak.rows[0] } };
  },
  screen: {
    passes: ['wallets', 'scans'],
    decide: (p) => {
      const w = p.one('wallets');
      const s = p.one('scans');
      if (!same(w.festival_settings_rows, 1) || !same(s.over_capacity, 0) || big(w.inside_all) > big(w.venue_capacity)) return null;
      return agreed({ admission_over_capacity: 0, inside_over_capacity: 0, peak_occupancy_after: s.peak_occupancy_after ?? null, venue_capacity: w.venue_capacity });
    },
  },
};
