// `moshpit verdict --from-influx URL --run-id ID`: the global verdict of a run whose load ran
// elsewhere and wrote its samples to InfluxDB through k6's own output (the k6-operator TestRun of
// `moshpit k8s manifest`). Reads every runner's samples back by run id into
// results/<run-id>/streams/, judges the thresholds on their merge (run-verdict.ts), and validates
// the money against the database once, exiting as a scenario run does.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { EXIT } from '../../core/exit-codes.js';
import { isProfileName, PROFILES, PROFILE_NAMES, SCENARIO_WORKLOADS, type ScenarioName } from '../../core/profiles.js';
import { RUN_DIRS } from '../../core/results-layout.js';
import { redactUrl, redactUrlsIn } from '../../core/redact.js';
import type { SloPolicy } from '../../core/slo-tiers.js';
import { applyThresholdOverrides, defaultThresholds, parseThresholdOverrides, sloBucketSecondsFor, type ThresholdOverrides } from '../../core/thresholds.js';
import { UsageError } from '../../core/usage-error.js';
import { InfluxClient } from '../../monitoring/influx/influx-client.js';
import { NoK6SamplesError, readK6RunFromInflux, unknownMetricsNote } from '../../monitoring/influx/k6-readback.js';
import { checkInfluxUrl } from '../../monitoring/influx/loopback.js';
import { writeStreams } from '../../monitoring/influx/stream-readback.js';
import { progress } from '../../stack/progress.js';
import { resultsDir as defaultResultsDir } from '../../stack/paths.js';
import { DEFAULT_PREFIX } from '../../validate/scope.js';
import type { Command } from '../command.js';
import { parseOptions } from '../options.js';
import { resolveDatabaseUrl } from '../pipeline/resolve-target.js';
import { judgeRun } from '../pipeline/run-verdict.js';
import { validateRun } from '../pipeline/steps.js';
import { parseKind } from '../pipeline/target-config.js';

const usage = `usage: moshpit verdict --from-influx URL --run-id ID [options]

The global verdict of a k6-operator run (moshpit k8s manifest ... --influx-url URL): reads every
runner's samples back from k6's InfluxDB output by run id (tag testid) into
results/<run-id>/streams/, evaluates the thresholds on their merge (summary.json, summary.md,
junit.xml), then validates the money against your database once.

  --from-influx URL     InfluxDB base URL as this machine reaches it (non-loopback needs MOSHPIT_ALLOW_REMOTE=1)
  --db NAME             InfluxDB database k6 wrote to (default k6)
  --run-id ID           the run id moshpit k8s manifest printed (the samples' testid tag)
  --scenario S          the scenario (default: read from the run id)
  --profile P           ${PROFILE_NAMES.join(' | ')} (default: pilot for full, else smoke, as k8s manifest)
  --kind K              rest | supabase (default rest), for the summary
  --target-url URL      the platform the runners loaded, for the summary (default: TARGET_URL)
  --database-url URL    the database to validate (default: DATABASE_URL)
  --prefix P            test-data prefix (default: MOSHPIT_TEST_PREFIX or ${DEFAULT_PREFIX})
  --no-validate         judge the thresholds only
  --influx-user U       InfluxDB user (password from MOSHPIT_INFLUX_PASSWORD)
  --ci                  CI mode for the SLO tiers (a page fails the run too; also CI=true)
  --slo-bucket S        SLO tier bucket in seconds (default: MOSHPIT_SLO_BUCKET_SECONDS, else from the run's length)

The SLO tiers are judged per bucket from the first sample, as for a local run
(MOSHPIT_SLO_POLICY=report reports them only).

Exit 0 thresholds held and the money checks passed; 99 thresholds breached (or an SLO tier failed the run); 4 validation found
violations; 3 InfluxDB or the database unreachable, or no samples for the run id (nothing judged);
2 bad arguments (nothing contacted).`;

/** The scenario in a run id newRunId made: <yyyymmdd>-<hhmmss>-<scenario>-<hex4>. */
function scenarioOfRunId(runId: string): string | null {
  return /^\d{8}-\d{6}-(.+)-[0-9a-f]{4}$/.exec(runId)?.[1] ?? null;
}

async function databaseReachable(databaseUrl: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return redactUrlsIn((err as Error).message);
  } finally {
    await client.end().catch(() => {});
  }
}

const command: Command = {
  summary: 'global verdict + validation of a k6-operator run, read back from InfluxDB by run id',
  usage,
  async run(argv) {
    const { values } = parseOptions({
      args: argv,
      options: {
        'from-influx': { type: 'string' }, db: { type: 'string' }, 'run-id': { type: 'string' }, scenario: { type: 'string' },
        profile: { type: 'string' }, kind: { type: 'string' }, 'target-url': { type: 'string' }, 'database-url': { type: 'string' },
        prefix: { type: 'string' }, 'no-validate': { type: 'boolean' }, 'influx-user': { type: 'string' },
        ci: { type: 'boolean' }, 'slo-bucket': { type: 'string' },
      },
    });
    // ---- every input is checked before anything is contacted or written ----
    const rawUrl = values['from-influx'];
    if (!rawUrl) throw new UsageError('--from-influx is required: the InfluxDB the k6 runners wrote to');
    try {
      checkInfluxUrl(rawUrl);
    } catch (err) {
      throw new UsageError(`--from-influx: ${(err as Error).message}`);
    }
    const database = values.db ?? 'k6';
    if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new UsageError(`--db '${database}' is not an InfluxDB database name`);
    const runId = values['run-id'];
    if (!runId) throw new UsageError('--run-id is required: the run id moshpit k8s manifest printed');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(runId)) throw new UsageError(`--run-id '${runId}' is not a run id`);
    const scenario = values.scenario ?? scenarioOfRunId(runId);
    if (!scenario) throw new UsageError(`--scenario is required: '${runId}' does not name one`);
    if (!(scenario in SCENARIO_WORKLOADS)) throw new UsageError(`unknown scenario '${scenario}'; known: ${Object.keys(SCENARIO_WORKLOADS).join(', ')}`);
    const profile = values.profile ?? (scenario === 'full' ? 'pilot' : 'smoke');
    if (!isProfileName(profile)) throw new UsageError(`unknown profile '${profile}'. Profiles: ${PROFILE_NAMES.join(', ')}`);
    const targetKind = parseKind(values.kind, 'rest');
    let overrides: ThresholdOverrides = {};
    if (process.env.THRESHOLDS_JSON?.trim()) {
      try {
        overrides = parseThresholdOverrides(process.env.THRESHOLDS_JSON);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const thresholds = applyThresholdOverrides(defaultThresholds(SCENARIO_WORKLOADS[scenario as ScenarioName], PROFILES[profile]), overrides);
    const validate = !values['no-validate'];
    const databaseUrl = validate ? resolveDatabaseUrl(values['database-url']) : undefined;
    if (validate && !databaseUrl) throw new UsageError('no database to validate: pass --database-url or set DATABASE_URL (or --no-validate to judge the thresholds only)');
    const targetUrl = values['target-url'] ?? process.env.TARGET_URL;
    const rawBucket = values['slo-bucket'] ?? process.env.MOSHPIT_SLO_BUCKET_SECONDS?.trim();
    const givenBucket = rawBucket ? (/^[0-9]+$/.test(rawBucket) ? Number(rawBucket) : NaN) : null;
    if (givenBucket !== null && (!Number.isSafeInteger(givenBucket) || givenBucket < 1)) throw new UsageError(`the SLO bucket must be a positive whole number of seconds, got '${rawBucket}'`);
    const rawPolicy = process.env.MOSHPIT_SLO_POLICY?.trim() || 'enforce';
    if (rawPolicy !== 'enforce' && rawPolicy !== 'report') throw new UsageError(`MOSHPIT_SLO_POLICY must be enforce or report, got '${rawPolicy}'`);
    const sloPolicy: SloPolicy = { ci: values.ci === true || process.env.CI === 'true', enforce: rawPolicy === 'enforce' };

    // ---- both ends reachable, and the run's samples there, before anything is written ----
    if (databaseUrl) {
      const down = await databaseReachable(databaseUrl);
      if (down) {
        progress(`NOT READY: the database cannot be reached (${down}); nothing was judged`);
        return EXIT.notReady;
      }
    }
    const client = new InfluxClient({ url: rawUrl, database, username: values['influx-user'], password: process.env.MOSHPIT_INFLUX_PASSWORD });
    let readback;
    try {
      readback = await readK6RunFromInflux(client, runId, database);
    } catch (err) {
      // Unreachable, refused, or no samples (a wrong id, or a TestRun that has not written yet):
      // nothing to judge, so NOT READY rather than a verdict.
      const what = err instanceof NoK6SamplesError ? '' : 'InfluxDB: ';
      progress(`NOT READY: ${what}${redactUrlsIn((err as Error).message)}; nothing was judged`);
      return EXIT.notReady;
    }

    const resultsDir = join(defaultResultsDir, runId);
    const streamsDir = join(resultsDir, RUN_DIRS.streams);
    // A previous readback of this run is replaced whole, so no stale runner stream is merged in.
    if (existsSync(streamsDir)) for (const f of readdirSync(streamsDir)) if (f.endsWith('.jsonl')) rmSync(join(streamsDir, f));
    mkdirSync(resultsDir, { recursive: true });
    writeStreams(resultsDir, readback.streams);
    progress(`verdict: ${readback.points} samples of run ${runId} read back from InfluxDB into ${readback.streams.length} stream(s)`);
    const note = unknownMetricsNote(readback.unknownMetrics);
    // The run's t0 is its first sample; its length, first to last sample, sizes the buckets.
    const starts = readback.streams.map((st) => (st.records[0]?.type === 'start' ? st.records[0].startedAt : Infinity));
    const ends = readback.streams.map((st) => { const last = st.records.at(-1); return last?.type === 'end' ? last.endedAt : -Infinity; });
    const t0Ms = Math.min(...starts);
    const bucketSeconds = givenBucket ?? sloBucketSecondsFor(Math.max(1, (Math.max(...ends) - t0Ms) / 1000));
    const verdict = judgeRun({
      resultsDir, engine: 'k6', thresholds, notes: note ? [note] : [], slo: { bucketSeconds, t0Ms, policy: sloPolicy },
      run: { runId, scenario, profile, targetKind, targetUrl: targetUrl ? redactUrl(targetUrl) : 'unknown (k6-operator runners)' },
      extra: { readback: { from: 'influxdb', database, points: readback.points, unknownMetrics: readback.unknownMetrics } },
    });
    process.stdout.write(verdict.text);
    const sloOk = verdict.slo?.ok ?? true;

    let validation: 'passed' | 'failed' | 'skipped' = 'skipped';
    if (databaseUrl) {
      validation = (await validateRun({ databaseUrl, prefix: values.prefix ?? process.env.MOSHPIT_TEST_PREFIX ?? DEFAULT_PREFIX, runId, resultsDir })) ? 'passed' : 'failed';
    }
    const exitCode = !verdict.thresholdsOk || !sloOk ? EXIT.thresholds : validation === 'failed' ? EXIT.validationFailed : EXIT.ok;
    progress(`${exitCode === EXIT.ok ? 'PASS' : 'FAIL'} ${runId}: thresholds ${verdict.thresholdsOk ? 'passed' : 'breached'}${sloOk ? '' : ', SLO tier failed the run'}, validation ${validation}`);
    return exitCode;
  },
};
export default command;
