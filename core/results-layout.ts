// The layout of results/: every file and folder name a run writes, in one place, for the
// writers (cli/pipeline, validate, monitoring, chaos) and the readers (report, compare,
// validate-results, CI). results/LATEST names the newest run; results/<run-id>/ holds the rest.

/** results/LATEST: the id of the newest run (one line). */
export const LATEST_FILE = 'LATEST';

/** Files in results/<run-id>/. */
export const RUN_FILES = {
  /** git revision, profile, target, engine, start/end, exit (cli/pipeline/run-metadata.ts) */
  metadata: 'metadata.json',
  /** thresholds and metrics in k6's handleSummary shape plus a moshpit block */
  summary: 'summary.json',
  summaryText: 'summary.txt',
  summaryMarkdown: 'summary.md',
  /** thresholds and checks as JUnit */
  junit: 'junit.xml',
  preflight: 'preflight.json',
  validation: 'validation.json',
  validationJunit: 'validation-junit.xml',
  /** the chaos controller's windows, as they happened */
  chaosWindows: 'chaos-windows.json',
  /** the chaos run's recovery analysis */
  chaosReport: 'chaos-report.json',
  /** where the run's metrics went in InfluxDB */
  influx: 'influx.json',
  dbMonitor: 'db-monitor.json',
  /** the reference server's request log, analyzed */
  requestLog: 'request-log.json',
  /** where the time went: top statements, lock waits, pool, seq scans (monitoring/bottleneck) */
  bottlenecks: 'bottlenecks.json',
  /** CPU and RSS of the target, PostgreSQL and the load processes over the run */
  resourceUsage: 'resource-usage.json',
  reportHtml: 'report.html',
  reportMarkdown: 'report.md',
} as const;

/** Folders in results/<run-id>/. */
export const RUN_DIRS = {
  /** one metrics stream per load process (core/metrics-stream) */
  streams: 'streams',
  /** each load process's generated script, log and the engine's own report */
  engine: 'engine',
  /** --snapshot: the database dump taken before the load (stack/database-snapshot.ts) */
  snapshot: 'snapshot',
} as const;

/** In engine/: the start barrier the load processes meet at. */
export const ENGINE_START_DIR = 'start';
