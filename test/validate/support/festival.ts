// Builds a scoped festival dataset by calling the reference target's stored procedures
// directly (what the server does per request), and keeps the tally a k6 client would have:
// acked / rejected / indeterminate per write operation, counted once per idempotency key.
import { outcomeMetric } from '../../../core/metric-names.js';
import type pg from 'pg';
import { classifyHttpStatus, idempotencyKey, WRITE_OPERATIONS, type Operation, type OutcomeClass, type WriteOperation } from '../../../core/operations.js';

export type ProcResult = { ok: boolean; http_status: number; code?: string; replayed?: boolean; [k: string]: unknown };

export interface CallOptions {
  /** Defect modes for this call (the moshpit.defects setting the server would set). */
  defects?: string[];
  /** Roll the call back (the server's ack_then_rollback): the client still sees the answer. */
  rollback?: boolean;
  /** What the client saw instead of the real answer (e.g. timeout -> 'indeterminate'). */
  seenAs?: OutcomeClass;
  /** Explicit idempotency key (default: a fresh one for this run). */
  key?: string;
}

type Tally = Record<WriteOperation, Record<OutcomeClass, { count: number; cents: number }>>;

function emptyTally(): Tally {
  const t = {} as Tally;
  for (const op of WRITE_OPERATIONS) t[op] = { acked: { count: 0, cents: 0 }, rejected: { count: 0, cents: 0 }, indeterminate: { count: 0, cents: 0 } };
  return t;
}

export class Festival {
  readonly tally: Tally = emptyTally();
  private seq = 0;
  private readonly countedIntents = new Set<string>();

  constructor(readonly pool: pg.Pool, readonly prefix: string, readonly runId: string) {}

  id(name: string): string {
    return `${this.prefix}${name}`;
  }

  key(op: Operation): string {
    this.seq += 1;
    return idempotencyKey(this.runId, op, this.seq);
  }

  /** Vendor, three products, a terminal and two gateways, all prefixed. */
  async catalog(): Promise<void> {
    await this.pool.query(`INSERT INTO vendors (id, name) VALUES ($1, 'Bar 1')`, [this.id('vendor-1')]);
    await this.pool.query(
      `INSERT INTO products (id, vendor_id, name, price_cents) VALUES ($1, $4, 'Lager', 650), ($2, $4, 'Water', 300), ($3, $4, 'Fries', 450)`,
      [this.id('p-beer'), this.id('p-water'), this.id('p-fries'), this.id('vendor-1')],
    );
    await this.pool.query(`INSERT INTO terminals (id, vendor_id, name) VALUES ($1, $2, 'Till 1')`, [this.id('terminal-1'), this.id('vendor-1')]);
    await this.pool.query(`INSERT INTO gateways (id, name) VALUES ($1, 'Door 1'), ($2, 'Door 2')`, [this.id('gateway-1'), this.id('gateway-2')]);
  }

  async wallet(name: string, openingCents: number): Promise<string> {
    const id = this.id(name);
    await this.pool.query(`INSERT INTO wallets (id, balance_cents, opening_balance_cents) VALUES ($1, $2, $2)`, [id, openingCents]);
    return id;
  }

  /** One procedure call in its own transaction, as the server makes it. */
  async call(sql: string, params: unknown[], opts: CallOptions = {}): Promise<ProcResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('moshpit.defects', $1, true)`, [(opts.defects ?? []).join(',')]);
      const { rows } = await client.query(sql, params);
      await client.query(opts.rollback ? 'ROLLBACK' : 'COMMIT');
      return rows[0]!.r as ProcResult;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  private record(op: WriteOperation, r: ProcResult, cents: number, opts: CallOptions): ProcResult {
    if (r.replayed) return r; // a replay answers an already counted key
    const cls = opts.seenAs ?? classifyHttpStatus(r.http_status);
    this.tally[op][cls].count += 1;
    this.tally[op][cls].cents += cls === 'rejected' ? 0 : cents;
    return r;
  }

  async recharge(wallet: string, amountCents: number, opts: CallOptions = {}): Promise<ProcResult> {
    const key = opts.key ?? this.key('recharge');
    const r = await this.call(
      `SELECT sp_process_checkpoint_recharge(p_idempotency_key => $1, p_wallet_id => $2, p_amount_cents => $3::bigint, p_checkpoint_id => 'cp-1', p_method => 'cash') AS r`,
      [key, wallet, amountCents],
      opts,
    );
    return this.record('recharge', { ...r, key }, amountCents, opts);
  }

  /** items: [product name (unprefixed), quantity]. */
  async order(wallet: string, items: Array<[string, number]>, opts: CallOptions = {}): Promise<ProcResult> {
    const key = opts.key ?? this.key('order');
    const payload = items.map(([p, quantity]) => ({ product_id: this.id(p), quantity }));
    const r = await this.call(
      `SELECT sp_process_bar_order(p_idempotency_key => $1, p_wallet_id => $2, p_terminal_id => $3, p_items => $4::jsonb) AS r`,
      [key, wallet, this.id('terminal-1'), JSON.stringify(payload)],
      opts,
    );
    // What the client knows the order is worth: the answer's total, else the catalog price.
    const prices: Record<string, number> = { 'p-beer': 650, 'p-water': 300, 'p-fries': 450 };
    const cents = typeof r.total_cents === 'number' ? r.total_cents : items.reduce((s, [p, q]) => s + prices[p]! * q, 0);
    return this.record('order', { ...r, key }, cents, opts);
  }

  async scan(wallet: string, direction: 'entry' | 'exit', opts: CallOptions & { gateway?: string } = {}): Promise<ProcResult> {
    const key = opts.key ?? this.key(direction);
    const r = await this.call(
      `SELECT sp_process_gate_scan(p_idempotency_key => $1, p_wallet_id => $2, p_gateway_id => $3, p_direction => $4) AS r`,
      [key, wallet, this.id(opts.gateway ?? 'gateway-1'), direction],
      opts,
    );
    return this.record(direction, { ...r, key }, typeof r.fee_cents === 'number' ? r.fee_cents : 0, opts);
  }

  entry(wallet: string, opts: CallOptions & { gateway?: string } = {}) {
    return this.scan(wallet, 'entry', opts);
  }

  exit(wallet: string, opts: CallOptions & { gateway?: string } = {}) {
    return this.scan(wallet, 'exit', opts);
  }

  async fundingIntent(wallet: string, amountCents: number, opts: CallOptions = {}): Promise<string> {
    const key = opts.key ?? this.key('funding_intent');
    const r = await this.call(
      `SELECT sp_create_funding_intent(p_idempotency_key => $1, p_wallet_id => $2, p_amount_cents => $3::bigint) AS r`,
      [key, wallet, amountCents],
      opts,
    );
    if (!r.ok) throw new Error(`funding intent refused: ${JSON.stringify(r)}`);
    return r.intent_id as string;
  }

  /**
   * One webhook delivery. Counted as lib/flows/wallet-funding.ts does: the first delivery per
   * intent (redeliveries are replays), acked on 2xx, with the amount for a success and 0 for
   * a failed payment.
   */
  async webhook(intentId: string, eventId: string, type = 'payment_intent.succeeded', opts: CallOptions = {}): Promise<ProcResult> {
    const r = await this.call(
      `SELECT sp_process_stripe_recharge(p_event_id => $1, p_event_type => $2, p_intent_id => $3) AS r`,
      [eventId, type, intentId],
      opts,
    );
    if (!this.countedIntents.has(intentId)) {
      this.countedIntents.add(intentId);
      const { rows } = await this.pool.query('SELECT amount_cents FROM funding_intents WHERE id = $1', [intentId]);
      const cents = type === 'payment_intent.succeeded' ? Number(rows[0]?.amount_cents ?? 0) : 0;
      this.record('funding_webhook', { ...r, replayed: false }, cents, opts);
    }
    return r;
  }

  /** k6 handleSummary data with the outcome counters of this tally. */
  summary(format: 'handleSummary' | 'summary-export' = 'handleSummary'): object {
    const metrics: Record<string, unknown> = {
      http_reqs: format === 'handleSummary' ? { type: 'counter', contains: 'default', values: { count: 1, rate: 1 } } : { count: 1, rate: 1 },
    };
    for (const op of WRITE_OPERATIONS) {
      for (const cls of ['acked', 'rejected', 'indeterminate'] as const) {
        const t = this.tally[op][cls];
        if (t.count === 0) continue; // k6 leaves out counters that were never added to
        const put = (name: string, count: number) => {
          metrics[name] = format === 'handleSummary'
            ? { type: 'counter', contains: name.endsWith('_cents') ? 'data' : 'default', values: { count, rate: count / 60 } }
            : { count, rate: count / 60 };
        };
        put(outcomeMetric(op, cls), t.count);
        if (cls !== 'rejected') put(outcomeMetric(op, cls, 'cents'), t.cents);
      }
    }
    return format === 'handleSummary' ? { root_group: { name: '', checks: [], groups: [] }, options: {}, state: { testRunDurationMs: 60000 }, metrics } : { root_group: {}, metrics };
  }
}
