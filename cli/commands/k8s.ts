// `moshpit k8s manifest <scenario>`: a k6-operator TestRun and its ConfigMap for your own k6 on
// your own cluster (cli/pipeline/platform/k6-operator.ts). Writes files; applies nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildScenario, scenarioNames } from '../../build/bundle.js';
import { isProfileName, PROFILE_NAMES } from '../../core/profiles.js';
import { newRunId } from '../../core/run-id.js';
import { fixturesDir as defaultFixturesDir, projectRoot, resultsDir } from '../../stack/paths.js';
import { redactUrl } from '../../core/redact.js';
import { UsageError } from '../../core/usage-error.js';
import { type Command } from '../command.js';
import { parseOptions, positiveInt } from '../options.js';
import { parseKind } from '../pipeline/target-config.js';
import { ConfigMapTooBig, k6OperatorManifests, SECRET_KEYS } from '../pipeline/platform/k6-operator.js';
import { FIXTURE_FILES } from '../../core/fixture-manifest.js';

/** An OCI image reference: [registry[:port]/]path[:tag][@digest]. */
const IMAGE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const usage = `usage: moshpit k8s manifest <scenario> --image IMAGE --parallelism N [options]

Writes a k6-operator TestRun (k6.io/v1alpha1) and a ConfigMap with the scenario's k6 bundle and
the seeder's fixtures, for your own k6 on your own cluster. moshpit ships no k6 image: name the
runner image you build or trust (e.g. Grafana's own grafana/k6 image, pinned by tag or digest).

  --image IMAGE        the k6 runner image (required)
  --parallelism N      runner pods; the operator gives each its execution segment (required)
  --profile P          ${PROFILE_NAMES.join(' | ')} (default: pilot for full, else smoke)
  --target-url URL     the platform the pods load (default: TARGET_URL)
  --kind K             rest | supabase (default rest)
  --secret-name NAME   the Kubernetes Secret with ${SECRET_KEYS.join(' and ')} (default moshpit-target)
  --namespace NS       metadata.namespace of both objects
  --influx-url URL     k6's InfluxDB output as the pods reach it (--out influxdb=URL/k6, testid=<run id>)
  --separate           one runner per node (the operator's podAntiAffinity rule)
  --fixtures DIR       the seeder's fixtures (default: fixtures/)
  --out DIR            where to write (default: results/<run-id>/k8s/)

Exit 2, writing nothing, when the ConfigMap would pass Kubernetes' 1 MiB limit.`;

const command: Command = {
  summary: 'write a k6-operator TestRun + ConfigMap (your k6, your cluster) for a scenario',
  usage,
  async run(argv) {
    const { values, positionals } = parseOptions({
      args: argv,
      allowPositionals: true,
      options: {
        image: { type: 'string' }, parallelism: { type: 'string' }, profile: { type: 'string' },
        'target-url': { type: 'string' }, kind: { type: 'string' }, 'secret-name': { type: 'string' },
        namespace: { type: 'string' }, 'influx-url': { type: 'string' }, separate: { type: 'boolean' },
        fixtures: { type: 'string' }, out: { type: 'string' },
      },
    });
    const [sub, scenario, ...extra] = positionals;
    if (sub !== 'manifest') throw new UsageError(sub ? `unknown subcommand '${sub}' (k8s manifest)` : 'missing subcommand: k8s manifest <scenario>');
    if (!scenario || !scenarioNames().includes(scenario)) throw new UsageError(scenario ? `unknown scenario '${scenario}'; known: ${scenarioNames().join(', ')}` : 'missing scenario');
    if (scenario === 'chaos') throw new UsageError('the chaos scenario injects faults from this machine; it runs locally only');
    if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (!values.image) throw new UsageError('--image is required: the k6 runner image your cluster pulls (moshpit ships none)');
    if (!IMAGE.test(values.image)) throw new UsageError(`--image '${values.image}' is not an image reference`);
    if (values.parallelism === undefined) throw new UsageError('--parallelism is required: how many k6 runner pods split the load');
    const parallelism = positiveInt('parallelism', values.parallelism, 1);
    const profile = values.profile ?? (scenario === 'full' ? 'pilot' : 'smoke');
    if (!isProfileName(profile)) throw new UsageError(`unknown profile '${profile}'. Profiles: ${PROFILE_NAMES.join(', ')}`);
    const targetUrl = values['target-url'] ?? process.env.TARGET_URL;
    if (!targetUrl) throw new UsageError('no target: pass --target-url or set TARGET_URL (the platform as the pods reach it)');
    if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(targetUrl)) throw new UsageError(`target URL '${targetUrl}' is not an http(s) URL`);
    const secretName = values['secret-name'] ?? 'moshpit-target';
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(secretName)) throw new UsageError(`--secret-name '${secretName}' is not a Kubernetes name`);
    if (values.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.namespace)) throw new UsageError(`--namespace '${values.namespace}' is not a Kubernetes namespace name`);
    const fixturesDir = values.fixtures ?? defaultFixturesDir;
    const fixtureFiles = existsSync(fixturesDir) ? readdirSync(fixturesDir).filter((f) => f.endsWith('.json')).sort() : [];
    if (!fixtureFiles.includes(FIXTURE_FILES.manifest)) throw new UsageError(`no fixtures in ${fixturesDir}: seed your database first (moshpit seed --database-url ...)`);

    const runId = newRunId(scenario);
    const bundle = readFileSync((await buildScenario(scenario)).outfile, 'utf8');
    const env = Object.fromEntries(['MOSHPIT_DURATION_SCALE', 'MOSHPIT_RATE_SCALE', 'THRESHOLDS_JSON'].filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
    let manifests;
    try {
      manifests = k6OperatorManifests({
        runId, scenario, profile, parallelism, image: values.image, namespace: values.namespace, targetUrl: targetUrl.replace(/\/+$/, ''),
        targetKind: parseKind(values.kind, 'rest'), secretName, bundle, env, separate: values.separate,
        fixtures: Object.fromEntries(fixtureFiles.map((f) => [f, readFileSync(join(fixturesDir, f), 'utf8')])),
        influxUrl: values['influx-url'],
      });
    } catch (err) {
      if (err instanceof ConfigMapTooBig) throw new UsageError(err.message);
      if (values['influx-url'] && /InfluxDB|URL|loopback/.test((err as Error).message)) throw new UsageError(`--influx-url: ${(err as Error).message}`);
      throw err;
    }
    const outDir = values.out ?? join(resultsDir, runId, 'k8s');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, 'testrun.yaml');
    writeFileSync(file, manifests.yaml);
    const shown = relative(projectRoot, file).startsWith('..') ? file : relative(projectRoot, file);
    process.stdout.write([
      `run ${runId}: k6-operator TestRun, ${parallelism} runner(s) of ${values.image}, ConfigMap ${(manifests.configMapBytes / 1024).toFixed(0)} KiB of 1024`,
      `  ${shown}`,
      '',
      `  kubectl create secret generic ${secretName}${values.namespace ? ` -n ${values.namespace}` : ''} --from-literal=API_KEY=... --from-literal=STRIPE_WEBHOOK_SECRET=whsec_...`,
      `  kubectl apply -f ${shown}`,
      `  kubectl get testrun ${(manifests.testRun.metadata as { name: string }).name}${values.namespace ? ` -n ${values.namespace}` : ''} -w`,
      // The global verdict and validation, once the runners are done (cli/commands/verdict.ts).
      ...(values['influx-url'] ? [
        `  npm run moshpit -- verdict --from-influx ${redactUrl(values['influx-url'])} --db k6 --run-id ${runId} --profile ${profile} --database-url ...`,
        '    (when it is done; --from-influx as this machine reaches that InfluxDB)',
      ] : []),
      '',
    ].join('\n'));
    return 0;
  },
};
export default command;
