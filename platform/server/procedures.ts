// Calls into the stored procedures (platform/migrations/002_procedures.sql). Named prepared
// statements with named arguments: parsed once per pooled connection, and immune to argument
// order. Server-level defect modes hook in here, around the transaction.
import type pg from 'pg';
import { WRITE_OPERATIONS, type Operation } from '../../core/operations.js';
import type { ServerDefect } from './defects.js';
import type { BarOrderInput, FundingIntentInput, GateScanInput, RechargeInput } from './input-validation.js';
import { asProcedureResult, type ProcedureResult } from './procedure-result.js';
import type { ServerDefects } from './server-defects.js';
import type { OfflineSyncInput } from './offline-sync-routes.js';

export interface CallOutcome {
  result: ProcedureResult;
  /** The server-level defect that shaped this answer, if one fired. */
  defect: ServerDefect | null;
}

interface Statement { name: string; text: string; values: unknown[] }

export const EXPOSED_PROCEDURES = [
  'sp_process_gate_scan',
  'sp_process_bar_order',
  'sp_process_checkpoint_recharge',
  'sp_create_funding_intent',
  'get_wallet',
  'get_funding_intent',
] as const;
export const REQUIRED_PROCEDURES = [...EXPOSED_PROCEDURES, 'sp_process_stripe_recharge'] as const;

type Queryable = Pick<pg.PoolClient, 'query'>;

async function callJson(db: Queryable, statement: Statement): Promise<unknown> {
  const res = await db.query<{ r: unknown }>(statement);
  return res.rows[0]?.r ?? null;
}

export class Procedures {
  constructor(private readonly pool: pg.Pool, private readonly defects: ServerDefects) {}

  gateScan(input: GateScanInput): Promise<CallOutcome> {
    return this.write(input.direction, 'sp_process_gate_scan', {
      name: 'sp_process_gate_scan',
      text: 'SELECT sp_process_gate_scan(p_idempotency_key => $1, p_wallet_id => $2, p_gateway_id => $3, p_direction => $4) AS r',
      values: [input.idempotencyKey, input.walletId, input.gatewayId, input.direction],
    });
  }

  barOrder(input: BarOrderInput): Promise<CallOutcome> {
    return this.write('order', 'sp_process_bar_order', {
      name: 'sp_process_bar_order',
      text: 'SELECT sp_process_bar_order(p_idempotency_key => $1, p_wallet_id => $2, p_terminal_id => $3, p_items => $4::jsonb) AS r',
      values: [input.idempotencyKey, input.walletId, input.terminalId, JSON.stringify(input.items)],
    });
  }

  checkpointRecharge(input: RechargeInput): Promise<CallOutcome> {
    return this.write('recharge', 'sp_process_checkpoint_recharge', {
      name: 'sp_process_checkpoint_recharge',
      text: 'SELECT sp_process_checkpoint_recharge(p_idempotency_key => $1, p_wallet_id => $2, p_amount_cents => $3::bigint, p_checkpoint_id => $4, p_method => $5) AS r',
      values: [input.idempotencyKey, input.walletId, input.amountCents, input.checkpointId, input.method],
    });
  }

  createFundingIntent(input: FundingIntentInput): Promise<CallOutcome> {
    return this.write('funding_intent', 'sp_create_funding_intent', {
      name: 'sp_create_funding_intent',
      text: 'SELECT sp_create_funding_intent(p_idempotency_key => $1, p_wallet_id => $2, p_amount_cents => $3::bigint) AS r',
      values: [input.idempotencyKey, input.walletId, input.amountCents],
    });
  }

  stripeRecharge(eventId: string, eventType: string, intentId: string | null): Promise<CallOutcome> {
    return this.write('funding_webhook', 'sp_process_stripe_recharge', {
      name: 'sp_process_stripe_recharge',
      text: 'SELECT sp_process_stripe_recharge(p_event_id => $1, p_event_type => $2, p_intent_id => $3) AS r',
      values: [eventId, eventType, intentId],
    });
  }

  /** Offline terminal sync (003_offline_sync.sql); not in EXPOSED_PROCEDURES: optional for user deployments. */
  offlineSync(input: OfflineSyncInput): Promise<CallOutcome> {
    return this.write('order', 'sp_sync_offline_orders', {
      name: 'sp_sync_offline_orders',
      text: 'SELECT sp_sync_offline_orders(p_idempotency_key => $1, p_terminal_id => $2, p_orders => $3::jsonb) AS r',
      values: [input.idempotencyKey, input.terminalId, JSON.stringify(input.orders)],
    });
  }

  /** null when the procedure returned SQL NULL (treated as "not found" by callers). */
  async getWallet(walletId: string): Promise<ProcedureResult | null> {
    const value = await callJson(this.pool, {
      name: 'get_wallet', text: 'SELECT get_wallet(p_wallet_id => $1) AS r', values: [walletId],
    });
    return value === null ? null : asProcedureResult(value, 'get_wallet');
  }

  async getFundingIntent(intentId: string): Promise<ProcedureResult | null> {
    const value = await callJson(this.pool, {
      name: 'get_funding_intent', text: 'SELECT get_funding_intent(p_intent_id => $1) AS r', values: [intentId],
    });
    return value === null ? null : asProcedureResult(value, 'get_funding_intent');
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Names of required procedures the database lacks (an unmigrated database). */
  async missingProcedures(): Promise<string[]> {
    const res = await this.pool.query<{ name: string }>(
      'SELECT n AS name FROM unnest($1::text[]) AS n WHERE NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = n)',
      [REQUIRED_PROCEDURES],
    );
    return res.rows.map((r) => r.name);
  }

  private async write(op: Operation, procedure: string, statement: Statement): Promise<CallOutcome> {
    if (!this.defects.ackThenRollback) {
      // The common path: one statement, its own implicit transaction, one round trip.
      const result = asProcedureResult(await callJson(this.pool, statement), procedure);
      return this.afterCommit(op, result);
    }
    const client = await this.pool.connect();
    let broken: Error | undefined; // set when the connection itself may be unusable
    try {
      await client.query('BEGIN');
      const result = asProcedureResult(await callJson(client, statement), procedure);
      // Only writes that the suite reconciles count, so the footprint is visible to validators.
      if (isReconciledWrite(op) && this.defects.rollBack(result)) {
        await client.query('ROLLBACK');
        return { result, defect: 'ack_then_rollback' };
      }
      await client.query('COMMIT');
      return this.afterCommit(op, result);
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => { broken = rollbackErr; });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private afterCommit(op: Operation, result: ProcedureResult): CallOutcome {
    if (op === 'order' && this.defects.rejectCommittedOrder(result)) {
      const rejected: ProcedureResult = {
        ok: false,
        http_status: 402,
        code: 'insufficient_funds',
        message: 'insufficient funds for this order',
      };
      return { result: rejected, defect: 'commit_then_reject' };
    }
    return { result, defect: null };
  }
}

function isReconciledWrite(op: Operation): boolean {
  return (WRITE_OPERATIONS as readonly string[]).includes(op);
}
