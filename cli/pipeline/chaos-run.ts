// `moshpit scenario chaos`: the chaos timeline on top of the full festival load.
//   planChaos()      timeline (default, or --faults) sized to the load; what the run needs
//                    (Toxiproxy in front of PostgreSQL for DB faults, the embedded target for a crash)
//   chaosEnvFor()    the timeline the load processes get (MOSHPIT_CHAOS_JSON; the pipeline adds t0)
//   chaosLoadHook()  wraps the pipeline's load step (cli/pipeline/run-scenario.ts aroundLoad):
//     1. the fault controller (chaos/controller.ts) starts its schedule at the load's t0: the
//        instant every load process starts its schedule, so faults and load share one clock;
//     2. toxic faults through Toxiproxy, target-crash through an executor (SIGKILL + restart on
//        the same port), client faults inside the load processes from MOSHPIT_CHAOS_JSON;
//     3. afterwards (faults always removed, whatever the load did) chaos-report.json from the
//        run's merged metrics stream (results/<run-id>/streams/): recovery per window,
//        in/out-of-window comparison, what the load saw.
// Exit code: the load step's if it failed; else 1 when a fault could not be applied or removed;
// else 99 when a recovery broke its bound (the pipeline ends that as exit 99, "thresholds").
import { RUN_FILES } from '../../core/results-layout.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES, isProfileName, scenarioShapes, shapeDurationSeconds } from '../../core/profiles.js';
import type { MergedRun } from '../../core/metrics-stream/merge.js';
import { EXIT } from '../../core/exit-codes.js';
import { startChaos, type ChaosRun, type FaultExecutor } from '../../chaos/controller.js';
import { buildChaosReport, formatChaosReport, loadLateness, type ChaosReport } from '../../chaos/report.js';
import { summarizeSamples } from '../../chaos/samples.js';
import { targetCrashExecutor } from '../../chaos/target-crash.js';
import { defaultTimeline, timelineFromOption, windowsOfKind, type Timeline } from '../../chaos/timeline.js';
import { readWindowsFile } from '../../chaos/windows-file.js';
import { DB_PROXY_NAME } from '../../chaos/db-proxy.js';
import type { ChaosEnv } from '../../lib/chaos/contract.js';
import { CHAOS_LOAD } from '../../lib/chaos/runtime.js';
import { progress } from '../../stack/progress.js';
import { sleep } from '../../stack/processes.js';
import { readStackState } from '../../stack/state.js';
import { UsageError } from '../../core/usage-error.js';
import type { LoadStepContext } from './run-scenario.js';
import { readRunStreams } from './run-verdict.js';

export { CHAOS_LOAD };
export const DEFAULT_RECOVERY_BOUND_S = 30;
/**
 * A load that ended normally may end a moment before the timeline does (its last arrival on
 * the last second): the controller gets this long to finish the timeline before it is stopped.
 */
const TIMELINE_END_WAIT_MS = 3000;

export interface ChaosPlan {
  timeline: Timeline;
  recoveryBoundS: number;
  /** a Toxiproxy the user runs in front of their database (external targets) */
  toxiproxy?: { apiUrl: string; proxy: string };
  /** the embedded stack must put Toxiproxy between the target and PostgreSQL */
  needsDbProxy: boolean;
}

export interface PlanOptions {
  /** --faults: a list, `name@start+duration`, JSON, a .json file, `default` or `none` */
  faults?: string;
  profile: string;
  recoveryBoundS?: number;
  /** the target is a user's deployment (no embedded stack) */
  external: boolean;
  toxiproxyUrl?: string;
  toxiproxyProxy?: string;
  env?: NodeJS.ProcessEnv;
}

function scale(env: NodeJS.ProcessEnv, name: string): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got '${raw}'`);
  return n;
}

/** Seconds of load the chaos run has: the full scenario's longest workload, scaled as the load will be. */
export function loadDurationS(profile: string, env: NodeJS.ProcessEnv = process.env): number {
  if (!isProfileName(profile)) throw new UsageError(`unknown profile '${profile}'`);
  const shapes = scenarioShapes(PROFILES[profile], CHAOS_LOAD, { duration: scale(env, 'MOSHPIT_DURATION_SCALE'), rate: scale(env, 'MOSHPIT_RATE_SCALE') });
  return Math.max(...Object.values(shapes).map((s) => shapeDurationSeconds(s!)));
}

export function planChaos(o: PlanOptions): ChaosPlan {
  const env = o.env ?? process.env;
  const durationS = loadDurationS(o.profile, env);
  const timeline = o.faults === undefined ? defaultTimeline(durationS) : timelineFromOption(o.faults, durationS);
  const recoveryBoundS = o.recoveryBoundS ?? DEFAULT_RECOVERY_BOUND_S;
  const toxic = windowsOfKind(timeline, 'toxic');
  const toxiproxyUrl = o.toxiproxyUrl ?? env.TOXIPROXY_URL;
  const toxiproxy = toxiproxyUrl ? { apiUrl: toxiproxyUrl, proxy: o.toxiproxyProxy ?? env.TOXIPROXY_PROXY ?? DB_PROXY_NAME } : undefined;
  if (o.external) {
    if (toxic.length && !toxiproxy) {
      throw new UsageError(`DB faults (${[...new Set(toxic.map((w) => w.fault))].join(', ')}) need the Toxiproxy in front of your database: --toxiproxy-url http://127.0.0.1:8474 --toxiproxy-proxy <proxy name> (or pick client faults only with --faults)`);
    }
    const crash = windowsOfKind(timeline, 'process');
    if (crash.length) throw new UsageError('target-crash kills and restarts the embedded reference target; it cannot be run against your deployment (leave it out with --faults)');
  }
  return { timeline, recoveryBoundS, ...(toxiproxy ? { toxiproxy } : {}), needsDbProxy: !o.external && !toxiproxy && toxic.length > 0 };
}

/** The load processes' MOSHPIT_CHAOS_JSON (the pipeline adds t0Ms, the load's start). */
export function chaosEnvFor(plan: ChaosPlan): ChaosEnv {
  return {
    durationS: plan.timeline.durationS,
    recoveryS: plan.recoveryBoundS,
    windows: plan.timeline.windows.map((w) => ({ fault: w.fault, kind: w.kind, startS: w.startS, durationS: w.durationS, params: w.params })),
  };
}

/** The pipeline's load step with the chaos controller alongside (run-scenario.ts `aroundLoad`). */
export function chaosLoadHook(plan: ChaosPlan): (step: LoadStepContext) => Promise<number> {
  return async (step) => {
    const { runId, resultsDir, target } = step;
    const windowsFile = join(resultsDir, RUN_FILES.chaosWindows);
    const stack = target.embedded ? readStackState() : null;
    const api = plan.toxiproxy ?? (stack?.toxiproxy ? { apiUrl: stack.toxiproxy.apiUrl, proxy: stack.toxiproxy.proxy } : null);
    if (windowsOfKind(plan.timeline, 'toxic').length && !api) {
      throw new Error('this chaos timeline has DB faults but no Toxiproxy sits in front of the database');
    }
    const executors: Record<string, FaultExecutor> = target.embedded ? { 'target-crash': targetCrashExecutor({ log: progress }) } : {};
    progress(`chaos: ${plan.timeline.windows.length} fault window(s) over ${plan.timeline.durationS}s: ${plan.timeline.windows.map((w) => `${w.fault}@${w.startS}s+${w.durationS}s`).join(', ') || 'none'}`);

    // The load fixes t0 once every load process is up; the controller starts on that clock.
    const loadDone = step.runLoad();
    const t0Ms = await Promise.race([step.t0, loadDone.then(() => null)]);
    if (t0Ms === null) {
      progress('chaos: the load never started, so no fault was injected');
      const exit = await loadDone;
      return exit !== 0 ? exit : EXIT.error;
    }
    let controller: ChaosRun;
    try {
      controller = await startChaos({
        apiUrl: api?.apiUrl ?? null,
        proxy: api?.proxy ?? DB_PROXY_NAME,
        timeline: plan.timeline,
        windowsFile,
        runId,
        t0Ms,
        executors,
        log: progress,
      });
    } catch (err) {
      // Nothing was applied; without its faults the run tests something else: a failed run.
      progress(`chaos: the fault controller could not start: ${(err as Error).message}`);
      await loadDone;
      return EXIT.error;
    }

    let controllerError: string | null = null;
    let loadExit: number;
    try {
      loadExit = await loadDone;
      // A load that ended normally right before the timeline's end: let the timeline complete.
      const endMs = controller.t0Ms + plan.timeline.durationS * 1000;
      if (loadExit === 0 && Date.now() < endMs && endMs - Date.now() <= TIMELINE_END_WAIT_MS) {
        await Promise.race([controller.done.catch(() => null), sleep(endMs - Date.now() + 500)]);
      }
    } finally {
      // Faults off, whatever the load did: stop() ends a schedule the load did not live to the end of.
      await controller.stop('the load ended').catch((err: Error) => { controllerError = err.message; });
    }

    let merged: MergedRun | null = null;
    try {
      merged = readRunStreams(resultsDir);
    } catch (err) {
      progress(`chaos: the load's metrics stream could not be read: ${(err as Error).message}`);
    }
    const report = writeReport(plan, runId, resultsDir, windowsFile, merged);
    process.stdout.write(`${formatChaosReport(report)}\n`);
    if (loadExit !== 0) return loadExit;
    if (controllerError || report.controller.outcome === 'error') return EXIT.error;
    if (!merged) return EXIT.error;
    const late = loadLateness(merged.sources, t0Ms).late;
    if (late.length) {
      // Not the platform's fault: the run did not test what the timeline says (an error, not 99).
      progress(`chaos: load process(es) started their schedule after t0 (${late.join(', ')}), out of step with the fault controller: this run's chaos results are not valid`);
      return EXIT.error;
    }
    return report.verdict.ok ? EXIT.ok : EXIT.thresholds;
  };
}

function writeReport(plan: ChaosPlan, runId: string, resultsDir: string, windowsFile: string, merged: MergedRun | null): ChaosReport {
  const windows = readWindowsFile(windowsFile);
  const report = buildChaosReport({
    windows,
    samples: merged ? summarizeSamples(merged, { fromMs: windows.t0Ms, windows: windows.windows }) : null,
    metrics: merged?.metrics ?? null,
    sources: merged?.sources ?? [],
    recoveryBoundS: plan.recoveryBoundS,
    endMs: windows.t0Ms + windows.durationS * 1000,
  });
  writeFileSync(join(resultsDir, RUN_FILES.chaosReport), `${JSON.stringify({ ...report, runId }, null, 2)}\n`);
  return report;
}
