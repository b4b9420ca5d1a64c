// Idempotency keys for writes: "<RUN_ID>:<op>:<wallet>:v<vu>-<n>". The run id lets the
// validators find a run's writes; vu (unique in the run) + a sequence (unique in this process,
// where that vu lives) make each logical write unique. The caller keeps the key and reuses it
// for retries and deliberate replays of that write.
import { idempotencyKey, type Operation } from '../core/operations.js';
import type { FlowContext } from './flow-context.js';

// Per process, not per VU: under Artillery many VUs share this module, and a shared counter
// stays unique for each of them.
let sequence = 0;

export function newIdempotencyKey(ctx: FlowContext, op: Operation, walletId: string): string {
  // ':' separates the key's fields; a vu holding one would make keys ambiguous.
  if (ctx.it.vu.includes(':')) throw new Error(`moshpit: IterationInfo.vu must not contain ':', got "${ctx.it.vu}"`);
  sequence += 1;
  return idempotencyKey(ctx.rt.config.runId, op, walletId, `v${ctx.it.vu}-${sequence}`);
}
