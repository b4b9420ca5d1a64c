// Hand-made defects: rows written the way a buggy target would write them, each as small as
// possible so that only the invariant under test breaks.
import type pg from 'pg';

export interface LedgerEntry {
  wallet: string;
  kind: 'order' | 'reentry_fee' | 'funding' | 'recharge';
  amountCents: number;
  key?: string | null;
  reference?: string | null;
  /** Audit status for the row's app_transaction_log record; null = write no audit row. */
  audit?: 'completed' | 'replayed' | 'rejected' | null;
}

/**
 * Moves money the way the procedures do (balance, chained ledger row, audit row), in one
 * transaction, but without any business record behind it.
 */
export async function appendLedgerEntry(pool: pg.Pool, e: LedgerEntry): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: [w] } = await client.query(
      `UPDATE wallets SET balance_cents = balance_cents + $2 WHERE id = $1 RETURNING balance_cents, balance_cents - $2 AS previous`,
      [e.wallet, e.amountCents],
    );
    const { rows: [l] } = await client.query(
      `INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [e.wallet, e.kind, e.amountCents, w.balance_cents, e.key ?? null, e.reference ?? null],
    );
    const audit = e.audit === undefined ? 'completed' : e.audit;
    if (audit) {
      await client.query(
        `INSERT INTO app_transaction_log (wallet_id, transaction_type, status, amount_cents, previous_balance, new_balance, idempotency_key, ledger_id, reference_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [e.wallet, e.kind, audit, e.amountCents, w.previous, w.balance_cents, e.key ?? null, l.id, e.reference ?? null],
      );
    }
    await client.query('COMMIT');
    return Number(l.id);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export async function one<T = Record<string, unknown>>(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await pool.query(sql, params);
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql}`);
  return rows[0] as T;
}
