// Scans of one wallet within a few seconds of each other. A double tap at a gate is normal
// and harmless when the second is rejected, so this is information for the report, never a
// failure.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const duplicateScans: Checker = {
  name: 'duplicate-scans',
  anomaly: 'duplicate-nfc-scan',
  description: 'scans of one wallet closer together than the window (information)',
  async run(ctx) {
    const r = await countViolations(ctx, {
      sql: `
        SELECT id AS scan_id, wallet_id, direction, result, previous_scan_id, previous_result,
               round(extract(epoch FROM scanned_at - previous_scanned_at)::numeric, 3)::text AS seconds_apart
        FROM (
          SELECT s.*, lag(s.scanned_at) OVER w AS previous_scanned_at, lag(s.id) OVER w AS previous_scan_id,
                 lag(s.result) OVER w AS previous_result
          FROM nfc_scan_log s WHERE s.wallet_id LIKE $1
          WINDOW w AS (PARTITION BY s.wallet_id ORDER BY s.id)
        ) s
        WHERE scanned_at - previous_scanned_at < make_interval(secs => $2)`,
      params: [ctx.scope.walletLike, ctx.bounds.duplicateScanWindowSeconds],
      orderBy: 'wallet_id, scan_id',
    });
    return {
      violations: 0,
      witnesses: [],
      info: { window_seconds: ctx.bounds.duplicateScanWindowSeconds, duplicate_scans: r.violations, examples: r.witnesses },
    };
  },
  screen: {
    // Information only: the exact query runs just to show examples when there are any.
    passes: ['scans'],
    decide: (p, ctx) => (same(p.one('scans').duplicate_scans, 0)
      ? agreed({ window_seconds: ctx.bounds.duplicateScanWindowSeconds, duplicate_scans: 0, examples: [] })
      : null),
  },
};
