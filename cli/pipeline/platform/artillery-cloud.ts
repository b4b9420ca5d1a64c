// The default engine on Artillery's own cloud runners (`artillery run-fargate`, `run-aci`):
// what they need, generated into results/<run-id>/cloud/, and the commands that launch them.
//
// Artillery's `--count N` starts N identical workers (no worker index: WORKER_ID is random),
// which would send the same wallets' load N times over. moshpit's shards must split wallets
// and schedule without overlap, so `--count N` here means N shards, as `--shards N` does
// locally, and each (shard, workload) process is its own cloud run with `--count 1`, its
// script carrying that shard's phases and its plan that shard's iteration numbers.
//
// cloud/bundle/ is what each run uploads: the bundled processor, a package.json naming its
// runtime dependencies, the fixtures (config.includeFiles), and per process a script
// (<source>.yml) and a dotenv (<source>.env: the plan, the InfluxDB output with the stream
// records, the run id; never a secret). Secrets reach workers through Artillery's own
// channels: `--secret NAME` (AWS SSM /artilleryio/NAME) on Fargate, a private dotenv written
// at launch and removed after on ACI.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { ENGINE_PLAN_ENV, type ProcessPlan } from '../../../core/engine-plan.js';
import { PROFILES, type ProfileName } from '../../../core/profiles.js';
import { INFLUX_WRITE_ENV, parseInfluxWrite, type InfluxWriteConfig } from '../../../monitoring/influx/engine-output.js';
import { artilleryProcesses, scheduleSeconds, type ArtilleryProcess } from '../engine/artillery-plan.js';
import { ENGINE_QUIET_ENV } from '../engine/artillery-run.js';
import { workloadLoads, type LoadScale } from '../engine/workload-loads.js';
import { FIXTURE_FILES } from '../../../core/fixture-manifest.js';

/** `local`: Artillery's own local platform (`artillery run`), the cloud bundle rehearsed on this machine. */
export const CLOUD_PLATFORMS = ['aws:fargate', 'azure:aci', 'local'] as const;
export type CloudPlatform = (typeof CLOUD_PLATFORMS)[number];

/** Artillery's own names (its `platform` flag values and command names) map onto ours. */
const ALIASES: Record<string, CloudPlatform> = {
  'aws:fargate': 'aws:fargate', 'aws:ecs': 'aws:fargate', fargate: 'aws:fargate', 'run-fargate': 'aws:fargate',
  'azure:aci': 'azure:aci', 'az:aci': 'azure:aci', aci: 'azure:aci', 'run-aci': 'azure:aci',
  local: 'local',
};

const COMMAND: Record<CloudPlatform, string> = { 'aws:fargate': 'run-fargate', 'azure:aci': 'run-aci', local: 'run' };

/** null when `name` is not a cloud platform moshpit drives. */
export function parsePlatform(name: string): CloudPlatform | null {
  return ALIASES[name.trim().toLowerCase()] ?? null;
}

/** What the load needs and must never be written to the results folder. */
export const SECRET_ENV = ['API_KEY', 'STRIPE_WEBHOOK_SECRET'] as const;

/** The processor's runtime dependencies (kept external by build/processor-bundle.ts). */
const PROCESSOR_DEPENDENCIES = ['undici', '@supabase/supabase-js', 'ws'] as const;

/** Worker-side stream files: the container's own disk (the records also go to InfluxDB). */
const workerStreamsDir = (input: CloudRunInput) => (input.platform === 'local' ? join(input.resultsDir, 'cloud', 'worker-streams') : `/tmp/moshpit/${input.runId}/streams`);
const FIXTURES_SUBDIR = 'fixtures';
const PROCESSOR_NAME = 'processor.cjs';
/** Time a cloud run gets beyond its schedule (worker start-up, npm install, graceful stop). */
const MAX_DURATION_MARGIN_S = 600;

export interface CloudRunInput {
  platform: CloudPlatform;
  /** Shards: cloud runs per workload, each `--count 1`. */
  count: number;
  region?: string;
  runId: string;
  scenario: string;
  profile: ProfileName;
  scale: LoadScale;
  targetUrl: string;
  resultsDir: string;
  fixturesDir: string;
  processorFile: string;
  /** The run's load environment (TARGET_URL, PROFILE, RUN_ID, MOSHPIT_*, MOSHPIT_INFLUX_WRITE, secrets...). */
  env: Record<string, string>;
}

export interface CloudWorker {
  source: string;
  shard: number;
  workload: string;
  plannedArrivals: number;
  /** Paths relative to the run's results folder. */
  script: string;
  dotenv: string;
  report: string;
  /** The Artillery CLI arguments (after `artillery`), with paths relative to the results folder. */
  args: string[];
}

export interface CloudRunPlan {
  platform: CloudPlatform;
  command: string;
  count: number;
  region: string | null;
  runId: string;
  /** Where the streams come back from: the InfluxDB the workers write to (no credentials). */
  influx: { url: string; database: string };
  /** Secret names the workers need and how they get them. */
  secrets: { names: string[]; via: string };
  workers: CloudWorker[];
  maxDurationSeconds: number;
}

export interface CloudRunFiles {
  plan: CloudRunPlan;
  /**
   * Per source, the dotenv a launch uses: the written one plus what may not be written (the
   * InfluxDB password; on ACI the secrets). Kept in memory only.
   */
  launchDotenvs: Record<string, string>;
}

export class CloudPlanError extends Error {}

function installedVersion(pkg: string): string {
  const require = createRequire(import.meta.url);
  return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
}

/** A dotenv line Artillery's dotenv reads back verbatim: single quotes, no escapes. */
function dotenvLine(key: string, value: string): string {
  if (/['\n\r]/.test(value)) throw new CloudPlanError(`${key}: a value with a single quote or a newline cannot go into a dotenv file`);
  return `${key}='${value}'`;
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The InfluxDB output every worker gets: the run's, plus the stream records. */
function workerInflux(env: Record<string, string>): InfluxWriteConfig {
  const raw = env[INFLUX_WRITE_ENV];
  if (!raw) throw new CloudPlanError(`--platform needs an InfluxDB the workers can reach (--influx-url): moshpit reads the shards' streams back from it`);
  return { ...parseInfluxWrite(raw), records: true };
}

/**
 * The environment of one worker process. `secrets`: 'none' for the written copy (the InfluxDB
 * password masked), 'influx' or 'all' (with API_KEY, STRIPE_WEBHOOK_SECRET) for a launch.
 */
function workerEnv(input: CloudRunInput, p: ArtilleryProcess, influx: InfluxWriteConfig, secrets: 'none' | 'influx' | 'all'): Array<[string, string]> {
  const plan: ProcessPlan = { ...p.plan, streamFile: join(workerStreamsDir(input), `${p.plan.source}.jsonl`), barrierDir: '', startBarrier: false };
  const passOn = Object.entries(input.env).filter(([k]) => k.startsWith('MOSHPIT_') && k !== INFLUX_WRITE_ENV && k !== ENGINE_PLAN_ENV && k !== 'MOSHPIT_ALLOW_REMOTE');
  const shown = secrets !== 'none' || !influx.password ? influx : { ...influx, password: '<set at launch>' };
  const out: Array<[string, string]> = [
    ['RUN_ID', input.runId],
    ['PROFILE', input.profile],
    ['TARGET_URL', input.targetUrl],
    ['TARGET_KIND', input.env.TARGET_KIND ?? 'rest'],
    // Resolved by the processor from its own directory (the fixtures travel beside it).
    ['FIXTURES_DIR', FIXTURES_SUBDIR],
    // The workers are remote by definition; the target was checked here, before anything started.
    ['MOSHPIT_ALLOW_REMOTE', '1'],
    ...passOn,
    [ENGINE_PLAN_ENV, JSON.stringify(plan)],
    [INFLUX_WRITE_ENV, JSON.stringify(shown)],
    ...Object.entries(ENGINE_QUIET_ENV),
  ];
  if (secrets === 'all') for (const k of SECRET_ENV) if (input.env[k]) out.push([k, input.env[k]!]);
  return out;
}

export function dotenvText(entries: Array<[string, string]>, note: string): string {
  return `# ${note}\n${entries.map(([k, v]) => dotenvLine(k, v)).join('\n')}\n`;
}

/**
 * Writes results/<run-id>/cloud/ (bundle, scripts, dotenvs, commands.sh, cloud-run.json) and
 * returns the plan. Throws CloudPlanError on anything the cloud run could not work with.
 */
export function writeCloudRun(input: CloudRunInput): CloudRunFiles {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > 64) throw new CloudPlanError(`--count must be an integer from 1 to 64, got ${input.count}`);
  if (input.scenario === 'chaos') throw new CloudPlanError('the chaos scenario injects faults from this machine; it runs locally only');
  const influx = workerInflux(input.env);
  const fixtures = existsSync(input.fixturesDir) ? readdirSync(input.fixturesDir).filter((f) => f.endsWith('.json')).sort() : [];
  if (!fixtures.includes(FIXTURE_FILES.manifest)) throw new CloudPlanError(`no fixtures in ${input.fixturesDir} (run the seeder against your database first: moshpit seed)`);

  const cloudDir = join(input.resultsDir, 'cloud');
  const bundleDir = join(cloudDir, 'bundle');
  mkdirSync(join(bundleDir, FIXTURES_SUBDIR), { recursive: true });
  copyFileSync(input.processorFile, join(bundleDir, PROCESSOR_NAME));
  for (const f of fixtures) copyFileSync(join(input.fixturesDir, f), join(bundleDir, FIXTURES_SUBDIR, f));
  const packageJson = {
    name: `moshpit-cloud-${input.runId}`.toLowerCase(), private: true,
    description: 'moshpit processor runtime dependencies for Artillery cloud workers (generated)',
    dependencies: Object.fromEntries(PROCESSOR_DEPENDENCIES.map((d) => [d, installedVersion(d)])),
  };
  writeFileSync(join(bundleDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);

  const loads = workloadLoads(input.scenario, input.profile, input.scale, null);
  const gracefulStopSeconds = PROFILES[input.profile].gracefulStopSeconds;
  const processes = Array.from({ length: input.count }, (_, index) => artilleryProcesses({
    runId: input.runId, scenario: input.scenario, resultsDir: input.resultsDir, targetUrl: input.targetUrl,
    processorFile: `./${PROCESSOR_NAME}`, loads, barrierDir: '', barrierTimeoutMs: 0, gracefulStopSeconds,
    shard: { index, count: input.count },
    // `artillery run` splits rate phases over its worker threads (each numbering its own
    // arrivals from 0, so two would take the same wallets); arrivalCount runs in one worker.
    phaseStyle: 'arrival-count',
  })).flat().filter((p) => p.plan.plannedArrivals > 0);
  const maxDurationSeconds = scheduleSeconds(loads) + gracefulStopSeconds + MAX_DURATION_MARGIN_S;
  const command = COMMAND[input.platform];
  const rel = (path: string) => relative(input.resultsDir, path);

  const launchDotenvs: Record<string, string> = {};
  const workers = processes.map((p): CloudWorker => {
    const script = join(bundleDir, `${p.plan.source}.yml`);
    const dotenv = join(bundleDir, `${p.plan.source}.env`);
    const report = join(cloudDir, `${p.plan.source}.report.json`);
    writeFileSync(script, stringify({
      config: { ...p.script.config, includeFiles: fixtures.map((f) => `${FIXTURES_SUBDIR}/${f}`) },
      scenarios: p.script.scenarios,
    }));
    writeFileSync(dotenv, dotenvText(workerEnv(input, p, influx, 'none'), `moshpit ${input.runId} ${p.plan.source}: generated; never holds a secret (${SECRET_ENV.join(', ')}: ${input.platform === 'aws:fargate' ? '--secret, from SSM' : 'added to a private copy at launch'}${influx.password ? '; the InfluxDB password too' : ''})`));
    launchDotenvs[p.plan.source] = dotenvText(workerEnv(input, p, influx, input.platform === 'aws:fargate' ? 'influx' : 'all'), `moshpit ${input.runId} ${p.plan.source}: launch copy`);
    const args = [
      command,
      ...(input.platform === 'local' ? [] : ['--count', '1']),
      ...(input.region && input.platform !== 'local' ? ['--region', input.region] : []),
      ...(input.platform === 'aws:fargate'
        ? [...SECRET_ENV.flatMap((s) => ['--secret', s]), '--packages', rel(join(bundleDir, 'package.json')), '--max-duration', String(maxDurationSeconds)]
        : []),
      '--dotenv', rel(dotenv), '--output', rel(report), rel(script),
    ];
    return { source: p.plan.source, shard: p.plan.shard.index, workload: p.plan.workload, plannedArrivals: p.plan.plannedArrivals, script: rel(script), dotenv: rel(dotenv), report: rel(report), args };
  });

  const plan: CloudRunPlan = {
    platform: input.platform, command, count: input.count, region: input.region ?? null, runId: input.runId,
    influx: { url: influx.url, database: influx.database },
    secrets: {
      names: [...SECRET_ENV],
      via: input.platform === 'aws:fargate' ? 'AWS SSM parameters /artilleryio/<NAME> in the run\'s region (--secret)' : 'a private dotenv written at launch and removed after',
    },
    workers,
    maxDurationSeconds,
  };
  writeFileSync(join(cloudDir, 'cloud-run.json'), `${JSON.stringify(plan, null, 2)}\n`);
  writeFileSync(join(cloudDir, 'commands.sh'), commandsScript(plan));
  return { plan, launchDotenvs };
}

/** The launch commands as a script to read (or run by hand from the results folder). */
function commandsScript(plan: CloudRunPlan): string {
  const lines = [
    '#!/usr/bin/env bash',
    `# moshpit run ${plan.runId}: ${plan.workers.length} Artillery ${plan.command} run(s), ${plan.count} shard(s); run from results/${plan.runId}/.`,
    `# Afterwards: moshpit reads the streams back from ${plan.influx.url} (database ${plan.influx.database}) by run id.`,
    'set -euo pipefail',
    'export ARTILLERY_DISABLE_TELEMETRY=true',
    ...(plan.platform === 'aws:fargate'
      ? [`# Secrets: ${plan.secrets.names.join(', ')} as SSM parameters /artilleryio/<NAME> (aws ssm put-parameter --type SecureString --name /artilleryio/API_KEY --value ... --region <region>).`]
      : [`# Secrets: append ${plan.secrets.names.map((n) => `${n}='...'`).join(' ')} to each dotenv first (moshpit does that itself in a private copy).`]),
    ...plan.workers.map((w) => `npx artillery ${w.args.map(shellQuote).join(' ')} &`),
    'wait',
    '',
  ];
  return lines.join('\n');
}
