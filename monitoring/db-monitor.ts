// Samples the database with the named queries of db-monitor.sql. A sample holds numbers only
// (ratios are null when there is nothing to divide yet), ready to be written as InfluxDB fields;
// rates come from two samples via sampleRates().
import type pg from 'pg';
import { monitoringQuery } from './named-queries.js';

export interface ConnectionCounts {
  total: number;
  active: number;
  idle: number;
  idleInTransaction: number;
  idleInTransactionAborted: number;
  other: number;
  waitingOnLock: number;
}

/** Cumulative since the last stats reset: only differences between samples mean anything. */
export interface CumulativeCounters {
  commits: number;
  rollbacks: number;
  deadlocks: number;
  conflicts: number;
  tuplesInserted: number;
  tuplesUpdated: number;
  tuplesDeleted: number;
  tuplesReturned: number;
  tuplesFetched: number;
  blocksRead: number;
  blocksHit: number;
  tempFiles: number;
  tempBytes: number;
  walRecords: number;
  walBytes: number;
  walBuffersFull: number;
}

export interface TableSample {
  table: string;
  seqScans: number;
  indexScans: number;
  indexScanRatio: number | null;
  liveRows: number;
  deadRows: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
}

export interface DatabaseSample {
  /** Epoch milliseconds when the sample was taken. */
  takenAt: number;
  connections: ConnectionCounts;
  serverConnections: number;
  maxConnections: number;
  /** Lock requests not granted right now. */
  lockWaits: number;
  blockedQueries: number;
  longestBlockedSeconds: number;
  /** Age of the oldest open transaction, 0 when none. */
  longestTransactionSeconds: number;
  cacheHitRatio: number | null;
  tableCacheHitRatio: number | null;
  indexCacheHitRatio: number | null;
  databaseSizeBytes: number;
  counters: CumulativeCounters;
  tables: TableSample[];
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ratio = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Runs the queries on one connection in one read-only transaction: the monitor adds one
 * backend and one commit per sample, and all statistics come from the same snapshot.
 */
export async function sampleDatabase(pool: pg.Pool): Promise<DatabaseSample> {
  const client = await pool.connect();
  let inTransaction = false;
  try {
    await client.query('BEGIN READ ONLY');
    inTransaction = true;
    const q = async (name: string) => (await client.query(monitoringQuery(name))).rows;
    const takenAt = Date.now();
    const byState = await q('connections_by_state');
    const capacity = (await q('connection_capacity'))[0] ?? {};
    const lockWaits = await q('lock_waits');
    const blocked = await q('blocked_queries');
    const activity = (await q('database_activity'))[0] ?? {};
    const cache = (await q('cache_hit_ratio'))[0] ?? {};
    const tables = await q('index_usage');
    const longest = (await q('longest_transaction'))[0];
    const wal = (await q('write_throughput'))[0] ?? {};
    await client.query('COMMIT');
    inTransaction = false;

    const connections: ConnectionCounts = { total: 0, active: 0, idle: 0, idleInTransaction: 0, idleInTransactionAborted: 0, other: 0, waitingOnLock: 0 };
    for (const r of byState) {
      const n = num(r.connections);
      connections.total += n;
      connections.waitingOnLock += num(r.waiting_on_lock);
      if (r.state === 'active') connections.active += n;
      else if (r.state === 'idle') connections.idle += n;
      else if (r.state === 'idle in transaction') connections.idleInTransaction += n;
      else if (r.state === 'idle in transaction (aborted)') connections.idleInTransactionAborted += n;
      else connections.other += n;
    }
    return {
      takenAt,
      connections,
      serverConnections: num(capacity.server_connections),
      maxConnections: num(capacity.max_connections),
      lockWaits: lockWaits.reduce((s, r) => s + num(r.waiting), 0),
      blockedQueries: blocked.length,
      longestBlockedSeconds: blocked.reduce((m, r) => Math.max(m, num(r.waiting_seconds)), 0),
      longestTransactionSeconds: longest ? num(longest.transaction_seconds) : 0,
      cacheHitRatio: ratio(cache.database_ratio),
      tableCacheHitRatio: ratio(cache.table_ratio),
      indexCacheHitRatio: ratio(cache.index_ratio),
      databaseSizeBytes: num(activity.database_size_bytes),
      counters: {
        commits: num(activity.commits),
        rollbacks: num(activity.rollbacks),
        deadlocks: num(activity.deadlocks),
        conflicts: num(activity.conflicts),
        tuplesInserted: num(activity.tuples_inserted),
        tuplesUpdated: num(activity.tuples_updated),
        tuplesDeleted: num(activity.tuples_deleted),
        tuplesReturned: num(activity.tuples_returned),
        tuplesFetched: num(activity.tuples_fetched),
        blocksRead: num(activity.blocks_read),
        blocksHit: num(activity.blocks_hit),
        tempFiles: num(activity.temp_files),
        tempBytes: num(activity.temp_bytes),
        walRecords: num(wal.wal_records),
        walBytes: num(wal.wal_bytes),
        walBuffersFull: num(wal.wal_buffers_full),
      },
      tables: tables.map((r) => ({
        table: String(r.table_name),
        seqScans: num(r.seq_scans),
        indexScans: num(r.index_scans),
        indexScanRatio: ratio(r.index_scan_ratio),
        liveRows: num(r.live_rows),
        deadRows: num(r.dead_rows),
        rowsInserted: num(r.rows_inserted),
        rowsUpdated: num(r.rows_updated),
        rowsDeleted: num(r.rows_deleted),
      })),
    };
  } finally {
    if (inTransaction) await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

export interface SampleRates {
  seconds: number;
  commitsPerSecond: number | null;
  rollbacksPerSecond: number | null;
  tuplesInsertedPerSecond: number | null;
  tuplesUpdatedPerSecond: number | null;
  tuplesDeletedPerSecond: number | null;
  walBytesPerSecond: number | null;
  /** Deadlocks detected between the two samples (a count: any is worth a look). */
  deadlocks: number | null;
  /** Cache hit ratio of the reads between the two samples, not since the stats reset. */
  intervalCacheHitRatio: number | null;
}

/** Per-second rates between two samples; null where a counter went backwards (stats reset). */
export function sampleRates(previous: DatabaseSample, current: DatabaseSample): SampleRates {
  const seconds = (current.takenAt - previous.takenAt) / 1000;
  const delta = (k: keyof CumulativeCounters): number | null => {
    const d = current.counters[k] - previous.counters[k];
    return d < 0 ? null : d;
  };
  const rate = (k: keyof CumulativeCounters): number | null => {
    const d = delta(k);
    return d === null || seconds <= 0 ? null : d / seconds;
  };
  const hit = delta('blocksHit');
  const read = delta('blocksRead');
  return {
    seconds,
    commitsPerSecond: rate('commits'),
    rollbacksPerSecond: rate('rollbacks'),
    tuplesInsertedPerSecond: rate('tuplesInserted'),
    tuplesUpdatedPerSecond: rate('tuplesUpdated'),
    tuplesDeletedPerSecond: rate('tuplesDeleted'),
    walBytesPerSecond: rate('walBytes'),
    deadlocks: delta('deadlocks'),
    intervalCacheHitRatio: hit === null || read === null || hit + read === 0 ? null : hit / (hit + read),
  };
}
