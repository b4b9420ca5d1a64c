// Which statuses are a correct answer per operation, so k6's http_req_failed counts only real
// failures: a 402 (wallet too poor) or 409 (already inside) is the platform working.
// Created at module load, i.e. in the init context. Internal to lib/targets.
import http from 'k6/http';
import type { CallName } from '../target.js';

const SUCCESS = { min: 200, max: 299 };

// @types/k6 does not export the callback's type.
type ExpectedStatusesCallback = ReturnType<typeof http.expectedStatuses>;

const ONLY_SUCCESS = http.expectedStatuses(SUCCESS);

const BY_OPERATION: Partial<Record<CallName, ExpectedStatusesCallback>> = {
  // 403 wallet_blocked: a blocked wristband refused at a gate or a till is the platform working too.
  entry: http.expectedStatuses(SUCCESS, 402, 403, 409), // insufficient_funds (re-entry fee), duplicate_entry, capacity_reached
  exit: http.expectedStatuses(SUCCESS, 403, 409), // not_inside
  order: http.expectedStatuses(SUCCESS, 402, 403), // insufficient_funds
};

export function expectedStatuses(op: CallName): ExpectedStatusesCallback {
  return BY_OPERATION[op] ?? ONLY_SUCCESS;
}
