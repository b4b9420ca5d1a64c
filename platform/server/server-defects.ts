// The server-level defect modes. Counters are deterministic (every 5th qualifying write) so a
// test or a validator knows exactly how many footprints to expect. Only fresh successes count:
// a defect that fires on a rejection or a replay would leave no footprint.
import type { DefectMode, ServerDefect } from './defects.js';
import type { ProcedureResult } from './procedure-result.js';

export const DEFECT_EVERY_NTH = 5;

// Webhook deliveries that were duplicates, ignored or superseded changed nothing worth losing.
function isFreshSuccess(result: ProcedureResult): boolean {
  return result.ok === true && result.replayed !== true && (result.outcome === undefined || result.outcome === 'applied');
}

export class ServerDefects {
  readonly ackThenRollback: boolean;
  readonly commitThenReject: boolean;
  private successfulWrites = 0;
  private committedOrders = 0;

  constructor(defects: readonly DefectMode[]) {
    this.ackThenRollback = defects.includes('ack_then_rollback');
    this.commitThenReject = defects.includes('commit_then_reject');
  }

  /** ack_then_rollback: decided before COMMIT; true = roll back but still answer success. */
  rollBack(result: ProcedureResult): boolean {
    if (!this.ackThenRollback || !isFreshSuccess(result)) return false;
    this.successfulWrites += 1;
    return this.successfulWrites % DEFECT_EVERY_NTH === 0;
  }

  /** commit_then_reject: decided after COMMIT of an order; true = answer 402 anyway. */
  rejectCommittedOrder(result: ProcedureResult): boolean {
    if (!this.commitThenReject || !isFreshSuccess(result)) return false;
    this.committedOrders += 1;
    return this.committedOrders % DEFECT_EVERY_NTH === 0;
  }

  active(): ServerDefect[] {
    const on: ServerDefect[] = [];
    if (this.ackThenRollback) on.push('ack_then_rollback');
    if (this.commitThenReject) on.push('commit_then_reject');
    return on;
  }
}
