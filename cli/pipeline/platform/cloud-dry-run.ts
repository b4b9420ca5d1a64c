// `moshpit scenario <name> --platform P --count N --dry-run`: everything a cloud run would
// launch, written into results/<run-id>/cloud/ (bundle, scripts, dotenvs, commands.sh,
// cloud-run.json), and nothing launched: no stack, no seed, no pre-flight, no load.
import { join } from 'node:path';
import { isProfileName } from '../../../core/profiles.js';
import { newRunId } from '../../../core/run-id.js';
import { redactUrl } from '../../../core/redact.js';
import { buildArtilleryProcessor } from '../../../build/processor-bundle.js';
import { engineInfluxOutput } from '../../../monitoring/influx/engine-output.js';
import { fixturesDir as defaultFixturesDir, resultsDir as resultsRoot } from '../../../stack/paths.js';
import { UsageError } from '../../../core/usage-error.js';
import type { TargetKind } from '../../../core/target-kind.js';
import { externalTargetFromEnv } from '../target-config.js';
import { CloudPlanError, writeCloudRun, type CloudRunPlan } from './artillery-cloud.js';
import { checkCloudInputs, type CloudOptions } from './cloud-inputs.js';

export interface CloudDryRunOptions {
  scenario: string;
  profile: string;
  cloud: CloudOptions;
  influxUrl?: string;
  kind?: TargetKind;
  fixturesDir?: string;
  env?: NodeJS.ProcessEnv;
}

export async function cloudDryRun(opts: CloudDryRunOptions): Promise<{ runId: string; resultsDir: string; plan: CloudRunPlan }> {
  const env = opts.env ?? process.env;
  if (!isProfileName(opts.profile)) throw new UsageError(`unknown profile '${opts.profile}'`);
  const external = externalTargetFromEnv(env, opts.kind);
  checkCloudInputs({ cloud: opts.cloud, engine: 'artillery', scenario: opts.scenario, external: external !== null, influxUrl: opts.influxUrl });
  const scale = (name: string) => {
    const raw = env[name]?.trim();
    const n = raw ? Number(raw) : 1;
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got '${raw}'`);
    return n;
  };
  const runId = newRunId(opts.scenario);
  const resultsDir = join(resultsRoot, runId);
  const fixturesDir = opts.fixturesDir ?? defaultFixturesDir;
  let influxEnv: Record<string, string>;
  try {
    influxEnv = engineInfluxOutput(opts.influxUrl!, { runId, profile: opts.profile, database: 'k6', extraTags: { target_kind: external!.kind } }).env;
  } catch (err) {
    throw new UsageError(`--influx-url: ${(err as Error).message}`);
  }
  const loadEnv: Record<string, string> = {
    TARGET_URL: external!.url, TARGET_KIND: external!.kind, API_KEY: external!.apiKey, STRIPE_WEBHOOK_SECRET: external!.webhookSecret,
    PROFILE: opts.profile, RUN_ID: runId,
    ...Object.fromEntries(['MOSHPIT_DURATION_SCALE', 'MOSHPIT_RATE_SCALE', 'MOSHPIT_TEST_PREFIX'].filter((k) => env[k]).map((k) => [k, env[k]!])),
    ...influxEnv,
  };
  try {
    const { plan } = writeCloudRun({
      platform: opts.cloud.platform, count: opts.cloud.count, region: opts.cloud.region, runId, scenario: opts.scenario, profile: opts.profile,
      scale: { duration: scale('MOSHPIT_DURATION_SCALE'), rate: scale('MOSHPIT_RATE_SCALE') }, targetUrl: external!.url,
      resultsDir, fixturesDir, processorFile: await buildArtilleryProcessor(), env: loadEnv,
    });
    process.stdout.write([
      `dry run ${runId}: ${plan.workers.length} Artillery ${plan.command} run(s), ${plan.count} shard(s), against ${redactUrl(external!.url)}; nothing was launched.`,
      `  files:    ${join(resultsDir, 'cloud')}/ (bundle/, cloud-run.json, commands.sh)`,
      `  streams:  back from ${redactUrl(plan.influx.url)} database ${plan.influx.database}, by run id ${runId}`,
      `  secrets:  ${plan.secrets.names.join(', ')} via ${plan.secrets.via}`,
      '',
    ].join('\n'));
    return { runId, resultsDir, plan };
  } catch (err) {
    if (err instanceof CloudPlanError) throw new UsageError(err.message);
    throw err;
  }
}
