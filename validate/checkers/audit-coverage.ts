// Every ledger row has its audit record (app_transaction_log.ledger_id).
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';

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
};
