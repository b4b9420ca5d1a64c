// The mirror of entry-no-duplicate: never an exit of a wallet that was not inside (two exits in a
// row, or an exit before any admission). The same race that admits twice lets out twice.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { EFFECTIVE_SCANS_WITH_PREVIOUS } from './gate-sequence.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const entryExitSequence: Checker = {
  name: 'entry-exit-sequence',
  anomaly: 'exit-without-admission',
  description: 'every exit follows an admission of the same wallet',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT id AS scan_id, wallet_id, gateway_id, previous_scan_id, scanned_at
        FROM (${EFFECTIVE_SCANS_WITH_PREVIOUS}) s
        WHERE s.result = 'exited' AND (s.previous_result IS NULL OR s.previous_result = 'exited')`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id, scan_id',
    });
  },
  screen: {
    // Clean when every effective scan keeps the alternation (admission first); else exact.
    passes: ['scans'],
    decide: (p) => (same(p.one('scans').out_of_sequence, 0) ? agreed() : null),
  },
};
