-- Database monitoring queries to run while a load test is going (source: GhostPass stress
-- protocol, "monitoring/db-monitor.sql"; deployment runbooks' lock, index and cache checks).
--
-- By hand:   psql "$DATABASE_URL" -f monitoring/db-monitor.sql
-- Live view: moshpit db-monitor --interval 5   (rates per second from the cumulative counters)
--
-- Each query starts with a `-- name: <name>` line; monitoring/db-monitor.ts loads them by name,
-- so keep the names and output columns stable. Counters marked "cumulative" only ever grow
-- (until pg_stat_reset); rates come from the difference between two samples.
-- The monitor's own connection (pg_backend_pid()) is left out of the activity queries.

-- name: connections_by_state
-- Connections to this database per state: active, idle, idle in transaction (holding locks
-- and snapshots: the one to watch), idle in transaction (aborted), plus how many of them wait.
SELECT coalesce(state, 'unknown') AS state,
       count(*)::int AS connections,
       count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting_on_lock
FROM pg_stat_activity
WHERE datname = current_database()
  AND backend_type = 'client backend'
  AND pid <> pg_backend_pid()
GROUP BY 1
ORDER BY 2 DESC;

-- name: connection_capacity
-- Connection headroom for the whole server: exhaustion shows up here before it shows up as errors.
SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS server_connections,
       current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS reserved_connections;

-- name: lock_waits
-- Lock requests not granted yet, by lock type and mode (row locks on hot wallets show up as
-- 'transactionid' / 'tuple'; the venue_state row as 'transactionid').
SELECT locktype,
       mode,
       count(*)::int AS waiting
FROM pg_locks
WHERE NOT granted
GROUP BY locktype, mode
ORDER BY waiting DESC;

-- name: blocked_queries
-- Who waits on whom: each blocked backend, the backends blocking it, and for how long.
SELECT blocked.pid AS blocked_pid,
       pg_blocking_pids(blocked.pid) AS blocked_by,
       extract(epoch FROM now() - blocked.query_start)::float8 AS waiting_seconds,
       blocked.wait_event_type,
       blocked.wait_event,
       left(blocked.query, 200) AS blocked_query,
       left(blocking.query, 200) AS blocking_query,
       blocking.state AS blocking_state
FROM pg_stat_activity blocked
LEFT JOIN LATERAL (
  SELECT b.query, b.state FROM pg_stat_activity b
  WHERE b.pid = (pg_blocking_pids(blocked.pid))[1]
) blocking ON true
WHERE blocked.datname = current_database()
  AND cardinality(pg_blocking_pids(blocked.pid)) > 0
ORDER BY waiting_seconds DESC;

-- name: database_activity
-- Cumulative counters of this database: commits, rollbacks, deadlocks, tuples written and
-- read, block reads vs. cache hits, temp files. Take two samples and divide by the seconds.
SELECT xact_commit::bigint AS commits,
       xact_rollback::bigint AS rollbacks,
       deadlocks::bigint AS deadlocks,
       conflicts::bigint AS conflicts,
       tup_inserted::bigint AS tuples_inserted,
       tup_updated::bigint AS tuples_updated,
       tup_deleted::bigint AS tuples_deleted,
       tup_returned::bigint AS tuples_returned,
       tup_fetched::bigint AS tuples_fetched,
       blks_read::bigint AS blocks_read,
       blks_hit::bigint AS blocks_hit,
       temp_files::bigint AS temp_files,
       temp_bytes::bigint AS temp_bytes,
       pg_database_size(datname)::bigint AS database_size_bytes,
       extract(epoch FROM stats_reset)::float8 AS stats_reset_epoch
FROM pg_stat_database
WHERE datname = current_database();

-- name: cache_hit_ratio
-- Share of block reads served from shared buffers since the last stats reset (want > 0.99
-- once warm), for the whole database and for table heaps / indexes of user tables.
SELECT (SELECT CASE WHEN blks_hit + blks_read = 0 THEN NULL
                    ELSE blks_hit::float8 / (blks_hit + blks_read) END
        FROM pg_stat_database WHERE datname = current_database()) AS database_ratio,
       (SELECT CASE WHEN sum(heap_blks_hit + heap_blks_read) = 0 THEN NULL
                    ELSE sum(heap_blks_hit)::float8 / sum(heap_blks_hit + heap_blks_read) END
        FROM pg_statio_user_tables) AS table_ratio,
       (SELECT CASE WHEN sum(idx_blks_hit + idx_blks_read) = 0 THEN NULL
                    ELSE sum(idx_blks_hit)::float8 / sum(idx_blks_hit + idx_blks_read) END
        FROM pg_statio_user_tables) AS index_ratio;

-- name: index_usage
-- Per table: sequential vs. index scans (a hot table with many seq scans lacks an index),
-- live and dead rows, and cumulative rows written.
SELECT relname AS table_name,
       seq_scan::bigint AS seq_scans,
       coalesce(idx_scan, 0)::bigint AS index_scans,
       CASE WHEN seq_scan + coalesce(idx_scan, 0) = 0 THEN NULL
            ELSE coalesce(idx_scan, 0)::float8 / (seq_scan + coalesce(idx_scan, 0)) END AS index_scan_ratio,
       n_live_tup::bigint AS live_rows,
       n_dead_tup::bigint AS dead_rows,
       n_tup_ins::bigint AS rows_inserted,
       n_tup_upd::bigint AS rows_updated,
       n_tup_hot_upd::bigint AS rows_hot_updated,
       n_tup_del::bigint AS rows_deleted
FROM pg_stat_user_tables
ORDER BY n_tup_ins + n_tup_upd + n_tup_del + seq_scan + coalesce(idx_scan, 0) DESC;

-- name: longest_transaction
-- The oldest open transaction on this database (long ones hold locks and stop vacuum).
SELECT pid,
       state,
       extract(epoch FROM now() - xact_start)::float8 AS transaction_seconds,
       extract(epoch FROM now() - query_start)::float8 AS query_seconds,
       left(query, 200) AS query
FROM pg_stat_activity
WHERE datname = current_database()
  AND xact_start IS NOT NULL
  AND pid <> pg_backend_pid()
ORDER BY xact_start
LIMIT 1;

-- name: write_throughput
-- Cumulative WAL written by the whole server: every committed write passes through it, so its
-- rate is the write throughput the disk sees. wal_buffers_full > 0 growing means wal_buffers
-- is too small for the load. PostgreSQL 14+ (pg_stat_wal).
SELECT wal_records::bigint AS wal_records,
       wal_fpi::bigint AS wal_full_page_images,
       wal_bytes::bigint AS wal_bytes,
       wal_buffers_full::bigint AS wal_buffers_full
FROM pg_stat_wal;
