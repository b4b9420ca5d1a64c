// Idempotency keys for writes: "<RUN_ID>:<op>:<wallet>:v<vu>-<n>". The run id lets the
// validators find a run's writes; vu + a per-VU sequence make each logical write unique.
// The caller keeps the key and reuses it for retries and deliberate replays of that write.
import exec from 'k6/execution';
import { idempotencyKey, type Operation } from '../core/operations.js';

let sequence = 0;

export function newIdempotencyKey(runId: string, op: Operation, walletId: string): string {
  sequence += 1;
  return idempotencyKey(runId, op, walletId, `v${exec.vu.idInTest}-${sequence}`);
}
