// runValidation: composes the checkers over one scope and one database snapshot, and writes
// results/<run-id>/validation.json and validation-junit.xml. The scenario orchestrator calls
// it after k6; `moshpit validate-results` is a thin CLI over it.
import { RUN_FILES } from '../core/results-layout.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { resultsDir as defaultResultsDir } from '../stack/paths.js';
import { selectCheckers } from './checkers/index.js';
import { dbIntegerTypes } from './pg-integers.js';
import { formatReport, verdictLine } from './report/human.js';
import { junitXml } from './report/junit.js';
import type { ValidationReport } from './report/types.js';
import { passesNeeded, runPasses, type PassRun, type PassTiming } from './single-pass/run-passes.js';
import { assertSafeRunId } from './results-dir.js';
import { DEFAULT_PREFIX, makeScope } from './scope.js';
import { inSnapshot, openSharedSnapshot } from './snapshot.js';
import { readRunSummary, summaryPath, unreadableSummary, type RunSummary } from './summary.js';
import { DEFAULT_BOUNDS, type Bounds, type CheckContext, type Checker, type CheckerResult, type CheckOutcome, type Queryable } from './types.js';

export interface ValidationOptions {
  databaseUrl: string;
  /** Test-data prefix; wallet ids start with it. Default k6-test-. */
  prefix?: string;
  /** Narrows key-based checks to this run and enables reconciliation with its summary.json. */
  runId?: string | null;
  /** Where results/<run-id>/ lives (default: the checkout's results/). */
  resultsDir?: string;
  /** Write the reports here instead of results/<run-id>/ (needed to write them without a run id). */
  outDir?: string;
  /** Write validation.json and validation-junit.xml (default: true when there is a directory). */
  writeFiles?: boolean;
  /** Checker names to run (default: all). */
  checkers?: readonly string[];
  /** Witnesses per checker (default 5). */
  witnesses?: number;
  bounds?: Partial<Bounds>;
  /** Queries running at once, each on its own connection (default: validationConcurrency(), one per core). */
  concurrency?: number;
  /** Per-query limit (default 10 min): a runaway query fails its checker, not the run. */
  statementTimeoutMs?: number;
  /** work_mem per checker query (default '64MB'; each of `concurrency` checkers may use a few times this). */
  workMem?: string;
  /**
   * Settle checkers from one aggregate pass per table (default true); false runs every
   * checker's exact query (the reference the single pass is tested against).
   */
  singlePass?: boolean;
}

export { formatReport };

/** Default validation concurrency: one query per core of this machine (the database is usually local; more only queue). */
export function validationConcurrency(): number {
  return Math.max(1, availableParallelism());
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/** Settles a checker from the passes when they agree; null when its exact query must run. */
function screened(checker: Checker, ctx: Omit<CheckContext, 'db'>, passes: PassRun | null): CheckOutcome | null {
  const screen = checker.screen;
  if (!passes || !screen || !screen.passes.every((p) => passes.ok.has(p))) return null;
  try {
    const out = screen.decide(passes.results, ctx);
    return out && out.violations === 0 ? out : null;
  } catch {
    return null; // a value the screen cannot read: the exact query decides
  }
}

async function runChecker(
  checker: Checker,
  ctx: Omit<CheckContext, 'db'>,
  exec: <T>(fn: (db: Queryable) => Promise<T>) => Promise<T>,
  passes: PassRun | null,
): Promise<CheckerResult> {
  const started = performance.now();
  const base = { name: checker.name, anomaly: checker.anomaly, description: checker.description };
  const result = (out: CheckOutcome, decidedBy: CheckerResult['decidedBy']): CheckerResult => {
    const r: CheckerResult = {
      ...base,
      ok: out.violations === 0,
      violations: out.violations,
      witnesses: out.witnesses,
      durationMs: Math.round(performance.now() - started),
      decidedBy,
    };
    if (out.info) r.info = out.info;
    if (out.skipped) r.skipped = out.skipped;
    return r;
  };
  const settled = screened(checker, ctx, passes);
  if (settled) return result(settled, 'single-pass');
  try {
    return await exec(async (db) => result(await checker.run({ ...ctx, db }), 'exact'));
  } catch (err) {
    return { ...base, ok: false, violations: 0, witnesses: [], error: (err as Error).message, durationMs: Math.round(performance.now() - started), decidedBy: 'exact' };
  }
}

/** Runs at most `n` tasks at once, in the order they were handed in. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    running--;
    queue.shift()?.();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        running++;
        task().then(resolve, reject).finally(release);
      };
      if (running < n) start();
      else queue.push(start);
    });
}

export async function runValidation(options: ValidationOptions): Promise<ValidationReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const runId = options.runId ? assertSafeRunId(options.runId) : null;
  const scope = makeScope(options.prefix ?? DEFAULT_PREFIX, runId);
  const checkers = selectCheckers(options.checkers);
  const bounds: Bounds = { ...DEFAULT_BOUNDS, ...options.bounds };
  const resultsDir = options.resultsDir ?? defaultResultsDir;
  const concurrency = Math.max(1, options.concurrency ?? validationConcurrency());
  const limits = { statementTimeoutMs: options.statementTimeoutMs ?? 600_000, workMem: options.workMem ?? '64MB' };

  // A malformed summary fails the checkers that read it (reconciliation), not the whole validation.
  let summary: RunSummary | null = null;
  if (runId) {
    try {
      summary = readRunSummary(resultsDir, runId);
    } catch (err) {
      summary = unreadableSummary(summaryPath(resultsDir, runId), (err as Error).message);
    }
  }

  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: concurrency + 1,
    types: dbIntegerTypes,
    application_name: 'moshpit-validate',
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => {}); // an idle client's error surfaces in the checker that next uses the pool
  let results: CheckerResult[];
  let snapshotMode: ValidationReport['snapshot'];
  let passTimings: PassTiming[] = [];
  let asOf: Date;
  try {
    const snapshot = await openSharedSnapshot(pool);
    snapshotMode = snapshot.id ? 'shared' : 'per-checker';
    // A run is judged as of its load's end, so re-validating it later gives the same verdict.
    const runEnd = summary ? safeEndedAt(summary) : null;
    asOf = runEnd && runEnd < snapshot.asOf ? runEnd : snapshot.asOf;
    try {
      const ctx = { scope, bounds, witnessLimit: Math.max(0, options.witnesses ?? 5), asOf, summary };
      const exec = <T>(fn: (db: Queryable) => Promise<T>) => inSnapshot(pool, snapshot, limits, fn);
      const limit = limiter(concurrency);
      // The table passes first; checkers without a screen run beside them; the screened ones
      // are settled from the passes and run their exact queries only where those disagree.
      const useSinglePass = options.singlePass !== false;
      const passRun = useSinglePass ? runPasses(passesNeeded(checkers), ctx, exec, limit) : Promise.resolve(null);
      const unscreened = checkers.map((c) => (useSinglePass && c.screen ? null : limit(() => runChecker(c, ctx, exec, null))));
      const passes = await passRun;
      passTimings = passes?.timings ?? [];
      results = await Promise.all(checkers.map((c, i) => unscreened[i] ?? (screened(c, ctx, passes) ? runChecker(c, ctx, exec, passes) : limit(() => runChecker(c, ctx, exec, passes)))));
    } finally {
      await snapshot.close();
    }
  } finally {
    await pool.end();
  }

  const durationMs = Math.round(performance.now() - t0);
  const failed = results.filter((r) => !r.ok);
  const report: ValidationReport = {
    ok: failed.length === 0,
    verdict: verdictLine(results, durationMs),
    runId,
    prefix: scope.prefix,
    database: redact(options.databaseUrl),
    asOf: asOf.toISOString(),
    snapshot: snapshotMode,
    summaryFile: summary?.path ?? null,
    bounds,
    startedAt: startedAt.toISOString(),
    durationMs,
    counts: {
      checkers: results.length,
      passed: results.filter((r) => r.ok && !r.skipped).length,
      failed: failed.length,
      errors: results.filter((r) => r.error).length,
      skipped: results.filter((r) => r.skipped).length,
      violations: results.reduce((s, r) => s + r.violations, 0),
    },
    results,
    passes: passTimings,
  };

  const outDir = options.outDir ?? (runId ? join(resultsDir, runId) : null);
  if (outDir && options.writeFiles !== false) {
    mkdirSync(outDir, { recursive: true });
    const files = { json: join(outDir, RUN_FILES.validation), junit: join(outDir, RUN_FILES.validationJunit) };
    report.files = files;
    writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(files.junit, junitXml(report));
  }
  return report;
}

function safeEndedAt(summary: RunSummary): Date | null {
  try {
    return summary.endedAt;
  } catch {
    return null;
  }
}
