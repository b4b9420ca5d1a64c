// The pipeline's load step on either engine. Both write metrics streams into
// results/<run-id>/streams/; the verdict is taken from those afterwards (run-verdict.ts).
//   artillery (default): one process per workload, started together, shifted to start at t0.
//   k6 (the user's binary): one `k6 run` of the scenario bundle, `--out json`, converted.
import { ENGINE_START_DIR, RUN_DIRS } from '../../../core/results-layout.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineName } from '../../../core/engine-plan.js';
import { K6_EXIT } from '../../../core/exit-codes.js';
import type { ProfileName } from '../../../core/profiles.js';
import { streamFileName } from '../../../core/metrics-stream/records.js';
import type { ChaosEnv } from '../../../lib/chaos/contract.js';
import { PROFILES } from '../../../core/profiles.js';
import { buildArtilleryProcessor } from '../../../build/processor-bundle.js';
import { buildScenario } from '../../../build/bundle.js';
import { progress } from '../../../stack/progress.js';
import { artilleryProcesses, scheduleSeconds } from './artillery-plan.js';
import { runArtillery } from './artillery-run.js';
import { k6JsonToStream } from './k6-json-stream.js';
import { runK6 } from '../k6-run.js';
import { workloadLoads, type LoadScale } from './workload-loads.js';
import { writeCloudRun, type CloudPlatform } from '../platform/artillery-cloud.js';
import { launchCloudRun } from '../platform/cloud-launch.js';

/** A process not up this long after it was started is a failed run (2 cores, 8 processes: ~20 s). */
const BARRIER_TIMEOUT_MS = 180_000;
const K6_START_LEAD_MS = 5000;
/** k6's own exit code when a threshold (here only abortOnFail guards) failed. */

export interface LoadStep {
  engine: EngineName;
  /** Resolved up front: the user's k6 (null for the default engine). */
  k6Path: string | null;
  runId: string;
  scenario: string;
  profile: ProfileName;
  resultsDir: string;
  targetUrl: string;
  scale: LoadScale;
  /** The engine processes' environment contract (scenarios/README.md). */
  env: Record<string, string>;
  chaos: ChaosEnv | null;
  /** t0 is never earlier than this (ms epoch); the engine fixes it once every process is up. */
  t0Ms?: number;
  /** Called with t0 as soon as it is fixed (the chaos controller starts on it). */
  onT0?: (t0Ms: number) => void;
  k6Args?: string[];
  quiet?: boolean;
  /** Load processes side by side that split the wallets and the schedule (default 1). */
  shards?: number;
  onSpawn?: (pid: number, source: string) => void;
  onExit?: (pid: number, source: string) => void;
  /** Artillery's cloud runners instead of local processes (cli/pipeline/platform/). */
  cloud?: CloudLoad | null;
}

export interface CloudLoad { platform: CloudPlatform; count: number; region?: string; fixturesDir: string }

/** Exit of the engine step: 0 when every load process ended normally. */
export async function runLoad(step: LoadStep): Promise<number> {
  mkdirSync(join(step.resultsDir, RUN_DIRS.streams), { recursive: true });
  if (step.engine === 'k6') return runK6Load(step);
  if (step.cloud) return runCloudLoad(step, step.cloud);
  // Faults and load share one clock: the load processes take t0 from the start barrier.
  if (step.chaos) step = { ...step, env: { ...step.env, MOSHPIT_CHAOS_JSON: JSON.stringify(step.chaos) } };
  const processorFile = await buildArtilleryProcessor();
  const loads = workloadLoads(step.scenario, step.profile, step.scale, step.chaos);
  const count = step.shards ?? 1;
  const processes = Array.from({ length: count }, (_, index) => artilleryProcesses({
    runId: step.runId,
    scenario: step.scenario,
    resultsDir: step.resultsDir,
    targetUrl: step.targetUrl,
    processorFile,
    loads,
    barrierDir: join(step.resultsDir, RUN_DIRS.engine, ENGINE_START_DIR),
    barrierTimeoutMs: BARRIER_TIMEOUT_MS,
    gracefulStopSeconds: PROFILES[step.profile].gracefulStopSeconds,
    shard: { index, count },
  })).flat().filter((p) => p.plan.plannedArrivals > 0);
  progress(`engine: Artillery, ${processes.length} process(es)${count > 1 ? ` in ${count} shards` : ''}, ${scheduleSeconds(loads)}s of load: ${processes.map((p) => `${p.plan.source} (${p.plan.plannedArrivals} arrivals)`).join(', ')}`);
  const results = await runArtillery(processes, {
    resultsDir: step.resultsDir, env: step.env, onSpawn: step.onSpawn, onExit: step.onExit,
    barrierDir: join(step.resultsDir, RUN_DIRS.engine, ENGINE_START_DIR), barrierTimeoutMs: BARRIER_TIMEOUT_MS, notBeforeMs: step.t0Ms, onT0: step.onT0,
  });
  return results.every((r) => r.exit === 0) ? 0 : 1;
}

async function runK6Load(step: LoadStep): Promise<number> {
  if (!step.k6Path) throw new Error('engine k6 needs the user\'s k6 binary');
  const bundle = (await buildScenario(step.scenario)).outfile;
  const engineDir = join(step.resultsDir, RUN_DIRS.engine);
  mkdirSync(engineDir, { recursive: true });
  const startedAt = Date.now();
  // t0 up front, with k6's own start-up lead.
  const t0Ms = Math.max(Date.now() + K6_START_LEAD_MS, step.t0Ms ?? 0);
  step.onT0?.(t0Ms);
  const env = step.chaos ? { ...step.env, MOSHPIT_CHAOS_JSON: JSON.stringify({ ...step.chaos, t0Ms }) } : step.env;
  // Shards: k6's own partitioning (execution segments) splits every scenario's schedule.
  const count = step.shards ?? 1;
  const bounds = Array.from({ length: count + 1 }, (_, i) => (i === 0 ? '0' : i === count ? '1' : `${i}/${count}`));
  const exits = await Promise.all(Array.from({ length: count }, async (_, index) => {
    const source = `k6-s${index}`;
    const jsonFile = join(engineDir, `${source}-samples.json`);
    const segment = count > 1 ? ['--execution-segment', `${bounds[index]}:${bounds[index + 1]}`, '--execution-segment-sequence', bounds.join(',')] : [];
    const code = await runK6({ k6Path: step.k6Path!, bundle, resultsDir: step.resultsDir, env, quiet: step.quiet, extraArgs: [...(step.k6Args ?? []), ...segment, '--out', `json=${jsonFile}`], onSpawn: step.onSpawn, onExit: step.onExit });
    await k6JsonToStream({ jsonFile, streamFile: join(step.resultsDir, RUN_DIRS.streams, streamFileName(source)), source, runId: step.runId, startedAt, endedAt: Date.now() });
    return code;
  }));
  // An abortOnFail guard firing is not a failed load step (the verdict comes from the stream);
  // any other non-zero exit (K6_EXIT.externalAbort, K6_EXIT.scriptException, ...) is.
  const exit = exits.find((e) => e !== 0 && e !== K6_EXIT.thresholdsFailed) ?? 0;
  return exit;
}

async function runCloudLoad(step: LoadStep, cloud: CloudLoad): Promise<number> {
  const files = writeCloudRun({
    platform: cloud.platform, count: cloud.count, region: cloud.region, runId: step.runId, scenario: step.scenario, profile: step.profile,
    scale: step.scale, targetUrl: step.targetUrl, resultsDir: step.resultsDir, fixturesDir: cloud.fixturesDir,
    processorFile: await buildArtilleryProcessor(), env: step.env,
  });
  step.onT0?.(Date.now());
  return launchCloudRun(files, { resultsDir: step.resultsDir, env: step.env, onSpawn: step.onSpawn, onExit: step.onExit });
}
