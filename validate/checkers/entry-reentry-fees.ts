// The re-entry fee is charged exactly for admissions after a wallet's first:
// the n-th admission (n >= 2, in scan order) records fee_cents = the festival's re-entry fee
// and has one reentry_fee ledger row of -fee; the first admission is free; and no fee row
// exists without such an admission. Assumes festival_settings.reentry_fee_cents did not
// change during the scope's lifetime (seed --reset starts a new one).
import { countViolationKinds } from '../violations.js';
import type { Checker } from '../types.js';
import { ADMISSION_RESULTS } from './gate-sequence.js';
import { agreed, same } from '../single-pass/fingerprints.js';

export const entryReentryFees: Checker = {
  name: 'entry-reentry-fees',
  anomaly: 'reentry-fee-mismatch',
  description: 're-entry fee ledger rows exist exactly for admissions after the first, for the festival\'s fee',
  async run(ctx) {
    const r = await countViolationKinds(ctx, {
      admission_fee_mismatch: {
        sql: `
          SELECT a.id AS scan_id, a.wallet_id, a.nth AS admission_number, a.fee_cents AS recorded_fee_cents,
                 a.expected_fee_cents, coalesce(c.charges, 0) AS fee_ledger_rows, coalesce(c.charged, 0) AS charged_cents
          FROM (
            SELECT n.id, n.wallet_id, n.fee_cents, n.nth,
                   CASE WHEN n.nth = 1 THEN 0 ELSE f.reentry_fee_cents END AS expected_fee_cents
            FROM (SELECT id, wallet_id, fee_cents, row_number() OVER (PARTITION BY wallet_id ORDER BY id) AS nth
                  FROM nfc_scan_log WHERE wallet_id LIKE $1 AND result IN ${ADMISSION_RESULTS}) n
            CROSS JOIN festival_settings f
          ) a
          LEFT JOIN (
            SELECT reference_id, count(*) AS charges, -sum(amount_cents) AS charged
            FROM ledger WHERE kind = 'reentry_fee' AND wallet_id LIKE $1 GROUP BY reference_id
          ) c ON c.reference_id = a.id::text
          WHERE a.fee_cents <> a.expected_fee_cents
             OR coalesce(c.charged, 0) <> a.expected_fee_cents
             OR coalesce(c.charges, 0) <> CASE WHEN a.expected_fee_cents = 0 THEN 0 ELSE 1 END`,
        params: [ctx.scope.walletLike],
        orderBy: 'wallet_id, scan_id',
      },
      fee_without_readmission: {
        sql: `
          SELECT l.id AS ledger_id, l.wallet_id, l.amount_cents, l.reference_id
          FROM ledger l
          WHERE l.kind = 'reentry_fee' AND l.wallet_id LIKE $1
            AND NOT EXISTS (SELECT 1 FROM nfc_scan_log s
                            WHERE s.id::text = l.reference_id AND s.wallet_id = l.wallet_id AND s.result IN ${ADMISSION_RESULTS})`,
        params: [ctx.scope.walletLike],
        orderBy: 'ledger_id',
      },
    });
    return { violations: r.violations, witnesses: r.witnesses, info: r.byKind };
  },
  screen: {
    // Admissions that owe the fee and fee ledger rows as (scan, wallet) sets, weighted by the fee.
    passes: ['scans', 'ledger'],
    decide: (p) => {
      const s = p.one('scans');
      const l = p.one('ledger');
      return same(s.fee_recorded_bad, 0) && same(s.fee_due_n, l.reentry_fee_n) && same(s.fee_due_cfp, l.reentry_fee_cfp) && same(s.fee_due_afp, l.reentry_fee_afp)
        ? agreed({ admission_fee_mismatch: 0, fee_without_readmission: 0 })
        : null;
    },
  },
};
