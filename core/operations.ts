// The domain operations the suite drives, and how an attempt's outcome is classified.
// Reconciliation (validate/checkers/reconciliation) compares these classes with the database.

export const OPERATIONS = ['entry', 'exit', 'order', 'funding_intent', 'funding_webhook', 'recharge', 'wallet_read'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Operations that move money or gate state, i.e. the ones reconciled against the database. */
export const WRITE_OPERATIONS = ['entry', 'exit', 'order', 'funding_webhook', 'recharge'] as const;
export type WriteOperation = (typeof WRITE_OPERATIONS)[number];

/**
 * acked: the target confirmed the write (2xx, or a replay of a confirmed write).
 * rejected: the target definitely refused it (4xx with a code); nothing may have changed.
 * indeterminate: we cannot know (timeout, connection error, 5xx); it may or may not have applied.
 */
export type OutcomeClass = 'acked' | 'rejected' | 'indeterminate';

export function classifyHttpStatus(status: number): OutcomeClass {
  if (status >= 200 && status < 300) return 'acked';
  if (status >= 400 && status < 500) return 'rejected';
  return 'indeterminate'; // 0 (network error/timeout), 5xx, anything unexpected
}

/** Idempotency keys embed the run id so a run's writes can be found in the database. */
export function idempotencyKey(runId: string, op: Operation, ...parts: Array<string | number>): string {
  return [runId, op, ...parts].join(':');
}

/** Prefix for LIKE queries over one run's keys. */
export function runKeyPrefix(runId: string): string {
  return `${runId}:`;
}

/**
 * Rejections the platform must record in its audit trail (app_transaction_log, status
 * 'rejected'): the client's write op and code, and the audit row's transaction type. Refusals
 * made before any procedure runs (400 validation_failed, signature_invalid) leave no row.
 */
export const AUDITED_REJECTIONS: ReadonlyArray<{ op: WriteOperation; code: string; auditType: string }> = [
  { op: 'entry', code: 'duplicate_entry', auditType: 'entry' },
  { op: 'entry', code: 'capacity_reached', auditType: 'entry' },
  { op: 'entry', code: 'insufficient_funds', auditType: 'reentry_fee' },
  { op: 'exit', code: 'not_inside', auditType: 'exit' },
  { op: 'order', code: 'insufficient_funds', auditType: 'order' },
  { op: 'order', code: 'wallet_blocked', auditType: 'order' },
];

