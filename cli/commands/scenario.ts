// `moshpit scenario <name>`: pre-flight → load (Artillery, or the user's k6) → verdict from the
// merged metrics stream → money validation, against the embedded stack or your deployment.
import { DEFAULT_ENGINE, ENGINES, type EngineName } from '../../core/engine-plan.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { parseDefects, positiveInt, parseOptions } from '../options.js';
import { parseKind } from '../pipeline/target-config.js';
import { runScenario } from '../pipeline/run-scenario.js';
import { CLOUD_PLATFORMS, parsePlatform } from '../pipeline/platform/artillery-cloud.js';
import type { CloudOptions } from '../pipeline/platform/cloud-inputs.js';
import { parseSlowWindows } from '../pipeline/slow-windows.js';

/** --influx-url / MOSHPIT_INFLUX_URL: that server; --influx / MOSHPIT_INFLUX=1: this checkout's own. */
function influxChoice(flag: boolean | undefined, url: string | undefined): { url?: string } | null {
  const chosenUrl = url ?? process.env.MOSHPIT_INFLUX_URL;
  if (chosenUrl) return { url: chosenUrl };
  return flag || process.env.MOSHPIT_INFLUX === '1' ? {} : null;
}

/** --engine / ENGINE=: artillery (default, installed by npm install) or k6 (your own binary). */
function engineChoice(raw: string | undefined): EngineName {
  const chosen = (raw ?? process.env.ENGINE ?? '').trim();
  if (chosen === '') return DEFAULT_ENGINE;
  if (!(ENGINES as readonly string[]).includes(chosen)) throw new UsageError(`unknown engine '${chosen}'. Engines: ${ENGINES.join(', ')}`);
  return chosen as EngineName;
}

export const SCENARIOS = ['entry', 'concession', 'funding', 'reentry', 'full', 'contention', 'chaos'] as const;

const command: Command = {
  summary: 'run a scenario: pre-flight, load, money validation, verdict',
  usage: [
    `usage: moshpit scenario <${SCENARIOS.join('|')}> [options]`,
    '',
    '  --engine E         artillery | k6: what generates the load (default: $ENGINE, else artillery).',
    '  --shards N         N load processes per workload side by side, splitting the wallets and the',
    '                     schedule (k6: execution segments); one merged verdict (default 1)',
    '                     Artillery is installed by npm install; k6 is your own binary (K6_BINARY or',
    '                     k6 on PATH, from Grafana\'s own channels: moshpit does not ship it)',
    '  --profile P        smoke | pilot | festival-day | peak | soak | breakpoint (default: $PROFILE,',
    '                     else pilot for full and smoke for the others)',
    '  --kind K           rest | supabase: which API surface to drive (default rest)',
    '  --defects a,b      start the embedded target with defect modes (see README)',
    '  --slow-ms N        embedded target adds N ms to every request',
    '  --slow-window W    embedded target adds MS ms to requests from AT to AT+FOR s after the load\'s',
    '                     start (t0): AT+FOR:MS, comma-separated, e.g. 10+5:2500 (proves an SLO tier fires)',
    '  --slo-bucket S     SLO tier bucket in seconds (default: $MOSHPIT_SLO_BUCKET_SECONDS, else 300,',
    '                     or a fifth of the run when it is shorter than 10 minutes)',
    '  --ci               CI mode (also CI=true): a page SLO tier fails the run; critical always does',
    '  --wallets N        wallets to seed in the embedded database (default 5000)',
    '  --capacity N       venue capacity to seed into the embedded database\'s festival settings',
    '  --prefix P         test-data prefix (default k6-test-)',
    '  --skip-preflight   do not run pre-flight first',
    '  --snapshot         pg_dump -Fc the database into results/<run>/snapshot/ before the load (over',
    '                     MOSHPIT_SNAPSHOT_FULL_MAX_MB, default 1024: schema and test data only)',
    '  --no-validate      skip the money validation after the load',
    '  --out URI          --engine k6 only: passed to k6 --out (e.g. influxdb=http://127.0.0.1:8086/k6);',
    '                     for either engine, --influx streams moshpit\'s metrics to InfluxDB',
    '  --influx           stream metrics, db monitor and annotations to this checkout\'s InfluxDB',
    '                     (started if needed; also MOSHPIT_INFLUX=1)',
    '  --influx-url URL   ... to that InfluxDB 1.x instead (also MOSHPIT_INFLUX_URL), e.g. Grafana\'s',
    '                     docker compose one: http://127.0.0.1:8086',
    '  --no-report        do not write results/<run-id>/report.html and report.md',
    '',
    'cloud runners (default engine; against your deployment; see README "Scaling out"):',
    '  --platform P       aws:fargate | azure:aci (also Artillery\'s names: aws:ecs, az:aci, fargate, aci):',
    '                     each shard and workload is one `artillery run-fargate|run-aci --count 1`',
    '  --count N          cloud shards, splitting wallets and schedule as --shards does (default 1)',
    '  --region R         the cloud region (Artillery\'s default otherwise)',
    '  --dry-run          write results/<run-id>/cloud/ (bundle, scripts, dotenvs, commands.sh) and stop',
    '                     Needs --influx-url: the shards\' streams come back from it by run id.',
    '',
    'chaos (the full load, pilot by default, with failure injection; see chaos/ and issue 5):',
    '  --faults F         db-latency,webhook-dup (default windows scaled to the run), NAME@30s+20s,',
    '                     default (every fault), none, inline JSON or a .json timeline file',
    '  --recovery-bound S seconds a fault may take to recover from (default 30)',
    '  --toxiproxy-url U  your Toxiproxy API for DB faults against your deployment (also TOXIPROXY_URL)',
    '  --toxiproxy-proxy P  the proxy in front of your database (also TOXIPROXY_PROXY)',
    '',
    'Target: the embedded stack unless TARGET_URL (REST) or SUPABASE_URL is set; see README.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseOptions({
      args: argv,
      allowPositionals: true,
      options: {
        engine: { type: 'string' },
        shards: { type: 'string' },
        profile: { type: 'string' },
        kind: { type: 'string' },
        defects: { type: 'string' },
        'slow-ms': { type: 'string' },
        'slow-window': { type: 'string' },
        'slo-bucket': { type: 'string' },
        ci: { type: 'boolean' },
        wallets: { type: 'string' },
        capacity: { type: 'string' },
        prefix: { type: 'string' },
        'skip-preflight': { type: 'boolean' },
        snapshot: { type: 'boolean' },
        'no-validate': { type: 'boolean' },
        out: { type: 'string', multiple: true },
        influx: { type: 'boolean' },
        'influx-url': { type: 'string' },
        'no-report': { type: 'boolean' },
        quiet: { type: 'boolean' },
        faults: { type: 'string' },
        'recovery-bound': { type: 'string' },
        'toxiproxy-url': { type: 'string' },
        'toxiproxy-proxy': { type: 'string' },
        platform: { type: 'string' },
        count: { type: 'string' },
        region: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    });
    const [scenario, ...extra] = positionals;
    if (!scenario || !(SCENARIOS as readonly string[]).includes(scenario)) {
      throw new UsageError(scenario ? `unknown scenario '${scenario}'` : 'missing scenario name');
    }
    if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const { PROFILE_NAMES } = await import('../../core/profiles.js');
    const profile = values.profile ?? process.env.PROFILE ?? (scenario === 'full' || scenario === 'chaos' ? 'pilot' : 'smoke');
    if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
      throw new UsageError(`unknown profile '${profile}'. Profiles: ${PROFILE_NAMES.join(', ')}`);
    }
    // These shape the embedded stack; silently ignoring them against a deployment would test the wrong thing.
    const embeddedOnly = (['capacity', 'defects', 'slow-ms', 'slow-window', 'wallets'] as const).filter((f) => values[f] !== undefined);
    if (embeddedOnly.length && (process.env.TARGET_URL || process.env.SUPABASE_URL)) {
      throw new UsageError(`--${embeddedOnly.join(', --')}: only for the embedded target; an external target (TARGET_URL/SUPABASE_URL) is neither started nor seeded by moshpit`);
    }
    const engine = engineChoice(values.engine);
    if (values.out?.length && engine !== 'k6') {
      throw new UsageError(`--out is passed to k6's own outputs and works with --engine k6 only (this run's engine: ${engine}); use --influx or --influx-url to stream the metrics of either engine to InfluxDB`);
    }
    const cloudFlags = (['count', 'region', 'dry-run'] as const).filter((f) => values[f] !== undefined);
    if (values.platform === undefined && cloudFlags.length) throw new UsageError(`--${cloudFlags[0]} goes with --platform`);
    let cloud: CloudOptions | undefined;
    if (values.platform !== undefined) {
      const platform = parsePlatform(values.platform);
      if (!platform) throw new UsageError(`unknown platform '${values.platform}'. Platforms: ${CLOUD_PLATFORMS.join(', ')} (or Artillery's aws:ecs, az:aci)`);
      cloud = { platform, count: values.count === undefined ? 1 : positiveInt('count', values.count, 1), ...(values.region ? { region: values.region } : {}) };
      if (values['dry-run']) {
        const { cloudDryRun } = await import('../pipeline/platform/cloud-dry-run.js');
        await cloudDryRun({ scenario, profile, cloud, influxUrl: values['influx-url'] ?? process.env.MOSHPIT_INFLUX_URL, kind: values.kind === undefined ? undefined : parseKind(values.kind, 'rest') });
        return 0;
      }
    }
    const slowMs = values['slow-ms'] === undefined ? 0 : positiveInt('slow-ms', values['slow-ms'], 0);
    const slowWindows = values['slow-window'] === undefined ? undefined : parseSlowWindows(values['slow-window']);
    const chaosFlags = ['faults', 'recovery-bound', 'toxiproxy-url', 'toxiproxy-proxy'] as const;
    if (scenario !== 'chaos' && chaosFlags.some((f) => values[f] !== undefined)) throw new UsageError(`--${chaosFlags.find((f) => values[f] !== undefined)} is for the chaos scenario`);
    const chaos = scenario === 'chaos' ? await import('../pipeline/chaos-run.js') : null;
    const plan = chaos?.planChaos({
      faults: values.faults,
      profile,
      recoveryBoundS: values['recovery-bound'] === undefined ? undefined : positiveInt('recovery-bound', values['recovery-bound'], 30),
      external: Boolean(process.env.TARGET_URL || process.env.SUPABASE_URL),
      toxiproxyUrl: values['toxiproxy-url'],
      toxiproxyProxy: values['toxiproxy-proxy'],
    });
    const result = await runScenario({
      scenario,
      profile,
      engine,
      shards: values.shards === undefined ? 1 : positiveInt('shards', values.shards, 1),
      kind: parseKind(values.kind, 'rest'),
      defects: await parseDefects(values.defects),
      slowMs,
      slowWindows,
      sloBucketSeconds: values['slo-bucket'] === undefined ? undefined : positiveInt('slo-bucket', values['slo-bucket'], 300),
      ci: values.ci ? true : undefined,
      wallets: values.wallets === undefined ? undefined : positiveInt('wallets', values.wallets, 5000),
      venueCapacity: values.capacity === undefined ? undefined : positiveInt('capacity', values.capacity, 1),
      prefix: values.prefix,
      preflight: !values['skip-preflight'],
      snapshot: values.snapshot === true,
      validate: !values['no-validate'],
      k6Args: (values.out ?? []).flatMap((o) => ['--out', o]),
      influx: influxChoice(values.influx, values['influx-url']),
      report: !values['no-report'],
      quiet: values.quiet,
      ...(cloud ? { cloud } : {}),
      ...(chaos && plan ? { chaos: chaos.chaosEnvFor(plan), aroundLoad: chaos.chaosLoadHook(plan), stack: { toxiproxy: plan.needsDbProxy } } : {}),
    });
    return result.exitCode;
  },
};
export default command;
