// Every ledger row has its audit record (app_transaction_log.ledger_id).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { agreed, same, sumOf } from '../single-pass/fingerprints.js';

export const auditCoverage: Checker = {
  name: 'audit-coverage',
  anomaly: 'unaudited-ledger-row',
  description: 'every ledger row is referenced by an app_transaction_log row',
  async run(ctx) {
    return countViolations(ctx, {
      sql: `
        SELECT l.id AS ledger_id, l.wallet_id, l.kind, l.amount_cents, l.idempotency_key
        FROM ledger l
        WHERE l.wallet_id LIKE $1
          AND NOT EXISTS (SELECT 1 FROM app_transaction_log a WHERE a.ledger_id = l.id)`,
      params: [ctx.scope.walletLike],
      orderBy: 'ledger_id',
    });
  },
  screen: {
    // The ledger's row ids = the ledger ids the audit rows reference (as sets, counted).
    passes: ['audit', 'ledger'],
    decide: (p) => {
      const l = p.one('ledger');
      const a = p.rows('audit');
      return same(sumOf(...a.map((r) => r.ledger_refs)), l.rows) && same(sumOf(...a.map((r) => r.ledger_ref_fp)), l.id_fp) ? agreed() : null;
    },
  },
};
