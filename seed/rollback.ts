// Removes one prefix's test data and nothing else, in one transaction. The same predicates
// serve the preview (counts) and the delete, so what is shown is what gets removed.
// Seed --reset uses this too.
import pg from 'pg';
import { DEFAULT_PREFIX, validatePrefix } from './input.js';
import { prefixLikePattern, prefixLockName } from './test-prefix.js';

export interface TableCount { table: string; rows: number }

export interface RollbackResult {
  prefix: string;
  deleted: TableCount[];
  totalRows: number;
  /** Wallets that were inside the venue: venue_state.occupancy was lowered by this much. */
  occupancyCorrection: number;
}

// $1 is the escaped LIKE pattern. Order matters for the delete: rows that other predicates
// look up (orders, funding_intents, the key columns) are deleted after their dependants.
// Wallets go first so their row locks stop new operations on them mid-rollback.
export const TEST_ROWS: ReadonlyArray<{ table: string; where: string }> = [
  { table: 'wallets', where: 'id LIKE $1' },
  // Keys by whom they belong to, never by how the key is spelled: a real wallet's key may start
  // with the prefix, and losing it while its order stays would let a retry apply again.
  // A test wallet's key, or a wallet-less key guarding a test wallet's row (webhook-style); a
  // key recorded for a wallet that is not a test wallet is never taken.
  {
    table: 'idempotency_keys',
    where: `wallet_id LIKE $1
      OR (wallet_id IS NULL AND key IN (
        SELECT idempotency_key FROM ledger WHERE wallet_id LIKE $1
        UNION SELECT idempotency_key FROM app_transaction_log WHERE wallet_id LIKE $1
        UNION SELECT idempotency_key FROM nfc_scan_log WHERE wallet_id LIKE $1
        UNION SELECT idempotency_key FROM orders WHERE wallet_id LIKE $1
        UNION SELECT idempotency_key FROM recharges WHERE wallet_id LIKE $1
        UNION SELECT idempotency_key FROM funding_intents WHERE wallet_id LIKE $1))`,
  },
  { table: 'order_lines', where: 'order_id IN (SELECT id FROM orders WHERE wallet_id LIKE $1)' },
  { table: 'orders', where: 'wallet_id LIKE $1' },
  { table: 'stripe_events', where: 'intent_id IN (SELECT id FROM funding_intents WHERE wallet_id LIKE $1)' },
  { table: 'funding_intents', where: 'wallet_id LIKE $1' },
  { table: 'ledger', where: 'wallet_id LIKE $1' },
  { table: 'app_transaction_log', where: 'wallet_id LIKE $1' },
  { table: 'nfc_scan_log', where: 'wallet_id LIKE $1' },
  { table: 'recharges', where: 'wallet_id LIKE $1' },
  { table: 'products', where: 'id LIKE $1' },
  { table: 'terminals', where: 'id LIKE $1' },
  { table: 'gateways', where: 'id LIKE $1' },
  // A test vendor still referenced by a non-test product or terminal stays (the FK needs it).
  {
    table: 'vendors',
    where: `id LIKE $1
      AND NOT EXISTS (SELECT 1 FROM products p WHERE p.vendor_id = vendors.id AND p.id NOT LIKE $1)
      AND NOT EXISTS (SELECT 1 FROM terminals t WHERE t.vendor_id = vendors.id AND t.id NOT LIKE $1)`,
  },
];

/** Rows that rollback would delete now, per table (read-only). */
export async function countTestData(client: pg.ClientBase, prefix: string): Promise<TableCount[]> {
  const pattern = prefixLikePattern(prefix);
  const sql = TEST_ROWS.map((t) => `SELECT '${t.table}' AS table, count(*)::bigint AS rows FROM ${t.table} WHERE ${t.where}`).join('\nUNION ALL\n');
  const { rows } = await client.query(sql, [pattern]);
  const byTable = new Map(rows.map((r) => [r.table as string, Number(r.rows)]));
  return TEST_ROWS.map((t) => ({ table: t.table, rows: byTable.get(t.table) ?? 0 }));
}

/** Deletes the prefix's test data in one transaction on `client` (which must not be in one). */
export async function deleteTestData(client: pg.ClientBase, prefix: string): Promise<RollbackResult> {
  validatePrefix(prefix);
  const pattern = prefixLikePattern(prefix);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [prefixLockName(prefix)]);
    const deleted: TableCount[] = [];
    let occupancyCorrection = 0;
    for (const t of TEST_ROWS) {
      if (t.table === 'wallets') {
        const { rows } = await client.query(
          `WITH gone AS (DELETE FROM wallets WHERE ${t.where} RETURNING inside)
           SELECT count(*)::bigint AS rows, count(*) FILTER (WHERE inside)::bigint AS inside FROM gone`,
          [pattern],
        );
        deleted.push({ table: t.table, rows: Number(rows[0].rows) });
        occupancyCorrection = Number(rows[0].inside);
      } else {
        const r = await client.query(`DELETE FROM ${t.table} WHERE ${t.where}`, [pattern]);
        deleted.push({ table: t.table, rows: r.rowCount ?? 0 });
      }
    }
    // Test wallets that were inside leave the venue with their rows; the live count follows.
    if (occupancyCorrection > 0) {
      await client.query('UPDATE venue_state SET occupancy = occupancy - $1 WHERE id', [occupancyCorrection]);
    }
    await client.query('COMMIT');
    return { prefix, deleted, totalRows: deleted.reduce((s, d) => s + d.rows, 0), occupancyCorrection };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

async function withClient<T>(databaseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'moshpit-rollback' });
  await client.connect();
  try { return await fn(client); } finally { await client.end(); }
}

export interface RollbackOptions { databaseUrl: string; prefix?: string }

export async function previewRollback({ databaseUrl, prefix = DEFAULT_PREFIX }: RollbackOptions): Promise<TableCount[]> {
  validatePrefix(prefix);
  return withClient(databaseUrl, (c) => countTestData(c, prefix));
}

export async function rollbackTestData({ databaseUrl, prefix = DEFAULT_PREFIX }: RollbackOptions): Promise<RollbackResult> {
  validatePrefix(prefix);
  return withClient(databaseUrl, (c) => deleteTestData(c, prefix));
}
