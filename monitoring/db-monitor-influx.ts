// The database monitor during a run: samples PostgreSQL (monitoring/db-monitor.ts) and the
// festival's own tables (festival-sample.ts) every interval, writes each sample to InfluxDB
// tagged with the run id (when the run streams there), and keeps the series in memory so the
// run's report has database charts even without InfluxDB (results/<run-id>/db-monitor.json).
// A failing sample or write is recorded and the next one tried: the monitor never stops a run.
import { MEASUREMENTS } from '../core/metric-names.js';
import type pg from 'pg';
import { sampleDatabase, sampleRates, type DatabaseSample } from './db-monitor.js';
import { sampleFestival, type FestivalSample } from './festival-sample.js';
import type { InfluxClient } from './influx/influx-client.js';
import type { Point } from './influx/line-protocol.js';

/** Fields of moshpit_db. All floats (plain numbers), so no field ever changes type. */
export const DB_FIELDS = [
  'connections_total', 'connections_active', 'connections_idle', 'connections_idle_in_transaction',
  'connections_waiting_on_lock', 'server_connections', 'max_connections',
  'lock_waits', 'blocked_queries', 'longest_blocked_s', 'longest_transaction_s',
  'cache_hit_ratio', 'database_size_bytes',
  // Between this sample and the previous one (absent on the first sample):
  'commits_per_s', 'rollbacks_per_s', 'deadlocks', 'tuples_inserted_per_s', 'tuples_updated_per_s',
  'tuples_deleted_per_s', 'wal_bytes_per_s',
] as const;
export type DbField = (typeof DB_FIELDS)[number];

/** Fields of moshpit_festival (see FestivalSample). */
export const FESTIVAL_FIELDS = [
  'venue_occupancy', 'venue_capacity', 'run_orders', 'run_revenue_cents', 'run_platform_fee_cents',
  'run_recharges', 'run_recharge_cents', 'run_fundings_confirmed', 'run_funding_cents', 'run_admissions', 'run_reentry_fee_cents',
] as const;
export type FestivalField = (typeof FESTIVAL_FIELDS)[number];

export interface DbMonitorRecord {
  /** Epoch ms of the sample. */
  t: number;
  db: Partial<Record<DbField, number>>;
  festival?: Record<FestivalField, number>;
}

/** results/<run-id>/db-monitor.json */
export interface DbMonitorFile {
  version: 1;
  runId: string;
  intervalMs: number;
  samples: DbMonitorRecord[];
  /** What went wrong along the way (sampling or writing), at most a few of each. */
  errors: string[];
  /** Points written to InfluxDB (0 when the run did not stream there). */
  pointsWritten: number;
}

export function dbFields(s: DatabaseSample, previous: DatabaseSample | null): Partial<Record<DbField, number>> {
  const rates = previous ? sampleRates(previous, s) : null;
  const out: Partial<Record<DbField, number>> = {
    connections_total: s.connections.total,
    connections_active: s.connections.active,
    connections_idle: s.connections.idle,
    connections_idle_in_transaction: s.connections.idleInTransaction + s.connections.idleInTransactionAborted,
    connections_waiting_on_lock: s.connections.waitingOnLock,
    server_connections: s.serverConnections,
    max_connections: s.maxConnections,
    lock_waits: s.lockWaits,
    blocked_queries: s.blockedQueries,
    longest_blocked_s: s.longestBlockedSeconds,
    longest_transaction_s: s.longestTransactionSeconds,
    database_size_bytes: s.databaseSizeBytes,
  };
  // The ratio of the reads since the previous sample says what happens now; the cumulative
  // one (since the last stats reset) is the fallback for the first sample.
  const ratio = rates?.intervalCacheHitRatio ?? s.cacheHitRatio;
  if (ratio !== null) out.cache_hit_ratio = ratio;
  if (rates) {
    const put = (k: DbField, v: number | null) => { if (v !== null) out[k] = v; };
    put('commits_per_s', rates.commitsPerSecond);
    put('rollbacks_per_s', rates.rollbacksPerSecond);
    put('deadlocks', rates.deadlocks);
    put('tuples_inserted_per_s', rates.tuplesInsertedPerSecond);
    put('tuples_updated_per_s', rates.tuplesUpdatedPerSecond);
    put('tuples_deleted_per_s', rates.tuplesDeletedPerSecond);
    put('wal_bytes_per_s', rates.walBytesPerSecond);
  }
  return out;
}

export function festivalFields(f: FestivalSample): Record<FestivalField, number> {
  return {
    venue_occupancy: f.venueOccupancy,
    venue_capacity: f.venueCapacity,
    run_orders: f.runOrders,
    run_revenue_cents: f.runRevenueCents,
    run_platform_fee_cents: f.runPlatformFeeCents,
    run_recharges: f.runRecharges,
    run_recharge_cents: f.runRechargeCents,
    run_fundings_confirmed: f.runFundingsConfirmed,
    run_funding_cents: f.runFundingCents,
    run_admissions: f.runAdmissions,
    run_reentry_fee_cents: f.runReentryFeeCents,
  };
}

export function recordPoints(runId: string, r: DbMonitorRecord): Point[] {
  const tags = { run_id: runId, testid: runId };
  const points: Point[] = [{ measurement: MEASUREMENTS.db, tags, fields: r.db, time: r.t }];
  if (r.festival) points.push({ measurement: MEASUREMENTS.festival, tags, fields: r.festival, time: r.t });
  return points;
}

export interface DbMonitorOptions {
  /** A pool of its own (max 1): the monitor adds one backend to what it measures. */
  pool: pg.Pool;
  runId: string;
  intervalMs: number;
  influx?: { client: InfluxClient; database: string };
  /** Sample the festival tables too (default true). */
  festival?: boolean;
}

export interface DbMonitor {
  /** Takes a last sample, waits for pending writes, and returns everything sampled. */
  stop(): Promise<DbMonitorFile>;
}

const MAX_ERRORS = 10;

export function startDbMonitor(opts: DbMonitorOptions): DbMonitor {
  const file: DbMonitorFile = { version: 1, runId: opts.runId, intervalMs: opts.intervalMs, samples: [], errors: [], pointsWritten: 0 };
  const note = (what: string, err: unknown) => {
    if (file.errors.length < MAX_ERRORS) file.errors.push(`${new Date().toISOString()} ${what}: ${(err as Error).message}`);
  };
  let previous: DatabaseSample | null = null;
  let festival = opts.festival !== false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    let record: DbMonitorRecord;
    try {
      const sample = await sampleDatabase(opts.pool);
      record = { t: sample.takenAt, db: dbFields(sample, previous) };
      previous = sample;
    } catch (err) {
      note('database sample failed', err);
      previous = null; // a rate across a gap would average over the outage
      return;
    }
    if (festival) {
      try {
        record.festival = festivalFields(await sampleFestival(opts.pool, opts.runId));
      } catch (err) {
        festival = false; // no festival tables here: say so once, keep the PostgreSQL series
        note('festival tables not readable, sampling PostgreSQL only', err);
      }
    }
    file.samples.push(record);
    if (opts.influx) {
      const points = recordPoints(opts.runId, record);
      try {
        await opts.influx.client.write(points, { database: opts.influx.database });
        file.pointsWritten += points.length;
      } catch (err) {
        note('InfluxDB write failed', err);
      }
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = tick().finally(schedule);
    }, opts.intervalMs);
  };
  inFlight = tick().finally(schedule);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      await tick(); // the state right at the end of the load
      return file;
    },
  };
}
