// Lock waits by relation, sampled: which table's rows the backends queue on. A backend waiting
// for a row held by another transaction waits on that transaction's id (locktype
// 'transactionid', no relation), while holding the row's 'tuple' lock, which names the table;
// later waiters wait on the tuple lock itself. So the relation is the waited lock's, else the
// waiter's tuple lock's.
import type pg from 'pg';
import type { LockWaitRow, LockWaitsPart } from './types.js';

export const LOCK_WAITS_SQL = `
SELECT coalesce(w.relation, t.relation)::regclass::text AS relation,
       w.locktype,
       coalesce(a.wait_event, '') AS wait_event,
       count(*)::int AS waiting
FROM pg_stat_activity a
JOIN pg_locks w ON w.pid = a.pid AND NOT w.granted
LEFT JOIN LATERAL (
  SELECT h.relation FROM pg_locks h
  WHERE h.pid = a.pid AND h.locktype = 'tuple' AND h.relation IS NOT NULL LIMIT 1
) t ON true
WHERE a.datname = current_database()
  AND a.wait_event_type = 'Lock'
  AND a.pid <> pg_backend_pid()
GROUP BY 1, 2, 3`;

export interface LockWaitSample { relation: string; locktype: string; waitEvent: string; waiting: number }

export async function sampleLockWaits(db: pg.ClientBase): Promise<LockWaitSample[]> {
  const { rows } = await db.query(LOCK_WAITS_SQL);
  return rows.map((r) => ({ relation: r.relation ?? '(no relation: transaction id)', locktype: String(r.locktype), waitEvent: String(r.wait_event), waiting: Number(r.waiting) }));
}

/** Sums samples into one row per relation, lock type and wait event, longest waits first. */
export function summariseLockWaits(samples: LockWaitSample[][], intervalMs: number): LockWaitsPart {
  const rows = new Map<string, LockWaitRow>();
  for (const sample of samples) {
    for (const s of sample) {
      const key = `${s.relation}\u0000${s.locktype}\u0000${s.waitEvent}`;
      const row = rows.get(key) ?? { relation: s.relation, locktype: s.locktype, waitEvent: s.waitEvent, samples: 0, maxWaiting: 0, waitSeconds: 0 };
      row.samples++;
      row.maxWaiting = Math.max(row.maxWaiting, s.waiting);
      row.waitSeconds += (s.waiting * intervalMs) / 1000;
      rows.set(key, row);
    }
  }
  return { available: true, intervalMs, samples: samples.length, byRelation: [...rows.values()].sort((a, b) => b.waitSeconds - a.waitSeconds) };
}
