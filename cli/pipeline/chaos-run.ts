// `moshpit scenario chaos`: the chaos timeline on top of the full festival load.
//   planChaos()     timeline (default, or --faults) sized to the load; what the run needs
//                   (Toxiproxy in front of PostgreSQL for DB faults, the embedded target for a crash)
//   chaosK6Hook()   wraps the pipeline's k6 step (cli/pipeline/run-scenario.ts aroundK6):
//     1. a loopback clock endpoint; the chaos bundle's setup() calls it once every VU is ready,
//        and the fault controller (chaos/controller.ts) starts its schedule at that same t0;
//     2. toxic faults through Toxiproxy, target-crash through an executor (SIGKILL + restart on
//        the same port), client faults inside k6 from MOSHPIT_CHAOS_JSON, all on t0's clock;
//     3. k6's raw samples to results/<run-id>/k6-samples.gz; afterwards (faults always removed,
//        whatever k6 did) chaos-report.json: recovery per window, in/out-of-window comparison.
// Exit code: k6's if it failed; else 99 when a recovery broke its bound; 1 when a fault could
// not be applied or removed.
import { createServer, type Server } from 'node:http';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { PROFILES, isProfileName, scenarioShapes, shapeDurationSeconds } from '../../core/profiles.js';
import { startChaos, type ChaosRun, type FaultExecutor } from '../../chaos/controller.js';
import { buildChaosReport, formatChaosReport, readSummaryMetrics, type ChaosReport } from '../../chaos/report.js';
import { summarizeSamples } from '../../chaos/samples.js';
import { targetCrashExecutor } from '../../chaos/target-crash.js';
import { defaultTimeline, timelineFromOption, windowsOfKind, type Timeline } from '../../chaos/timeline.js';
import { readWindowsFile, type WindowRecord } from '../../chaos/windows-file.js';
import { DB_PROXY_NAME } from '../../chaos/db-proxy.js';
import { CHAOS_ENV, type ChaosEnv } from '../../lib/chaos/contract.js';
import { progress } from '../../stack/progress.js';
import { readStackState } from '../../stack/state.js';
import { UsageError } from '../command.js';
import type { K6StepContext } from './run-scenario.js';

/** The load a chaos run is shaped like. */
export const CHAOS_LOAD = 'full' as const;
export const DEFAULT_RECOVERY_BOUND_S = 30;
/** t0 is this far after the bundle asks: the controller is set up by then. */
const T0_LEAD_MS = 1000;
export const SAMPLES_FILE = 'k6-samples.gz';
export const REPORT_FILE = 'chaos-report.json';

export interface ChaosPlan {
  timeline: Timeline;
  recoveryBoundS: number;
  /** a Toxiproxy the user runs in front of their database (external targets) */
  toxiproxy?: { apiUrl: string; proxy: string };
  /** the embedded stack must put Toxiproxy between the target and PostgreSQL */
  needsDbProxy: boolean;
  /**
   * Called when a window closes (done or interrupted): the dashboards' annotation hook, e.g.
   * `(w, runId) => writeAnnotations(influx, [chaosAnnotation(runId, w)])` (chaos/annotations.ts).
   */
  onWindow?: (w: WindowRecord, runId: string) => void | Promise<void>;
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

/** Seconds of load the chaos bundle runs: the full scenario's longest workload, scaled like k6 will. */
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

/** The bundle's MOSHPIT_CHAOS_JSON. */
export function chaosEnvFor(plan: ChaosPlan, clockUrl: string): ChaosEnv {
  return {
    durationS: plan.timeline.durationS,
    recoveryS: plan.recoveryBoundS,
    windows: plan.timeline.windows.map((w) => ({ fault: w.fault, kind: w.kind, startS: w.startS, durationS: w.durationS, params: w.params })),
    clockUrl,
  };
}

interface Clock { url: string; server: Server; run(): Promise<ChaosRun> | null }

/** The loopback endpoint the bundle's setup() asks for t0; the first ask starts the controller. */
async function startClock(start: (t0Ms: number) => Promise<ChaosRun>): Promise<Clock> {
  let starting: Promise<ChaosRun> | null = null;
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/t0') {
      res.writeHead(404).end();
      return;
    }
    req.resume();
    starting ??= start(Date.now() + T0_LEAD_MS);
    starting.then(
      (run) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ t0Ms: run.t0Ms })),
      (err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/t0`, server, run: () => starting };
}

/** The pipeline's k6 step with the chaos controller alongside (run-scenario.ts `aroundK6`). */
export function chaosK6Hook(plan: ChaosPlan): (step: K6StepContext) => Promise<number> {
  return async (step) => {
    const { runId, resultsDir, target } = step;
    const windowsFile = join(resultsDir, 'chaos-windows.json');
    const stack = target.embedded ? readStackState() : null;
    const api = plan.toxiproxy ?? (stack?.toxiproxy ? { apiUrl: stack.toxiproxy.apiUrl, proxy: stack.toxiproxy.proxy } : null);
    if (windowsOfKind(plan.timeline, 'toxic').length && !api) {
      throw new Error('this chaos timeline has DB faults but no Toxiproxy sits in front of the database');
    }
    const executors: Record<string, FaultExecutor> = target.embedded ? { 'target-crash': targetCrashExecutor({ log: progress }) } : {};
    progress(`chaos: ${plan.timeline.windows.length} fault window(s) over ${plan.timeline.durationS}s: ${plan.timeline.windows.map((w) => `${w.fault}@${w.startS}s+${w.durationS}s`).join(', ') || 'none'}`);

    let controllerError: string | null = null;
    const clock = await startClock((t0Ms) => startChaos({
      apiUrl: api?.apiUrl ?? null,
      proxy: api?.proxy ?? DB_PROXY_NAME,
      timeline: plan.timeline,
      windowsFile,
      runId,
      t0Ms,
      executors,
      log: progress,
      onWindow: async (w) => {
        await plan.onWindow?.(w, runId);
      },
    }));
    const samplesFile = join(resultsDir, SAMPLES_FILE);
    let k6Exit: number;
    try {
      k6Exit = await step.runK6({
        env: { [CHAOS_ENV]: JSON.stringify(chaosEnvFor(plan, clock.url)), K6_CSV_TIME_FORMAT: 'unix_milli' },
        args: ['--out', `csv=${samplesFile}`],
      });
    } finally {
      clock.server.close();
      // Faults off, whatever k6 did: stop() ends a schedule k6 did not live to the end of.
      const run = await clock.run()?.catch((err: Error) => {
        controllerError = err.message;
        return null;
      });
      if (run) await run.stop('k6 exited').catch((err: Error) => { controllerError = err.message; });
    }

    if (!clock.run()) {
      progress('chaos: the load never started (k6 did not reach setup), so no fault was injected');
      return k6Exit !== 0 ? k6Exit : 1;
    }
    const report = await writeReport(plan, runId, resultsDir, windowsFile, samplesFile);
    process.stdout.write(`${formatChaosReport(report)}\n`);
    if (k6Exit !== 0) return k6Exit;
    if (controllerError || report.controller.outcome === 'error') return 1;
    return report.verdict.ok ? 0 : 99;
  };
}

async function writeReport(plan: ChaosPlan, runId: string, resultsDir: string, windowsFile: string, samplesFile: string): Promise<ChaosReport> {
  const windows = readWindowsFile(windowsFile);
  let samples = null;
  if (existsSync(samplesFile)) {
    try {
      samples = await summarizeSamples(samplesFile, { fromMs: windows.t0Ms });
    } catch (err) {
      progress(`chaos: could not read ${samplesFile}: ${(err as Error).message}`);
    }
  }
  const report = buildChaosReport({
    windows,
    samples,
    summary: readSummaryMetrics(join(resultsDir, 'summary.json')),
    recoveryBoundS: plan.recoveryBoundS,
    endMs: windows.t0Ms + windows.durationS * 1000,
  });
  writeFileSync(join(resultsDir, REPORT_FILE), `${JSON.stringify({ ...report, runId }, null, 2)}\n`);
  return report;
}
