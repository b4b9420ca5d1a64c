// Never two admissions of one wallet without an exit in between;
// read from the scan log's order per wallet.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { ADMISSION_RESULTS, EFFECTIVE_SCANS_WITH_PREVIOUS } from './gate-sequence.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const entryNoDuplicate: Checker = {
  name: 'entry-no-duplicate',
  anomaly: 'duplicate-admission',
  description: 'no wallet is admitted twice without an exit in between',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT id AS scan_id, wallet_id, gateway_id, result, previous_scan_id, scanned_at
        FROM (${EFFECTIVE_SCANS_WITH_PREVIOUS}) s
        WHERE s.result IN ${ADMISSION_RESULTS} AND s.previous_result IN ${ADMISSION_RESULTS}`,
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
