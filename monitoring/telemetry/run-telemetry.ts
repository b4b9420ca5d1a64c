// Everything a scenario run records besides the load's own metrics stream, wired by the
// orchestrator (cli/pipeline/run-scenario.ts) around the load step (either engine):
//   start      InfluxDB (when asked), the db monitor (when the target has a DATABASE_URL)
//   engine env the load processes' InfluxDB output tagged with the run id, profile and target
//              kind: MOSHPIT_INFLUX_WRITE for Artillery's forwarder, K6_INFLUXDB_* plus k6Args
//              for k6's built-in output (monitoring/influx/engine-output.ts)
//   load ends  db monitor stopped (db-monitor.json), the target's request log analyzed
//              (request-log.json), phase annotations
//   finish     verdict, thresholds and chaos windows to InfluxDB, influx.json, report.html/.md
// Monitoring never decides a run's exit code: every failure here is reported and skipped.
import { RUN_FILES } from '../../core/results-layout.js';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { readWindowsFile } from '../../chaos/windows-file.js';
import { sleep } from '../../stack/processes.js';
import { progress } from '../../stack/progress.js';
import type { CheckerResult } from '../../validate/types.js';
import { startDbMonitor, type DbMonitor } from '../db-monitor-influx.js';
import { writeAnnotations, type Annotation } from '../influx/annotations.js';
import { engineInfluxOutput } from '../influx/engine-output.js';
import { writeRunOutcome, type Verdict } from '../influx/run-points.js';
import { analyzeRequestLog, bucketFor } from '../log-analyzer/analyze.js';
import { generateRunReport } from '../report/generate.js';
import { readRunFiles } from '../report/run-files.js';
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
  /** The InfluxDB the run streams to; null without one (pre-flight checks the dashboards' datasources on it). */
  influxUrl: string | null;
  /** Environment for every load process of either engine (InfluxDB output); empty without InfluxDB. */
  engineEnv: Record<string, string>;
  /** Extra `k6 run` arguments (k6's InfluxDB output; engine k6 only), empty without InfluxDB. */
  k6Args: string[];
  /** Call just before the load processes start. */
  loadStarted(): void;
  /** Call when every load process has ended, with the load step's exit. */
  loadFinished(exit: number | null): Promise<void>;
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

// The target appends its log through a buffered stream: the last answers land a moment after the load saw them.
const LOG_SETTLE_MS = 250;

const warn = (what: string, err: unknown) => progress(`${what}: ${(err as Error).message} (the run goes on without it)`);

export async function startRunTelemetry(opts: RunTelemetryOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunTelemetry> {
  // Settings first: a bad value must fail before anything is started.
  const intervalMs = opts.databaseUrl ? monitorIntervalMs(opts, env) : null;
  let influx: InfluxConnection | null = null;
  if (opts.influx) {
    // Asked for explicitly: a wrong URL or a missing influxd stops the run before the load starts.
    influx = opts.influx.url ? await connectInfluxUrl(opts.influx.url) : await connectLocalInflux();
    progress(`streaming metrics to InfluxDB ${influx.url} (databases ${K6_DATABASE}, ${MOSHPIT_DATABASE}; run tag testid=${opts.runId})`);
  }
  const output = influx
    ? engineInfluxOutput(influx.url, { runId: opts.runId, profile: opts.profile, database: K6_DATABASE, extraTags: { target_kind: opts.targetKind } })
    : { k6Args: [], env: {} };

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
  let loadStartMs: number | null = null;
  let logOffset = 0; // the request log's size when the load started: this run's lines come after it
  let loadEndMs: number | null = null;
  let closed = false;

  const influxFile = (): InfluxRunFile | null => influx && loadStartMs !== null
    ? { version: 1, url: influx.url, local: influx.local, databases: { k6: K6_DATABASE, moshpit: MOSHPIT_DATABASE }, k6: { startMs: loadStartMs, endMs: loadEndMs } }
    : null;

  const stopMonitor = async () => {
    if (!monitor) return;
    const m = monitor;
    monitor = null;
    try {
      const file = await m.stop();
      writeFileSync(join(opts.resultsDir, RUN_FILES.dbMonitor), `${JSON.stringify(file)}\n`);
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
    influxUrl: influx?.url ?? null,
    engineEnv: output.env,
    k6Args: output.k6Args,

    loadStarted() {
      loadStartMs = Date.now();
      if (opts.targetLogFile && existsSync(opts.targetLogFile)) logOffset = statSync(opts.targetLogFile).size;
      annotate({ runId: opts.runId, kind: 'phase', title: 'load started', text: `${opts.scenario} / ${opts.profile} against ${opts.targetKind}`, start: loadStartMs });
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

    async loadFinished(exit) {
      loadEndMs = Date.now();
      annotate({ runId: opts.runId, kind: 'phase', title: 'load finished', text: `load exit ${exit ?? 'none'}`, start: loadEndMs });
      await stopMonitor();
      const file = influxFile();
      if (file) writeInfluxRunFile(opts.resultsDir, file);
      if (opts.targetLogFile && existsSync(opts.targetLogFile) && loadStartMs !== null) {
        try {
          await sleep(LOG_SETTLE_MS);
          const analysis = await analyzeRequestLog(opts.targetLogFile, {
            window: { fromMs: loadStartMs, toMs: loadEndMs },
            bucketSeconds: bucketFor(loadEndMs - loadStartMs),
            fromByte: logOffset,
          });
          writeFileSync(join(opts.resultsDir, RUN_FILES.requestLog), `${JSON.stringify(analysis, null, 2)}\n`);
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
          const chaosFile = join(opts.resultsDir, RUN_FILES.chaosWindows);
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

