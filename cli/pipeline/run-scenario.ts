// One scenario run, end to end: target (embedded stack on demand, or a user deployment)
// → seed (embedded only) → pre-flight → k6 → validation → verdict. The exit code reflects
// both the load thresholds and the money checks.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunId } from '../../core/run-id.js';
import { K6, resolveTool } from '../../build/toolchain.js';
import { buildScenario } from '../../build/bundle.js';
import { fixturesDir as defaultFixturesDir, resultsDir as resultsRoot } from '../../stack/paths.js';
import { progress } from '../../stack/progress.js';
import { isInterrupted } from '../../stack/interrupt.js';
import { withStack } from '../../stack/stack.js';
import { externalTargetFromEnv, type TargetKind } from './target-config.js';
import { runK6 } from './k6-run.js';
import { gitRevision, writeMetadata, type RunMetadata } from './run-metadata.js';
import type { ResolvedTarget } from './resolve-target.js';
import { seedForRun, preflightForRun, validateRun } from './steps.js';
import { startRunTelemetry } from '../../monitoring/telemetry/run-telemetry.js';

export const EXIT = { ok: 0, error: 1, usage: 2, notReady: 3, validationFailed: 4, thresholds: 99 } as const;

export interface ScenarioRunOptions {
  scenario: string;
  profile: string;
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
  /** Extra environment for the k6 script (e.g. duration overrides in tests). */
  k6Env?: Record<string, string>;
  k6Args?: string[];
  quiet?: boolean;
  /** Stream to InfluxDB (+ db monitor points, annotations): {} = this checkout's influxd, { url } = that server. */
  influx?: { url?: string } | null;
  /** Write results/<run-id>/report.html and report.md (default true). */
  report?: boolean;
  /** Wraps the k6 step: chaos runs start the fault controller alongside k6 (cli/pipeline/chaos-run.ts). Returns the step's exit code. */
  aroundK6?: (step: K6StepContext) => Promise<number>;
  /** Extra embedded-stack components (chaos: Toxiproxy between the target and PostgreSQL). */
  stack?: { toxiproxy?: boolean };
}

/** What an aroundK6 hook gets: the run, and k6 itself to start (with extra env and args). */
export interface K6StepContext {
  runId: string;
  resultsDir: string;
  target: ResolvedTarget;
  runK6(extra?: { env?: Record<string, string>; args?: string[] }): Promise<number>;
}

export interface ScenarioRunResult {
  runId: string;
  resultsDir: string;
  k6Exit: number | null;
  preflight: 'ready' | 'not-ready' | 'skipped';
  validation: 'passed' | 'failed' | 'skipped';
  exitCode: number;
}

export async function runScenario(opts: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const runId = newRunId(opts.scenario);
  const resultsDir = join(resultsRoot, runId);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsRoot, 'LATEST'), `${runId}\n`);
  const prefix = opts.prefix ?? process.env.MOSHPIT_TEST_PREFIX ?? 'k6-test-';
  const fixturesDir = opts.fixturesDir ?? defaultFixturesDir;

  // Slow, target-independent work first, so the stack isn't idling while k6 builds.
  const k6 = await resolveTool(K6);
  const bundle = (await buildScenario(opts.scenario)).outfile;

  const external = externalTargetFromEnv(process.env, opts.kind);
  const drive = async (target: ResolvedTarget, targetLogFile: string | null = null): Promise<ScenarioRunResult> => {
    const meta: RunMetadata = {
      runId,
      scenario: opts.scenario,
      profile: opts.profile,
      target: { kind: target.kind, url: target.url, embedded: target.embedded, defects: target.defects },
      k6Version: k6.version,
      gitRevision: await gitRevision(),
      node: process.version,
      startedAt: new Date().toISOString(),
    };
    writeMetadata(resultsDir, meta);
    const finish = (r: Omit<ScenarioRunResult, 'runId' | 'resultsDir'>): ScenarioRunResult => {
      meta.finishedAt = new Date().toISOString();
      meta.exit = { k6: r.k6Exit, validation: r.validation, preflight: r.preflight, code: r.exitCode };
      writeMetadata(resultsDir, meta);
      return { runId, resultsDir, ...r };
    };

    if (target.embedded && target.databaseUrl) {
      await seedForRun({ databaseUrl: target.databaseUrl, prefix, fixturesDir, wallets: opts.wallets, venueCapacity: opts.venueCapacity });
    }

    let preflight: ScenarioRunResult['preflight'] = 'skipped';
    if (opts.preflight !== false) {
      const ready = await preflightForRun({ target, fixturesDir, resultsDir });
      preflight = ready ? 'ready' : 'not-ready';
      if (!ready) {
        progress('target is NOT READY: the scenario was not started');
        return finish({ k6Exit: null, preflight, validation: 'skipped', exitCode: EXIT.notReady });
      }
    }
    if (isInterrupted()) return finish({ k6Exit: null, preflight, validation: 'skipped', exitCode: 130 });

    progress(`run ${runId}: ${opts.scenario} / ${opts.profile} against ${target.kind} ${target.url}`);
    // InfluxDB, the db monitor, the request-log analysis and the report (monitoring/telemetry).
    const telemetry = await startRunTelemetry({
      runId, scenario: opts.scenario, profile: opts.profile, targetKind: target.kind, resultsDir,
      databaseUrl: target.databaseUrl, influx: opts.influx, targetLogFile, report: opts.report,
    });
    try {
      telemetry.k6Started();
      const startK6 = (extra: { env?: Record<string, string>; args?: string[] } = {}) => runK6({
        k6Path: k6.path,
        bundle,
        resultsDir,
        quiet: opts.quiet,
        extraArgs: [...(opts.k6Args ?? []), ...telemetry.k6Args, ...(extra.args ?? [])],
        env: {
          TARGET_URL: target.url,
          TARGET_KIND: target.kind,
          API_KEY: target.apiKey,
          STRIPE_WEBHOOK_SECRET: target.webhookSecret,
          PROFILE: opts.profile,
          RUN_ID: runId,
          FIXTURES_DIR: fixturesDir,
          RESULTS_DIR: resultsDir,
          ...(opts.k6Env ?? {}),
          ...telemetry.k6Env,
          ...(extra.env ?? {}),
        },
      });
      const k6Exit = opts.aroundK6 ? await opts.aroundK6({ runId, resultsDir, target, runK6: startK6 }) : await startK6();
      await telemetry.k6Finished(k6Exit);

      let validation: ScenarioRunResult['validation'] = 'skipped';
      if (opts.validate !== false && target.databaseUrl) {
        validation = (await validateRun({ databaseUrl: target.databaseUrl, prefix, runId, resultsDir })) ? 'passed' : 'failed';
      } else if (opts.validate !== false) {
        progress('no DATABASE_URL for this target: money validation skipped (set DATABASE_URL to enable it)');
      }

      const exitCode = k6Exit !== 0 ? k6Exit : validation === 'failed' ? EXIT.validationFailed : EXIT.ok;
      const verdict = exitCode === 0 ? 'PASS' : 'FAIL';
      progress(
        `${verdict} ${runId}: k6 ${k6Exit === 0 ? 'thresholds passed' : `exit ${k6Exit}${k6Exit === 99 ? ' (thresholds breached)' : ''}`}, ` +
          `validation ${validation}; results in ${resultsDir}`,
      );
      const result = finish({ k6Exit, preflight, validation, exitCode });
      await telemetry.finish({ k6Exit, validation, exitCode });
      return result;
    } finally {
      await telemetry.close();
    }
  };

  if (external) return drive({ ...external, embedded: false, defects: [] });
  return withStack({ defects: opts.defects, slowMs: opts.slowMs, ...opts.stack }, (state) =>
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
}
