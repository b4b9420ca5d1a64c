// Is the database server a process of this machine? Our own backend's PID, as the server
// reports it, names a local process whose name is "postgres" (and whose parent, the
// postmaster, is one too) only when the server runs here, in our PID namespace. Then its
// postmaster and backends can be sampled from /proc like the embedded cluster's.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { readStat } from '../process-sampler.js';

function comm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The postmaster's PID when the server behind `db` runs on this machine, else null. */
export async function localPostmasterPid(db: pg.ClientBase): Promise<number | null> {
  const { rows } = await db.query('SELECT pg_backend_pid() AS pid');
  const backend = Number(rows[0]?.pid);
  if (!Number.isInteger(backend) || comm(backend) !== 'postgres') return null;
  const parent = readStat(backend)?.ppid ?? 0;
  return parent > 1 && comm(parent) === 'postgres' ? parent : null;
}
