// Sequential scans during the run: pg_stat_user_tables at load start and end; the difference
// per table, with tables from LARGE_TABLE_ROWS live rows on flagged (core/large-table.ts).
import type pg from 'pg';
import { isLargeTable, LARGE_TABLE_ROWS } from '../../core/large-table.js';
import type { SeqScansPart, TableScanRow } from './types.js';

export interface TableCounters { table: string; seqScans: number; seqRowsRead: number; indexScans: number; liveRows: number }

export async function readTableCounters(db: pg.ClientBase): Promise<Map<string, TableCounters>> {
  const { rows } = await db.query(
    `SELECT schemaname || '.' || relname AS table_name, seq_scan::bigint AS seq_scan, seq_tup_read::bigint AS seq_tup_read,
            coalesce(idx_scan, 0)::bigint AS idx_scan, n_live_tup::bigint AS n_live_tup
     FROM pg_stat_user_tables`,
  );
  return new Map(rows.map((r) => [String(r.table_name), {
    table: String(r.table_name), seqScans: Number(r.seq_scan), seqRowsRead: Number(r.seq_tup_read), indexScans: Number(r.idx_scan), liveRows: Number(r.n_live_tup),
  }]));
}

/** Tables scanned sequentially between the two readings, large ones first, then by rows read. */
export function tableScanDelta(before: Map<string, TableCounters>, after: Map<string, TableCounters>): SeqScansPart {
  const tables: TableScanRow[] = [];
  for (const [name, a] of after) {
    const b = before.get(name);
    const seqScans = a.seqScans - (b?.seqScans ?? 0);
    if (seqScans <= 0) continue;
    tables.push({
      table: name, seqScans, seqRowsRead: a.seqRowsRead - (b?.seqRowsRead ?? 0), indexScans: a.indexScans - (b?.indexScans ?? 0),
      liveRows: a.liveRows, large: isLargeTable(Math.max(a.liveRows, b?.liveRows ?? 0)),
    });
  }
  tables.sort((x, y) => Number(y.large) - Number(x.large) || y.seqRowsRead - x.seqRowsRead);
  return { available: true, largeTableRows: LARGE_TABLE_ROWS, tables };
}
