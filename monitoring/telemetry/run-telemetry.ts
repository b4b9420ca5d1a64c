// Everything a scenario run records besides k6's own files, wired by the orchestrator
// (cli/pipeline/run-scenario.ts) around k6:
//   start      InfluxDB (when asked), the db monitor (when the target has a DATABASE_URL)
//   k6 args    k6's InfluxDB output tagged with the run id, profile and target kind
//   k6 ends    db monitor stopped (db-monitor.json), the target's request log analyzed
//              (request-log.json), phase annotations
//   finish     verdict, thresholds and chaos windows to InfluxDB, influx.json, report.html/.md
// Monitoring never decides a run's exit code: every failure here is reported and skipped.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { readWindowsFile } from '../../chaos/windows-file.js';
import { sleep } from '../../stack/processes.js';
import { progress } from '../../stack/progress.js';
import type { CheckerResult } from '../../validate/types.js';
import { startDbMonitor, type DbMonitor } from '../db-monitor-influx.js';
import { writeAnnotations, type Annotation } from '../influx/annotations.js';
import { k6InfluxArgs } from '../influx/k6-output.js';
import { writeRunOutcome, type Verdict } from '../influx/run-points.js';
import { analyzeRequestLog, bucketFor } from '../log-analyzer/analyze.js';
import { generateRunReport } from '../report/generate.js';
import { readRunFiles, RUN_FILE_NAMES } from '../report/run-files.js';
import { chaosAnnotation } from '../../chaos/annotations.js';
import { connectInfluxUrl, connectLocalInflux, K6_DATABASE, MOSHPIT_DATABASE, type InfluxConnection } from './influx-connection.js';
import { writeInfluxRunFile, type InfluxRunFile } from './influx-run-file.js';
import { thresholdPoints } from './threshold-points.js';

export interface RunTelemetryOptions {
  runId: string;
  scenario: string;
  profile: string;
  targetKind: string;
  resultsDir: string;
  /** The target's database: the db monitor samples it. */
  databaseUrl?: string | null;
  /** Stream to InfluxDB: { url } for a given server, {} for this checkout's own influxd. */
  influx?: { url?: string } | null;
  /** The target's JSON-lines request log (embedded target), analyzed for the run's window. */
  targetLogFile?: string | null;
  /** Default: MOSHPIT_DB_MONITOR_INTERVAL seconds, else 5 s. MOSHPIT_DB_MONITOR=off disables it. */
  dbMonitorIntervalMs?: number;
  /** Write report.html / report.md at the end (default true). */
  report?: boolean;
}

export interface RunOutcomeForTelemetry {
  k6Exit: number | null;
  validation: Verdict;
  exitCode: number;
}

export interface RunTelemetry {
  /** Extra `k6 run` arguments and environment (InfluxDB output), empty without InfluxDB. */
  k6Args: string[];
  k6Env: Record<string, string>;
  k6Started(): void;
  k6Finished(exit: number | null): Promise<void>;
  finish(outcome: RunOutcomeForTelemetry): Promise<void>;
  /** Stops whatever is still running (idempotent); call in a finally. */
  close(): Promise<void>;
}

function monitorIntervalMs(opts: RunTelemetryOptions, env: NodeJS.ProcessEnv): number | null {
  if (env.MOSHPIT_DB_MONITOR === 'off' || env.MOSHPIT_DB_MONITOR === '0') return null;
  if (opts.dbMonitorIntervalMs !== undefined) return opts.dbMonitorIntervalMs;
  const s = Number(env.MOSHPIT_DB_MONITOR_INTERVAL ?? 5);
  if (!(s >= 0.2 && s <= 3600)) throw new Error(`MOSHPIT_DB_MONITOR_INTERVAL must be seconds from 0.2 to 3600, got '${env.MOSHPIT_DB_MONITOR_INTERVAL}'`);
  return Math.round(s * 1000);
}

// The target appends its log through a buffered stream: the last answers land a moment after k6 saw them.
const LOG_SETTLE_MS = 250;

const warn = (what: string, err: unknown) => progress(`${what}: ${(err as Error).message} (the run goes on without it)`);

export async function startRunTelemetry(opts: RunTelemetryOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunTelemetry> {
  // Settings first: a bad value must fail before anything is started.
  const intervalMs = opts.databaseUrl ? monitorIntervalMs(opts, env) : null;
  let influx: InfluxConnection | null = null;
  if (opts.influx) {
    // Asked for explicitly: a wrong URL or a missing influxd stops the run before k6 starts.
    influx = opts.influx.url ? await connectInfluxUrl(opts.influx.url) : await connectLocalInflux();
    progress(`streaming metrics to InfluxDB ${influx.url} (databases ${K6_DATABASE}, ${MOSHPIT_DATABASE}; run tag testid=${opts.runId})`);
  }
  const k6 = influx
    ? k6InfluxArgs(influx.url, { runId: opts.runId, profile: opts.profile, database: K6_DATABASE, extraTags: { target_kind: opts.targetKind } })
    : { args: [], env: {} };

  let pool: pg.Pool | null = null;
  let monitor: DbMonitor | null = null;
  if (intervalMs !== null && opts.databaseUrl) {
    pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 1, application_name: 'moshpit-db-monitor' });
    pool.on('error', () => {}); // a dropped idle connection (chaos, restart): the next sample reconnects
  }

  // Phase annotations go out as they happen, so a live dashboard shows them during the run.
  let annotationWrites: Promise<void> = Promise.resolve();
  const annotate = (a: Annotation) => {
    if (!influx) return;
    const runs = influx.client(MOSHPIT_DATABASE);
    annotationWrites = annotationWrites.then(() => writeAnnotations(runs, [a], MOSHPIT_DATABASE)).catch((err: unknown) => warn('writing an annotation to InfluxDB', err));
  };
  let k6StartMs: number | null = null;
  let logOffset = 0; // the request log's size when k6 started: this run's lines come after it
  let k6EndMs: number | null = null;
  let closed = false;

  const influxFile = (): InfluxRunFile | null => influx && k6StartMs !== null
    ? { version: 1, url: influx.url, local: influx.local, databases: { k6: K6_DATABASE, moshpit: MOSHPIT_DATABASE }, k6: { startMs: k6StartMs, endMs: k6EndMs } }
    : null;

  const stopMonitor = async () => {
    if (!monitor) return;
    const m = monitor;
    monitor = null;
    try {
      const file = await m.stop();
      writeFileSync(join(opts.resultsDir, RUN_FILE_NAMES.dbMonitor), `${JSON.stringify(file)}\n`);
      if (file.errors.length) progress(`db monitor: ${file.errors.length} problem(s), first: ${file.errors[0]}`);
    } catch (err) {
      warn('db monitor', err);
    }
  };

  const close = async () => {
    if (closed) return;
    closed = true;
    await stopMonitor();
    await annotationWrites;
    await pool?.end().catch(() => {});
    await influx?.close().catch((err: unknown) => warn('stopping InfluxDB', err));
  };

  return {
    k6Args: k6.args,
    k6Env: k6.env,

    k6Started() {
      k6StartMs = Date.now();
      if (opts.targetLogFile && existsSync(opts.targetLogFile)) logOffset = statSync(opts.targetLogFile).size;
      annotate({ runId: opts.runId, kind: 'phase', title: 'k6 started', text: `${opts.scenario} / ${opts.profile} against ${opts.targetKind}`, start: k6StartMs });
      if (pool) {
        monitor = startDbMonitor({
          pool,
          runId: opts.runId,
          intervalMs: intervalMs!,
          influx: influx ? { client: influx.client(MOSHPIT_DATABASE), database: MOSHPIT_DATABASE } : undefined,
        });
      }
      const file = influxFile();
      if (file) writeInfluxRunFile(opts.resultsDir, file);
    },

    async k6Finished(exit) {
      k6EndMs = Date.now();
      annotate({ runId: opts.runId, kind: 'phase', title: 'k6 finished', text: `k6 exit ${exit ?? 'none'}`, start: k6EndMs });
      await stopMonitor();
      const file = influxFile();
      if (file) writeInfluxRunFile(opts.resultsDir, file);
      if (opts.targetLogFile && existsSync(opts.targetLogFile) && k6StartMs !== null) {
        try {
          await sleep(LOG_SETTLE_MS);
          const analysis = await analyzeRequestLog(opts.targetLogFile, {
            window: { fromMs: k6StartMs, toMs: k6EndMs },
            bucketSeconds: bucketFor(k6EndMs - k6StartMs),
            fromByte: logOffset,
          });
          writeFileSync(join(opts.resultsDir, RUN_FILE_NAMES.requestLog), `${JSON.stringify(analysis, null, 2)}\n`);
        } catch (err) {
          warn('request log analysis', err);
        }
      }
    },

    async finish(outcome) {
      const at = Date.now();
      if (influx) {
        try {
          const runs = influx.client(MOSHPIT_DATABASE);
          const files = readRunFiles(opts.resultsDir);
          const checkers: CheckerResult[] = files.validation?.results ?? [];
          await writeRunOutcome(runs, {
            runId: opts.runId, scenario: opts.scenario, profile: opts.profile, verdict: outcome.validation,
            checkers, at, k6Exit: outcome.k6Exit, exitCode: outcome.exitCode,
          }, MOSHPIT_DATABASE);
          if (files.summary) await runs.write(thresholdPoints(opts.runId, files.summary.thresholds, at));
          const chaosFile = join(opts.resultsDir, RUN_FILE_NAMES.chaos);
          if (existsSync(chaosFile)) {
            const windows = readWindowsFile(chaosFile).windows.map((w) => chaosAnnotation(opts.runId, w)).filter((a): a is Annotation => a !== null);
            await writeAnnotations(runs, windows, MOSHPIT_DATABASE);
          }
          await annotationWrites;
        } catch (err) {
          warn('writing the run outcome to InfluxDB', err);
        }
      }
      if (opts.report !== false) {
        try {
          const r = await generateRunReport(opts.resultsDir, { influx: influx ?? undefined });
          progress(`report: ${r.html}`);
        } catch (err) {
          warn('run report', err);
        }
      }
      await close();
    },

    close,
  };
}

