// The live occupancy counter (venue_state) equals the number of wallets inside.
// A drift means admissions or exits were applied to one and not the other (lost counter
// updates hide capacity breaches from occupancy_after). Global: the venue has one counter.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const entryOccupancy: Checker = {
  name: 'entry-occupancy',
  anomaly: 'occupancy-drift',
  description: 'venue_state.occupancy = number of wallets inside',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT v.occupancy, i.inside AS wallets_inside, v.occupancy - i.inside AS drift
        FROM venue_state v CROSS JOIN (SELECT count(*) AS inside FROM wallets WHERE inside) i
        WHERE v.occupancy <> i.inside`,
      params: [],
      orderBy: 'occupancy',
    });
  },
  screen: {
    passes: ['wallets'],
    decide: (p) => {
      const w = p.one('wallets');
      return same(w.venue_state_rows, 1) && same(w.occupancy, w.inside_all) ? agreed() : null;
    },
  },
};
