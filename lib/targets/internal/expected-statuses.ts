// Which statuses are a correct answer per call, so `http_req_failed` counts only real failures:
// a 402 (wallet too poor) or 409 (already inside) is the platform working. Names a set of
// core/load-port.ts EXPECTED_STATUS_SETS; each binding turns the sets into its own checks.
// Internal to lib/targets (and lib/chaos).
import type { ExpectedStatusSet } from '../../../core/load-port.js';
import type { CallName } from '../target.js';

const BY_CALL: Partial<Record<CallName, ExpectedStatusSet>> = {
  entry: 'entry',
  exit: 'exit',
  order: 'order',
};

export function expectedStatuses(op: CallName): ExpectedStatusSet {
  return BY_CALL[op] ?? 'success';
}
