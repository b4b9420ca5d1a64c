// One scenario run, end to end: checks of every input → target (embedded stack on demand, or
// a user deployment) → seed (embedded only) → pre-flight → load (Artillery by default, or the
// user's k6) → the verdict from the merged metrics stream → money validation → exit code.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DEFAULT_ENGINE, type EngineName } from '../../core/engine-plan.js';
import { EXIT } from '../../core/exit-codes.js';
import { isProfileName, PROFILES, SCENARIO_WORKLOADS, type ProfileName, type ScenarioName } from '../../core/profiles.js';
import { newRunId } from '../../core/run-id.js';
import { DEFAULT_PREFIX, MAX_WALLETS, validatePrefix } from '../../seed/input.js';
import { applyThresholdOverrides, defaultThresholds, parseThresholdOverrides, type ThresholdOverrides, type Thresholds } from '../../core/thresholds.js';
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
import { UsageError } from '../command.js';
import { externalTargetFromEnv, type TargetKind } from './target-config.js';
import { runLoad, type LoadStep } from './engine/run-load.js';
import type { LoadScale } from './engine/workload-loads.js';
import { judgeRun } from './run-verdict.js';
import { gitRevision, writeMetadata, type RunMetadata } from './run-metadata.js';
import type { ResolvedTarget } from './resolve-target.js';
import { seedForRun, preflightForRun, validateRun } from './steps.js';
import { startRunTelemetry } from '../../monitoring/telemetry/run-telemetry.js';

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
  prefix?: string;
  wallets?: number;
  /** Seeded into festival_settings (embedded target only: an external one is not seeded). */
  venueCapacity?: number;
  fixturesDir?: string;
  preflight?: boolean;
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

  const prefix = opts.prefix ?? process.env.MOSHPIT_TEST_PREFIX ?? DEFAULT_PREFIX;
  try {
    validatePrefix(prefix);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (opts.wallets !== undefined && opts.wallets > MAX_WALLETS) throw new UsageError(`--wallets ${opts.wallets} is over the limit of ${MAX_WALLETS}`);

  const runId = newRunId(opts.scenario);
  const resultsDir = join(resultsRoot, runId);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsRoot, 'LATEST'), `${runId}\n`);
  const fixturesDir = opts.fixturesDir ?? defaultFixturesDir;

  const drive = async (target: ResolvedTarget, targetLogFile: string | null = null): Promise<ScenarioRunResult> => {
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

    let preflight: ScenarioRunResult['preflight'] = 'skipped';
    if (opts.preflight !== false) {
      const outcome = await preflightForRun({ target, fixturesDir, resultsDir });
      preflight = outcome === 'ready' ? 'ready' : 'not-ready';
      if (outcome === 'money-wrong') {
        // The probe's writes were acknowledged and the money came out wrong: a money failure.
        progress('pre-flight: the functional probe moved money wrongly (see preflight.json): the scenario was not started');
        return finish({ loadExit: null, thresholds: 'skipped', preflight, validation: 'failed', exitCode: EXIT.validationFailed });
      }
      if (outcome === 'not-ready') {
        progress('target is NOT READY: the scenario was not started');
        return finish({ loadExit: null, thresholds: 'skipped', preflight, validation: 'skipped', exitCode: EXIT.notReady });
      }
    }
    if (isInterrupted()) return finish({ loadExit: null, thresholds: 'skipped', preflight, validation: 'skipped', exitCode: EXIT.interrupted });

    progress(`run ${runId}: ${opts.scenario} / ${profile} on ${engine} against ${target.kind} ${redactUrl(target.url)}`);
    const telemetry = await startRunTelemetry({
      runId, scenario: opts.scenario, profile, targetKind: target.kind, resultsDir,
      databaseUrl: target.databaseUrl, influx: opts.influx, targetLogFile, report: opts.report,
    });
    try {
      telemetry.loadStarted();
      let setT0: (t0Ms: number) => void = () => {};
      const t0 = new Promise<number>((resolve) => { setT0 = resolve; });
      const step: LoadStep = {
        engine, k6Path: k6?.path ?? null, runId, scenario: opts.scenario, profile, resultsDir, targetUrl: target.url, scale,
        env: { ...loadEnv, ...telemetry.engineEnv }, chaos: opts.chaos ?? null, onT0: (t0Ms) => setT0(t0Ms), k6Args: [...(opts.k6Args ?? []), ...telemetry.k6Args], quiet: opts.quiet,
        shards: opts.shards ?? 1,
        onSpawn: (pid, source) => recordLoadProcess(pid, source, runId),
        onExit: (pid) => forgetLoadProcess(pid),
      };
      const start = () => runLoad(step);
      const loadExit = opts.aroundLoad ? await opts.aroundLoad({ runId, resultsDir, target, t0, runLoad: start }) : await start();
      await telemetry.loadFinished(loadExit);
      const interrupted = isInterrupted();

      let thresholdsOk: boolean | null = null;
      try {
        const verdict = judgeRun({ resultsDir, engine, thresholds, run: { runId, scenario: opts.scenario, profile, targetKind: target.kind, targetUrl: redactUrl(target.url) }, extra: { durationScale: scale.duration, rateScale: scale.rate } });
        thresholdsOk = verdict.thresholdsOk;
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
        : !thresholdsOk || loadExit === EXIT.thresholds ? EXIT.thresholds
        : validation === 'failed' ? EXIT.validationFailed
        : EXIT.ok;
      const verdictWord = exitCode === EXIT.ok ? 'PASS' : exitCode === EXIT.interrupted ? 'INTERRUPTED' : 'FAIL';
      progress(
        `${verdictWord} ${runId}: thresholds ${thresholdsOk === null ? 'not judged' : thresholdsOk ? 'passed' : 'breached'}` +
          `${loadExit !== 0 ? ` (load step exit ${loadExit})` : ''}, validation ${validation}; exit ${exitCode}; results in ${resultsDir}`,
      );
      const result = finish({ loadExit, thresholds: thresholdsOk === null ? 'skipped' : thresholdsOk ? 'passed' : 'failed', preflight, validation, exitCode });
      await telemetry.finish({ k6Exit: loadExit, validation, exitCode });
      return result;
    } finally {
      await telemetry.close();
    }
  };

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
    return await withStack({ defects: opts.defects, slowMs: opts.slowMs, ...opts.stack }, (state) =>
    drive({
      url: state.target!.url,
      kind: opts.kind ?? 'rest',
      apiKey: state.target!.apiKey,
      webhookSecret: state.target!.webhookSecret,
      databaseUrl: state.postgres.url,
      embedded: true,
      defects: state.target!.defects,
    }, state.target!.logFile),
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
