// The connection pool. SQL-level defect modes travel to the stored procedures as the
// `moshpit.defects` setting on every connection; server-level ones stay in the server.
import pg from 'pg';
import type { DefectMode } from './defects.js';
import { isSqlDefect } from './defects.js';

export interface PoolOptions {
  databaseUrl: string;
  size: number;
  defects: readonly DefectMode[];
  onIdleError: (err: Error) => void;
}

// Waiting for a pooled client under load is normal; only a dead database should hit this.
const CONNECT_TIMEOUT_MS = 10_000;

export function createPool(opts: PoolOptions): pg.Pool {
  const sqlDefects = opts.defects.filter(isSqlDefect).join(',');
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.size,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    application_name: 'moshpit-target',
    options: `-c moshpit.defects=${sqlDefects}`,
  });
  // An idle client dying (database restarted or dropped) must not crash the server.
  pool.on('error', opts.onIdleError);
  return pool;
}

const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH']);
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '3D000', '53300']);

/** Errors that mean "the database is not reachable right now", answered 503 rather than 500. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connection timeout/i.test(err.message);
}
