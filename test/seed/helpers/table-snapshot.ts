// Row snapshots for "untouched" checks: each row's text together with its ctid and xmin, so a
// row that was rewritten with identical values (UPDATE ... SET x = x) still counts as touched.
import type pg from 'pg';

type Db = pg.Pool | pg.ClientBase;

export async function publicTables(db: Db): Promise<string[]> {
  const { rows } = await db.query(`SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`);
  return rows.map((r) => r.table_name as string);
}

/** Sorted `(ctid, xmin, row)` texts of the rows matching `where` (trusted test SQL). */
export async function rowTexts(db: Db, table: string, where = 'true', params: unknown[] = []): Promise<string[]> {
  const { rows } = await db.query(`SELECT ROW(t.ctid, t.xmin, t.*)::text AS r FROM ${table} t WHERE ${where} ORDER BY 1`, params);
  return rows.map((r) => r.r as string);
}

/** Every row of every public table: equal snapshots mean nothing was written at all. */
export async function databaseSnapshot(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of await publicTables(db)) out[t] = await rowTexts(db, t);
  return out;
}

export async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query(sql, params);
  return Number(Object.values(rows[0] as object)[0]);
}
