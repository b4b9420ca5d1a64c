// All checkers read one database state: a coordinator transaction exports its snapshot and
// every checker's transaction imports it, so checkers running in parallel cannot disagree
// because a write landed between them. Where export is impossible (some poolers), each
// checker gets its own snapshot and the report says so.
import type pg from 'pg';

export interface SharedSnapshot {
  /** pg_export_snapshot() id, or null when checkers read their own snapshots. */
  id: string | null;
  /** now() of the snapshot: the instant age bounds are measured from. */
  asOf: Date;
  close(): Promise<void>;
}

const SNAPSHOT_ID = /^[0-9A-Fa-f-]+$/;

export async function openSharedSnapshot(pool: pg.Pool): Promise<SharedSnapshot> {
  const coordinator = await pool.connect();
  try {
    await coordinator.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await coordinator.query<{ id: string; as_of: Date }>('SELECT pg_export_snapshot() AS id, now() AS as_of');
    const { id, as_of: asOf } = rows[0]!;
    if (!SNAPSHOT_ID.test(id)) throw new Error(`unexpected snapshot id ${id}`);
    return {
      id,
      asOf,
      // The exported snapshot lives as long as this transaction: close after the checkers.
      close: async () => {
        await coordinator.query('ROLLBACK').catch(() => {});
        coordinator.release();
      },
    };
  } catch {
    await coordinator.query('ROLLBACK').catch(() => {});
    const { rows } = await coordinator.query<{ as_of: Date }>('SELECT now() AS as_of');
    coordinator.release();
    return { id: null, asOf: rows[0]!.as_of, close: async () => {} };
  }
}

export interface SessionLimits {
  statementTimeoutMs: number;
  /** work_mem for the checker's queries, e.g. '64MB': sorts and hashes of millions of rows spill below it. */
  workMem: string;
}

/** Runs fn in a read-only transaction on the shared snapshot (or a fresh one). */
export async function inSnapshot<T>(pool: pg.Pool, snapshot: SharedSnapshot, limits: SessionLimits, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (snapshot.id) await client.query(`SET TRANSACTION SNAPSHOT '${snapshot.id}'`);
    await client.query(`SELECT set_config('statement_timeout', $1, true), set_config('work_mem', $2, true)`, [
      String(Math.max(0, Math.floor(limits.statementTimeoutMs))),
      limits.workMem,
    ]);
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => { broken = e; });
    throw err;
  } finally {
    client.release(broken);
  }
}
