// Records where a run's time goes, from the load's start to its end: pg_stat_statements
// (reset or copied at start), lock waits by relation (sampled), sequential scans (table
// counters at start and end), the target's pool (its pool log) and CPU/RSS of the target,
// PostgreSQL and the load processes (/proc). Writes bottlenecks.json and resource-usage.json.
// Like the rest of monitoring it never decides a run's exit: a part that fails says why.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { sampleLockWaits, summariseLockWaits, type LockWaitSample } from './lock-waits.js';
import { localPostmasterPid } from './local-postmaster.js';
import { summarisePoolLog } from './pool-log.js';
import { ResourceRecorder, type ResourceSources } from './resource-usage.js';
import { statementsAfter, statementsBaseline, type StatementsBaseline } from './statements.js';
import { readTableCounters, tableScanDelta, type TableCounters } from './table-scans.js';
import type { BottleneckFile, LockWaitsPart, SeqScansPart, StatementsPart } from './types.js';

export const BOTTLENECK_FILE = 'bottlenecks.json';
export const RESOURCE_SERIES_FILE = 'resource-usage.json';

export interface BottleneckOptions {
  resultsDir: string;
  /** The target's database; null: no database parts (said so in the file). */
  databaseUrl: string | null;
  /** moshpit's own cluster: pg_stat_statements is created and reset there, never on a user's database. */
  ownCluster: boolean;
  /** The embedded target's pool log; null for a user's target. */
  poolLogFile: string | null;
  processes: ResourceSources;
  /** Lock-wait and /proc sampling interval (default 1 s). */
  intervalMs?: number;
}

export interface BottleneckRecorder {
  trackLoad(pid: number): void;
  /** Stops sampling and writes the files; resolves to what was written (never throws). */
  stop(): Promise<BottleneckFile>;
}

const unavailable = (reason: string) => ({ available: false as const, reason });
const message = (err: unknown) => (err as Error).message || String(err);

/** Call just before the load processes start. */
export async function startBottleneckRecorder(opts: BottleneckOptions): Promise<BottleneckRecorder> {
  const intervalMs = opts.intervalMs ?? 1000;
  const startMs = Date.now();
  const poolLogOffset = opts.poolLogFile && existsSync(opts.poolLogFile) ? statSync(opts.poolLogFile).size : 0;
  const noDb = 'no DATABASE_URL for this target';

  let db: pg.Client | null = null;
  let dbProblem: string | null = opts.databaseUrl ? null : noDb;
  let baseline: StatementsBaseline = unavailable(noDb);
  let tablesBefore: Map<string, TableCounters> | null = null;
  let postgresPid = opts.processes.postgresPid;
  if (opts.databaseUrl) {
    try {
      db = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'moshpit-bottlenecks', connectionTimeoutMillis: 10_000 });
      db.on('error', () => {}); // a dropped connection: the next query fails and says so
      await db.connect();
      baseline = await statementsBaseline(db, opts.ownCluster).catch((err) => unavailable(`pg_stat_statements: ${message(err)}`));
      tablesBefore = await readTableCounters(db).catch(() => null);
      // A user's (or a test's) database on this machine: its server is sampled too.
      if (!postgresPid) postgresPid = await localPostmasterPid(db).catch(() => null);
    } catch (err) {
      dbProblem = `cannot connect to the database: ${message(err)}`;
      baseline = unavailable(dbProblem);
      await db?.end().catch(() => {});
      db = null;
    }
  }

  const missing = { ...opts.processes.missing };
  if (postgresPid) delete missing.postgres;
  const resources = new ResourceRecorder({ ...opts.processes, postgresPid, missing }, intervalMs);
  const lockSamples: LockWaitSample[][] = [];
  const lockErrors: string[] = [];
  let sampling = false;
  const lockTimer = db ? setInterval(() => {
    if (sampling) return; // a slow database: skip a beat rather than pile up queries
    sampling = true;
    sampleLockWaits(db!).then((s) => { lockSamples.push(s); }, (err) => { lockErrors.push(message(err)); }).finally(() => { sampling = false; });
  }, intervalMs) : null;

  let stopped: Promise<BottleneckFile> | null = null;
  return {
    trackLoad: (pid) => resources.trackLoad(pid),
    stop() {
      stopped ??= (async () => {
        const endMs = Date.now();
        if (lockTimer) clearInterval(lockTimer);
        while (sampling) await new Promise((r) => setTimeout(r, 20));
        const { part: resourcesPart, series } = resources.stop();
        let statements: StatementsPart = unavailable(dbProblem ?? noDb);
        let seqScans: SeqScansPart = unavailable(dbProblem ?? noDb);
        let lockWaits: LockWaitsPart = unavailable(dbProblem ?? noDb);
        if (db) {
          statements = await statementsAfter(db, baseline).catch((err) => unavailable(`pg_stat_statements: ${message(err)}`));
          seqScans = tablesBefore
            ? await readTableCounters(db).then((after) => tableScanDelta(tablesBefore!, after), (err) => unavailable(`pg_stat_user_tables: ${message(err)}`))
            : unavailable('pg_stat_user_tables could not be read at load start');
          lockWaits = lockSamples.length === 0 && lockErrors.length
            ? unavailable(`every lock sample failed, first: ${lockErrors[0]}`)
            : summariseLockWaits(lockSamples, intervalMs);
          await db.end().catch(() => {});
        }
        const file: BottleneckFile = {
          version: 1,
          window: { startMs, endMs },
          statements,
          lockWaits,
          pool: summarisePoolLog(opts.poolLogFile, { fromMs: startMs, toMs: endMs }, poolLogOffset),
          seqScans,
          resources: resourcesPart,
        };
        try {
          writeFileSync(join(opts.resultsDir, BOTTLENECK_FILE), `${JSON.stringify(file, null, 2)}\n`);
          writeFileSync(join(opts.resultsDir, RESOURCE_SERIES_FILE), `${JSON.stringify(series)}\n`);
        } catch { /* the results folder went away: nothing to report into */ }
        return file;
      })();
      return stopped;
    },
  };
}
