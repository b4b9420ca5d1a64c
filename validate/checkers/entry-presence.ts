// wallets.inside agrees with the wallet's last effective scan (inside after an
// admission, outside after an exit or with no scans). Catches exits acknowledged and logged
// but never applied to the wallet, and the reverse.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { ADMISSION_RESULTS, EFFECTIVE_SCAN_RESULTS } from './gate-sequence.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const entryPresence: Checker = {
  name: 'entry-presence',
  anomaly: 'presence-mismatch',
  description: 'wallet.inside matches its last admitted/exited scan',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT w.id AS wallet_id, w.inside, last.id AS last_scan_id, last.result AS last_scan_result
        FROM wallets w
        LEFT JOIN (
          SELECT DISTINCT ON (wallet_id) wallet_id, id, result
          FROM nfc_scan_log
          WHERE wallet_id LIKE $1 AND result IN ${EFFECTIVE_SCAN_RESULTS}
          ORDER BY wallet_id, id DESC
        ) last ON last.wallet_id = w.id
        WHERE w.id LIKE $1
          AND w.inside <> coalesce(last.result IN ${ADMISSION_RESULTS}, false)`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id',
    });
  },
  screen: {
    // With the scans alternating (admission first), a wallet's last effective scan is an
    // admission exactly when it has one admission more than exits: compare that set with the
    // wallets inside.
    passes: ['wallets', 'scans'],
    decide: (p) => {
      const w = p.one('wallets');
      const s = p.one('scans');
      return same(s.out_of_sequence, 0) && same(w.inside_scope, s.inside) && same(w.inside_fp, s.inside_fp) ? agreed() : null;
    },
  },
};
