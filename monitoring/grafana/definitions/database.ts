// Database: the db monitor's series (monitoring/db-monitor-influx.ts, measurement moshpit_db)
// for the selected run: connections, locks, commit and write rates, cache, long transactions.
import { RUN_ANNOTATIONS } from '../annotations.js';
import { moshpitFields } from '../influxql.js';
import type { DashboardDef, PanelDef } from '../panel-model.js';
import type { DbField } from '../../db-monitor-influx.js';

type Field = { field: DbField; label: string; aggregate?: 'mean' | 'max' | 'last' | 'sum' };

function dbPanel(key: string, title: string, description: string, unit: string, fields: Field[], width = 8): PanelDef {
  return { key, title, description, kind: 'timeseries', unit, width, queries: [moshpitFields('moshpit_db', fields)] };
}

export const DATABASE: DashboardDef = {
  uid: 'moshpit-database',
  title: 'moshpit · Database',
  file: 'database.json',
  description: 'PostgreSQL under the run\'s load, sampled by the db monitor (monitoring/db-monitor.sql).',
  annotations: RUN_ANNOTATIONS,
  items: [
    { row: 'Connections and locks' },
    dbPanel('connections', 'Connections by state', 'Client backends of the database by state; "idle in transaction" holds locks and snapshots.', 'short', [
      { field: 'connections_active', label: 'active' },
      { field: 'connections_idle', label: 'idle' },
      { field: 'connections_idle_in_transaction', label: 'idle in transaction' },
      { field: 'connections_waiting_on_lock', label: 'waiting on a lock' },
    ]),
    dbPanel('connection-headroom', 'Server connections vs max_connections', 'Exhaustion shows here before it shows as errors.', 'short', [
      { field: 'server_connections', label: 'server connections' },
      { field: 'max_connections', label: 'max_connections' },
    ]),
    dbPanel('locks', 'Lock waits and blocked queries', 'Lock requests not granted and backends blocked by another (max per bucket).', 'short', [
      { field: 'lock_waits', label: 'lock waits', aggregate: 'max' },
      { field: 'blocked_queries', label: 'blocked queries', aggregate: 'max' },
    ]),
    { row: 'Throughput' },
    dbPanel('commits', 'Commits and rollbacks per second', 'pg_stat_database xact_commit / xact_rollback between samples.', 'ops', [
      { field: 'commits_per_s', label: 'commits/s' },
      { field: 'rollbacks_per_s', label: 'rollbacks/s' },
    ]),
    dbPanel('tuples', 'Tuples written per second', 'Rows inserted, updated and deleted per second between samples.', 'ops', [
      { field: 'tuples_inserted_per_s', label: 'inserted/s' },
      { field: 'tuples_updated_per_s', label: 'updated/s' },
      { field: 'tuples_deleted_per_s', label: 'deleted/s' },
    ]),
    dbPanel('wal', 'WAL written per second', 'pg_stat_wal bytes per second between samples.', 'Bps', [{ field: 'wal_bytes_per_s', label: 'WAL' }]),
    { row: 'Health' },
    dbPanel('deadlocks', 'Deadlocks', 'Deadlocks detected between samples (sum per bucket). Any is worth a look.', 'short', [
      { field: 'deadlocks', label: 'deadlocks', aggregate: 'sum' },
    ]),
    dbPanel('cache', 'Cache hit ratio', 'Share of block reads served from shared buffers between samples.', 'percentunit', [
      { field: 'cache_hit_ratio', label: 'cache hit ratio' },
    ]),
    dbPanel('long-transactions', 'Longest transaction and longest lock wait', 'Age of the oldest open transaction and the longest wait of a blocked query (max per bucket).', 's', [
      { field: 'longest_transaction_s', label: 'longest transaction', aggregate: 'max' },
      { field: 'longest_blocked_s', label: 'longest lock wait', aggregate: 'max' },
    ]),
    dbPanel('size', 'Database size', 'pg_database_size of the target database.', 'bytes', [{ field: 'database_size_bytes', label: 'size', aggregate: 'last' }], 24),
  ],
};
