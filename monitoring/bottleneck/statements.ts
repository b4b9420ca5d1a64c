// pg_stat_statements over the load's window: which statements took the time. On our own
// cluster the statistics are reset at load start; on a user's database they are never wiped:
// a copy taken at load start is subtracted instead. Read through to_jsonb so that the column
// names of every PostgreSQL version (total_time up to 12, total_exec_time and toplevel after) work.
import type pg from 'pg';
import type { StatementRow, StatementsPart } from './types.js';

const TOP = 10;
const QUERY_CHARS = 300;
// Monitoring's own queries (the db monitor, the lock sampler, this module) read statistics views.
const MONITORING = /\b(pg_stat_\w+|pg_locks|pg_database_size|pg_statio_\w+)\b/;
export const MONITORING_EXCLUSION = 'queries on the statistics views (pg_stat_*, pg_statio_*, pg_locks): monitoring itself';

interface RawStatement { key: string; query: string; toplevel: boolean; calls: number; totalMs: number; rows: number }

export type StatementsBaseline = { available: false; reason: string } | { available: true; mode: 'reset' | 'snapshot'; before: Map<string, RawStatement> };

async function read(db: pg.ClientBase): Promise<Map<string, RawStatement>> {
  const { rows } = await db.query(
    `SELECT to_jsonb(s) AS s FROM pg_stat_statements s WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  const out = new Map<string, RawStatement>();
  for (const { s } of rows as Array<{ s: Record<string, unknown> }>) {
    const toplevel = s.toplevel === undefined ? true : Boolean(s.toplevel);
    const key = `${s.userid}:${s.queryid}:${toplevel}`;
    out.set(key, {
      key,
      query: String(s.query ?? ''),
      toplevel,
      calls: Number(s.calls ?? 0),
      totalMs: Number(s.total_exec_time ?? s.total_time ?? 0),
      rows: Number(s.rows ?? 0),
    });
  }
  return out;
}

function sqlState(err: unknown): string {
  return (err as { code?: string }).code ?? '';
}

/**
 * At load start: is pg_stat_statements there (created on our own cluster when missing), then
 * reset it (ours) or take the copy to subtract (a user's database).
 */
export async function statementsBaseline(db: pg.ClientBase, ownCluster: boolean): Promise<StatementsBaseline> {
  const ext = await db.query(`SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'`);
  if (ext.rowCount === 0) {
    if (!ownCluster) return { available: false, reason: "the extension pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements, with shared_preload_libraries = 'pg_stat_statements')" };
    try {
      await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    } catch (err) {
      return { available: false, reason: `CREATE EXTENSION pg_stat_statements failed: ${(err as Error).message}` };
    }
  }
  try {
    await db.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
  } catch (err) {
    // 55000: not in shared_preload_libraries (a cluster started before moshpit preloaded it).
    const hint = sqlState(err) === '55000'
      ? (ownCluster ? ": this cluster was started before moshpit preloaded it; 'moshpit stack down' then up restarts it with it" : ": add it to shared_preload_libraries and restart the server")
      : '';
    return { available: false, reason: `pg_stat_statements cannot be read (${(err as Error).message})${hint}` };
  }
  if (ownCluster) {
    try {
      await db.query('SELECT pg_stat_statements_reset()');
      return { available: true, mode: 'reset', before: new Map() };
    } catch {
      // Not allowed after all: fall back to the copy.
    }
  }
  return { available: true, mode: 'snapshot', before: await read(db) };
}

function ranked(rows: StatementRow[], by: (r: StatementRow) => number): StatementRow[] {
  return [...rows].sort((a, b) => by(b) - by(a) || a.query.localeCompare(b.query)).slice(0, TOP);
}

/** What ran between the baseline and now: calls, time and rows per statement, top 10 three ways. */
export function statementsDelta(before: Map<string, RawStatement>, after: Map<string, RawStatement>, mode: 'reset' | 'snapshot'): StatementsPart {
  const rows: StatementRow[] = [];
  for (const [key, a] of after) {
    if (MONITORING.test(a.query)) continue;
    const b = before.get(key);
    // A count that went down: the entry was evicted and came back; what it holds now is all in the run.
    const calls = b && a.calls >= b.calls ? a.calls - b.calls : a.calls;
    if (calls <= 0) continue;
    const totalMs = b && a.calls >= b.calls ? a.totalMs - b.totalMs : a.totalMs;
    const rowCount = b && a.calls >= b.calls ? a.rows - b.rows : a.rows;
    rows.push({ query: a.query.replace(/\s+/g, ' ').trim().slice(0, QUERY_CHARS), toplevel: a.toplevel, calls, totalMs, meanMs: totalMs / calls, rows: rowCount, shareOfTotal: null });
  }
  const totalMs = rows.filter((r) => r.toplevel).reduce((s, r) => s + r.totalMs, 0);
  for (const r of rows) r.shareOfTotal = totalMs > 0 ? r.totalMs / totalMs : null;
  return {
    available: true,
    mode,
    totalMs,
    statements: rows.length,
    byTotalTime: ranked(rows, (r) => r.totalMs),
    byMeanTime: ranked(rows, (r) => r.meanMs),
    byCalls: ranked(rows, (r) => r.calls),
    excluded: MONITORING_EXCLUSION,
  };
}

export async function statementsAfter(db: pg.ClientBase, baseline: StatementsBaseline): Promise<StatementsPart> {
  if (!baseline.available) return baseline;
  return statementsDelta(baseline.before, await read(db), baseline.mode);
}
