// wallets.entry_count equals the number of admissions in the scan log, and the
// admissions are numbered 1, 2, 3, ... in order (entry_number feeds the re-entry fee).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { ADMISSION_RESULTS } from './gate-sequence.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const entryCount: Checker = {
  name: 'entry-count',
  anomaly: 'entry-count-mismatch',
  description: 'wallet.entry_count = number of admissions, numbered 1..n in scan order',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT w.id AS wallet_id, w.entry_count, coalesce(a.admissions, 0) AS admissions,
               coalesce(a.misnumbered, 0) AS misnumbered_admissions
        FROM wallets w
        LEFT JOIN (
          SELECT wallet_id, count(*) AS admissions,
                 count(*) FILTER (WHERE entry_number IS DISTINCT FROM nth) AS misnumbered
          FROM (
            SELECT wallet_id, entry_number, row_number() OVER (PARTITION BY wallet_id ORDER BY id) AS nth
            FROM nfc_scan_log
            WHERE wallet_id LIKE $1 AND result IN ${ADMISSION_RESULTS}
          ) n
          GROUP BY wallet_id
        ) a ON a.wallet_id = w.id
        WHERE w.id LIKE $1
          AND (w.entry_count <> coalesce(a.admissions, 0) OR coalesce(a.misnumbered, 0) > 0)`,
      params: [ctx.scope.walletLike],
      orderBy: 'wallet_id',
    });
  },
  screen: {
    // Σ hash(wallet) x entry_count = Σ hash(wallet) over admissions; every admission numbered in order.
    passes: ['wallets', 'scans'],
    decide: (p) => {
      const w = p.one('wallets');
      const s = p.one('scans');
      return same(w.entry_count_sum, s.admissions) && same(w.entry_count_fp, s.admissions_fp) && same(s.misnumbered, 0) ? agreed() : null;
    },
  },
};
