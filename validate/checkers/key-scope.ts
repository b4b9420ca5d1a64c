// How key-based checkers pick rows: a run's own keys when a run id is given (so an earlier
// run's leftovers are not blamed on this one), else every row of the prefix's wallets.
import type { Scope } from '../types.js';

/**
 * SQL condition on a table alias with idempotency_key and wallet_id columns.
 * Parameters: $1 = wallet LIKE pattern, $2 = run key LIKE pattern or NULL.
 */
export function keyScopeCondition(alias: string, keyColumn = 'idempotency_key'): string {
  return `(CASE WHEN $2::text IS NULL THEN ${alias}.wallet_id LIKE $1 ELSE ${alias}.${keyColumn} LIKE $2 END)`;
}

export function keyScopeParams(scope: Scope): [string, string | null] {
  return [scope.walletLike, scope.runKeyLike];
}
