// One scenario run, end to end: checks of every input → target (embedded stack on demand, or
// a user deployment) → seed (embedded only) → pre-flight → load (Artillery by default, or the
// user's k6) → the verdict from the merged metrics stream → money validation → exit code.
import { LATEST_FILE } from '../../core/results-layout.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DEFAULT_ENGINE, type EngineName } from '../../core/engine-plan.js';
import { EXIT } from '../../core/exit-codes.js';
import { isProfileName, PROFILES, scenarioShapes, SCENARIO_WORKLOADS, shapeDurationSeconds, type ProfileName, type ScenarioName } from '../../core/profiles.js';
import { newRunId } from '../../core/run-id.js';
import { DEFAULT_PREFIX, MAX_WALLETS, validatePrefix } from '../../seed/input.js';
import { applyThresholdOverrides, defaultThresholds, parseThresholdOverrides, sloBucketSecondsFor, type ThresholdOverrides, type Thresholds } from '../../core/thresholds.js';
import type { SloPolicy } from '../../core/slo-tiers.js';
import { redactUrl } from '../../core/redact.js';
import { findUserK6, K6_INSTALL_HINT } from '../../build/toolchain.js';
import type { ChaosEnv } from '../../lib/chaos/contract.js';
import { CHAOS_LOAD } from '../../lib/chaos/runtime.js';
import { chaosThresholds } from '../../lib/chaos/thresholds.js';
import { ConfigError } from '../../lib/config.js';
import { initRuntime } from '../../lib/runtime.js';
import { nodeFixtureSource } from '../../lib/bindings/artillery/workload.js';
import { fixturesDir as defaultFixturesDir, resultsDir as resultsRoot } from '../../stack/paths.js';
import { requestLogSetting } from '../../stack/target-process.js';
import { progress } from '../../stack/progress.js';
import { installInterruptHandler, isInterrupted } from '../../stack/interrupt.js';
import { withStack } from '../../stack/stack.js';
import { forgetLoadProcess, recordLoadProcess } from '../../stack/load-processes.js';
import { forgetRunningScenario, recordRunningScenario } from '../../stack/run-state.js';
import { writeSlowWindows, type RelativeSlowWindow } from './slow-windows.js';
import { UsageError } from '../../core/usage-error.js';
import type { TargetKind } from '../../core/target-kind.js';
import { externalTargetFromEnv } from './target-config.js';
import { runLoad, type LoadStep } from './engine/run-load.js';
import type { LoadScale } from './engine/workload-loads.js';
import { judgeRun } from './run-verdict.js';
import type { RunMetadata } from '../../core/run-metadata.js';
import { gitRevision, writeMetadata } from './run-metadata.js';
import type { ResolvedTarget } from './resolve-target.js';
import { seedForRun, preflightForRun, snapshotForRun, validateRun } from './steps.js';
import { fullDumpLimitBytes } from '../../stack/database-snapshot.js';
import { appendStepSummary } from './step-summary.js';
import { checkCloudInputs, type CloudOptions } from './platform/cloud-inputs.js';
import { startRunTelemetry } from '../../monitoring/telemetry/run-telemetry.js';
import { startBottleneckRecorder } from '../../monitoring/bottleneck/recorder.js';
import { embeddedProcesses, remoteProcesses, type RunProcesses } from '../../monitoring/bottleneck/run-processes.js';

export { EXIT };

export interface ScenarioRunOptions {
  scenario: string;
  profile: string;
  engine?: EngineName;
  /** Load processes per workload, side by side, splitting wallets and schedule (default 1). */
  shards?: number;
  kind?: TargetKind;
  defects?: string[];
  slowMs?: number;
  /** Embedded target slowed in these windows of the run's clock (--slow-window). */
  slowWindows?: RelativeSlowWindow[];
  /** SLO tier bucket length (s); default: MOSHPIT_SLO_BUCKET_SECONDS, else by the run's length. */
  sloBucketSeconds?: number;
  /** CI mode: a page tier fails the run too (default: CI=true in the environment). */
  ci?: boolean;
  prefix?: string;
  wallets?: number;
  /** Seeded into festival_settings (embedded target only: an external one is not seeded). */
  venueCapacity?: number;
  fixturesDir?: string;
  preflight?: boolean;
  /** pg_dump the database into results/<run>/snapshot/ before the load (stack/database-snapshot.ts). */
  snapshot?: boolean;
  validate?: boolean;
  /** Extra environment for the load processes (e.g. MOSHPIT_DURATION_SCALE in tests). */
  loadEnv?: Record<string, string>;
  /** Extra `k6 run` arguments (engine k6 only). */
  k6Args?: string[];
  quiet?: boolean;
  /** Stream to InfluxDB (+ db monitor points, annotations): {} = this checkout's influxd, { url } = that server. */
  influx?: { url?: string } | null;
  /** Write results/<run-id>/report.html and report.md (default true). */
  report?: boolean;
  /** The chaos timeline (scenario chaos): client faults run in the load processes. */
  chaos?: ChaosEnv;
  /** Wraps the load step: chaos runs start the fault controller on the load's clock. */
  aroundLoad?: (step: LoadStepContext) => Promise<number>;
  /** Extra embedded-stack components (chaos: Toxiproxy between the target and PostgreSQL). */
  stack?: { toxiproxy?: boolean };
  /** The load on Artillery's cloud runners (--platform, --count): streams read back from InfluxDB. */
  cloud?: CloudOptions;
}

/** What an aroundLoad hook gets: the run, when its load starts, and the load to start. */
export interface LoadStepContext {
  runId: string;
  resultsDir: string;
  target: ResolvedTarget;
  /**
   * The instant (ms epoch) the load's schedule starts in every process: fixed once every load
   * process is up (the start barrier), always after runLoad() was called. Never settles when
   * the load fails to start.
   */
  t0: Promise<number>;
  runLoad(): Promise<number>;
}

export interface ScenarioRunResult {
  runId: string;
  resultsDir: string;
  /** The load step's own exit (0 = every load process ended normally); null when not run. */
  loadExit: number | null;
  thresholds: 'passed' | 'failed' | 'skipped';
  preflight: 'ready' | 'not-ready' | 'skipped';
  validation: 'passed' | 'failed' | 'skipped';
  exitCode: number;
}

function positiveScale(env: Record<string, string | undefined>, name: string): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got '${raw}'`);
  return n;
}

/** The SLO tiers' bucket and policy, from options and environment (checked before anything starts). */
function sloSettings(opts: ScenarioRunOptions, env: Record<string, string | undefined>, profile: ProfileName, scale: LoadScale): { bucketSeconds: number; policy: SloPolicy } {
  let bucketSeconds = opts.sloBucketSeconds;
  const rawBucket = env.MOSHPIT_SLO_BUCKET_SECONDS?.trim();
  if (bucketSeconds === undefined && rawBucket) {
    bucketSeconds = /^[0-9]+$/.test(rawBucket) ? Number(rawBucket) : NaN;
    if (!Number.isSafeInteger(bucketSeconds) || bucketSeconds < 1) throw new UsageError(`MOSHPIT_SLO_BUCKET_SECONDS must be a positive whole number of seconds, got '${rawBucket}'`);
  }
  if (bucketSeconds === undefined) {
    const scenario: ScenarioName = opts.scenario === 'chaos' ? CHAOS_LOAD : (opts.scenario as ScenarioName);
    const shapes = Object.values(scenarioShapes(PROFILES[profile], scenario, scale));
    bucketSeconds = sloBucketSecondsFor(Math.max(1, ...shapes.map((sh) => shapeDurationSeconds(sh))));
  }
  const rawPolicy = env.MOSHPIT_SLO_POLICY?.trim() || 'enforce';
  if (rawPolicy !== 'enforce' && rawPolicy !== 'report') throw new UsageError(`MOSHPIT_SLO_POLICY must be enforce or report, got '${rawPolicy}'`);
  // A chaos run breaks the target on purpose: its tiers are reported, its recovery is judged.
  const enforce = rawPolicy === 'enforce' && opts.scenario !== 'chaos';
  return { bucketSeconds, policy: { ci: opts.ci ?? env.CI === 'true', enforce } };
}

function thresholdsFor(scenario: string, profile: ProfileName, chaos: ChaosEnv | undefined, overrides: ThresholdOverrides): Thresholds {
  const base = scenario === 'chaos'
    ? chaosThresholds(SCENARIO_WORKLOADS[CHAOS_LOAD], chaos ?? { windows: [], recoveryS: 0, durationS: 0 })
    : defaultThresholds(SCENARIO_WORKLOADS[scenario as ScenarioName], PROFILES[profile]);
  return applyThresholdOverrides(base, overrides);
}

export async function runScenario(opts: ScenarioRunOptions): Promise<ScenarioRunResult> {
  // ---- every input is checked before anything starts or any folder is created ----
  if (!isProfileName(opts.profile)) throw new UsageError(`unknown profile '${opts.profile}'`);
  const profile = opts.profile;
  const engine = opts.engine ?? DEFAULT_ENGINE;
  let k6: { path: string; version: string } | null = null;
  if (engine === 'k6') {
    try {
      k6 = findUserK6();
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!k6) throw new UsageError(`--engine k6: no k6 binary found (K6_BINARY or k6 on PATH).\n${K6_INSTALL_HINT}`);
  }
  const env: Record<string, string | undefined> = { ...process.env, ...(opts.loadEnv ?? {}) };
  let overrides: ThresholdOverrides = {};
  if (env.THRESHOLDS_JSON?.trim()) {
    try {
      overrides = parseThresholdOverrides(env.THRESHOLDS_JSON);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const thresholds = thresholdsFor(opts.scenario, profile, opts.chaos, overrides);
  if (opts.shards !== undefined && (!Number.isInteger(opts.shards) || opts.shards < 1 || opts.shards > 64)) throw new UsageError(`--shards must be an integer from 1 to 64, got ${opts.shards}`);
  const scale: LoadScale = { duration: positiveScale(env, 'MOSHPIT_DURATION_SCALE'), rate: positiveScale(env, 'MOSHPIT_RATE_SCALE') };
  try {
    requestLogSetting(env); // read again by the stack; a bad value is refused before anything starts
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const external = externalTargetFromEnv(process.env, opts.kind);
  if (opts.cloud) checkCloudInputs({ cloud: opts.cloud, engine, scenario: opts.scenario, shards: opts.shards, external: external !== null, influxUrl: opts.influx?.url });
  if (opts.slowWindows?.length && external) throw new UsageError('--slow-window: only for the embedded target; an external target (TARGET_URL/SUPABASE_URL) is not started by moshpit');
  const slo = sloSettings(opts, env, profile, scale);

  const prefix = opts.prefix ?? process.env.MOSHPIT_TEST_PREFIX ?? DEFAULT_PREFIX;
  try {
    validatePrefix(prefix);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (opts.snapshot) {
    if (external && !external.databaseUrl) throw new UsageError('--snapshot needs the target\'s database: set DATABASE_URL');
    try {
      fullDumpLimitBytes();
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (opts.wallets !== undefined && opts.wallets > MAX_WALLETS) throw new UsageError(`--wallets ${opts.wallets} is over the limit of ${MAX_WALLETS}`);

  const runId = newRunId(opts.scenario);
  const resultsDir = join(resultsRoot, runId);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsRoot, LATEST_FILE), `${runId}\n`);
  const fixturesDir = opts.fixturesDir ?? defaultFixturesDir;
  const slowWindowsFile = opts.slowWindows?.length ? join(resultsDir, 'slow-windows.json') : undefined;

  const drive = async (target: ResolvedTarget, targetLogFile: string | null = null, processes: RunProcesses = remoteProcesses()): Promise<ScenarioRunResult> => {
    const meta: RunMetadata = {
      runId,
      scenario: opts.scenario,
      profile,
      target: { kind: target.kind, url: redactUrl(target.url), embedded: target.embedded, defects: target.defects },
      engine: { name: engine, version: engine === 'k6' ? k6!.version : artilleryVersion() },
      gitRevision: await gitRevision(),
      node: process.version,
      startedAt: new Date().toISOString(),
    };
    writeMetadata(resultsDir, meta);
    const finish = (r: Omit<ScenarioRunResult, 'runId' | 'resultsDir'>): ScenarioRunResult => {
      meta.finishedAt = new Date().toISOString();
      meta.exit = { load: r.loadExit, thresholds: r.thresholds, validation: r.validation, preflight: r.preflight, code: r.exitCode };
      writeMetadata(resultsDir, meta);
      return { runId, resultsDir, ...r };
    };

    if (target.embedded && target.databaseUrl) {
      await seedForRun({ databaseUrl: target.databaseUrl, prefix, fixturesDir, wallets: opts.wallets, venueCapacity: opts.venueCapacity });
    }
    const loadEnv: Record<string, string> = {
      TARGET_URL: target.url,
      TARGET_KIND: target.kind,
      API_KEY: target.apiKey,
      STRIPE_WEBHOOK_SECRET: target.webhookSecret,
      PROFILE: profile,
      RUN_ID: runId,
      FIXTURES_DIR: fixturesDir,
      RESULTS_DIR: resultsDir,
      ...(opts.loadEnv ?? {}),
    };
    // The fixtures must fit the load (enough wallets per lane) before any load is sent.
    try {
      initRuntime(opts.scenario === 'chaos' ? CHAOS_LOAD : (opts.scenario as ScenarioName), { ...process.env, ...loadEnv }, nodeFixtureSource(fixturesDir));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      progress(err.message);
      return finish({ loadExit: null, thresholds: 'skipped', preflight: 'skipped', validation: 'skipped', exitCode: EXIT.usage });
    }

    // Telemetry (InfluxDB) before pre-flight, which checks the dashboards' datasources on it.
    const telemetry = await startRunTelemetry({
      runId, scenario: opts.scenario, profile, targetKind: target.kind, resultsDir,
      databaseUrl: target.databaseUrl, influx: opts.influx, targetLogFile, report: opts.report,
    });
    const notStarted = async (r: Omit<ScenarioRunResult, 'runId' | 'resultsDir'>) => {
      await telemetry.close();
      return finish(r);
    };
    let preflight: ScenarioRunResult['preflight'] = 'skipped';
    if (opts.preflight !== false) {
      const outcome = await preflightForRun({ target, fixturesDir, resultsDir, influxUrl: telemetry.influxUrl ?? undefined });
      preflight = outcome === 'ready' ? 'ready' : 'not-ready';
      if (outcome === 'money-wrong') {
        // The probe's writes were acknowledged and the money came out wrong: a money failure.
        progress('pre-flight: the functional probe moved money wrongly (see preflight.json): the scenario was not started');
        return notStarted({ loadExit: null, thresholds: 'skipped', preflight, validation: 'failed', exitCode: EXIT.validationFailed });
      }
      if (outcome === 'not-ready') {
        progress('target is NOT READY: the scenario was not started');
        return notStarted({ loadExit: null, thresholds: 'skipped', preflight, validation: 'skipped', exitCode: EXIT.notReady });
      }
    }
    if (opts.snapshot && !(await snapshotForRun({ databaseUrl: target.databaseUrl!, resultsDir, prefix }))) {
      // The safety net the checklist asks for is missing: the load does not start without it.
      return notStarted({ loadExit: null, thresholds: 'skipped', preflight: 'not-ready', validation: 'skipped', exitCode: EXIT.notReady });
    }
    if (isInterrupted()) return notStarted({ loadExit: null, thresholds: 'skipped', preflight, validation: 'skipped', exitCode: EXIT.interrupted });

    progress(`run ${runId}: ${opts.scenario} / ${profile} on ${engine} against ${target.kind} ${redactUrl(target.url)}`);
    // Where the time goes (statements, locks, pool, seq scans, CPU/RSS): from here to the load's end.
    const bottlenecks = await startBottleneckRecorder({ resultsDir, databaseUrl: target.databaseUrl ?? null, ...processes });
    try {
      telemetry.loadStarted();
      let t0Ms: number | null = null;
      let setT0: (t0Ms: number) => void = () => {};
      const t0 = new Promise<number>((resolve) => {
        setT0 = (at) => {
          t0Ms = at;
          if (slowWindowsFile) writeSlowWindows(slowWindowsFile, at, opts.slowWindows!);
          resolve(at);
        };
      });
      const step: LoadStep = {
        engine, k6Path: k6?.path ?? null, runId, scenario: opts.scenario, profile, resultsDir, targetUrl: target.url, scale,
        env: { ...loadEnv, ...telemetry.engineEnv }, chaos: opts.chaos ?? null, onT0: (t0Ms) => setT0(t0Ms), k6Args: [...(opts.k6Args ?? []), ...telemetry.k6Args], quiet: opts.quiet,
        shards: opts.shards ?? 1,
        cloud: opts.cloud ? { ...opts.cloud, fixturesDir } : null,
        onSpawn: (pid, source) => { recordLoadProcess(pid, source, runId); bottlenecks.trackLoad(pid); },
        onExit: (pid) => forgetLoadProcess(pid),
      };
      const start = () => runLoad(step);
      const loadExit = opts.aroundLoad ? await opts.aroundLoad({ runId, resultsDir, target, t0, runLoad: start }) : await start();
      await bottlenecks.stop();
      await telemetry.loadFinished(loadExit);
      const interrupted = isInterrupted();

      let thresholdsOk: boolean | null = null;
      let sloOk = true;
      try {
        const verdict = judgeRun({ resultsDir, engine, thresholds, run: { runId, scenario: opts.scenario, profile, targetKind: target.kind, targetUrl: redactUrl(target.url) }, extra: { durationScale: scale.duration, rateScale: scale.rate }, slo: { ...slo, t0Ms } });
        thresholdsOk = verdict.thresholdsOk;
        sloOk = verdict.slo?.ok ?? true;
        if (verdict.slo) progress(`SLO tiers: ${verdict.slo.text}`);
        if (!opts.quiet) process.stdout.write(verdict.text);
        for (const n of verdict.notes) progress(`note: ${n}`);
      } catch (err) {
        progress(`the load's metrics could not be judged: ${(err as Error).message}`);
      }

      let validation: ScenarioRunResult['validation'] = 'skipped';
      if (opts.validate !== false && target.databaseUrl) {
        validation = (await validateRun({ databaseUrl: target.databaseUrl, prefix, runId, resultsDir })) ? 'passed' : 'failed';
      } else if (opts.validate !== false) {
        progress('no DATABASE_URL for this target: money validation skipped (set DATABASE_URL to enable it)');
      }

      const exitCode = interrupted ? EXIT.interrupted
        : thresholdsOk === null ? EXIT.error
        : loadExit !== 0 && loadExit !== EXIT.thresholds ? EXIT.error
        : !thresholdsOk || !sloOk || loadExit === EXIT.thresholds ? EXIT.thresholds
        : validation === 'failed' ? EXIT.validationFailed
        : EXIT.ok;
      const verdictWord = exitCode === EXIT.ok ? 'PASS' : exitCode === EXIT.interrupted ? 'INTERRUPTED' : 'FAIL';
      progress(
        `${verdictWord} ${runId}: thresholds ${thresholdsOk === null ? 'not judged' : thresholdsOk ? 'passed' : 'breached'}${sloOk ? '' : ', SLO tier failed the run'}` +
          `${loadExit !== 0 ? ` (load step exit ${loadExit})` : ''}, validation ${validation}; exit ${exitCode}; results in ${resultsDir}`,
      );
      const result = finish({ loadExit, thresholds: thresholdsOk === null ? 'skipped' : thresholdsOk && sloOk ? 'passed' : 'failed', preflight, validation, exitCode });
      await telemetry.finish({ k6Exit: loadExit, validation, exitCode });
      appendStepSummary(resultsDir);
      return result;
    } finally {
      await bottlenecks.stop();
      await telemetry.close();
    }
  };

  // `moshpit stop` finds this process here; forgotten however the run ends.
  recordRunningScenario({ runId, resultsDir, scenario: opts.scenario, profile, startedAt: new Date().toISOString() });
  try {
    return await runOn(external, drive, runId, resultsDir, opts, slowWindowsFile);
  } finally {
    forgetRunningScenario(runId);
  }
}

async function runOn(
  external: ReturnType<typeof externalTargetFromEnv>,
  drive: (target: ResolvedTarget, targetLogFile?: string | null, processes?: RunProcesses) => Promise<ScenarioRunResult>,
  runId: string,
  resultsDir: string,
  opts: ScenarioRunOptions,
  slowWindowsFile: string | undefined,
): Promise<ScenarioRunResult> {
  if (external) {
    // No stack to tear down, but a signal must still stop the load and end the run as interrupted.
    const uninstall = installInterruptHandler(async () => {}, progress);
    try {
      return await drive({ ...external, embedded: false, defects: [] });
    } finally {
      uninstall();
    }
  }
  try {
    return await withStack({ defects: opts.defects, slowMs: opts.slowMs, slowWindowsFile, ...opts.stack }, (state) =>
    drive({
      url: state.target!.url,
      kind: opts.kind ?? 'rest',
      apiKey: state.target!.apiKey,
      webhookSecret: state.target!.webhookSecret,
      databaseUrl: state.postgres.url,
      embedded: true,
      defects: state.target!.defects,
    }, state.target!.logFile, embeddedProcesses(state)),
    );
  } catch (err) {
    // The user's DATABASE_URL that cannot be reached or refuses us: not ready, not a crash.
    if (!process.env.DATABASE_URL || !isUnreachableDatabase(err)) throw err;
    progress(`DATABASE_URL ${redactUrl(process.env.DATABASE_URL)} is unreachable or refused the connection (${redactUrl((err as Error).message)}): NOT READY, nothing was run`);
    return { runId, resultsDir, loadExit: null, thresholds: 'skipped', preflight: 'not-ready', validation: 'skipped', exitCode: EXIT.notReady };
  }
}

/** Connection refused, no such host or database, authentication failed. */
function isUnreachableDatabase(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', '28P01', '28000', '3D000'].includes(code);
}

function artilleryVersion(): string {
  try {
    return (JSON.parse(readPackageJson('artillery')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function readPackageJson(pkg: string): string {
  return readFileSync(createRequire(import.meta.url).resolve(`${pkg}/package.json`), 'utf8');
}
