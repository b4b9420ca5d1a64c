// A k6-operator TestRun (apiVersion k6.io/v1alpha1) for the user's own k6 on their own
// Kubernetes cluster: `parallelism` runner pods (the operator hands each its execution
// segment, so they split the schedule as local k6 shards do), the scenario bundle and the
// seeder's fixtures in one ConfigMap (mounted at /test by the operator), the runner image the
// user names, and every output tagged with the run id. Secrets are referenced from a
// Kubernetes Secret, never written.
import { stringify } from 'yaml';
import { k6InfluxArgs } from '../../../monitoring/influx/k6-output.js';

export const TESTRUN_API_VERSION = 'k6.io/v1alpha1';
/** Kubernetes refuses a ConfigMap whose data exceeds 1 MiB. */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
/** Where k6-operator mounts the script's ConfigMap in every runner pod. */
export const OPERATOR_SCRIPT_DIR = '/test';
export const SECRET_KEYS = ['API_KEY', 'STRIPE_WEBHOOK_SECRET'] as const;

export interface K6OperatorInput {
  runId: string;
  scenario: string;
  profile: string;
  parallelism: number;
  image: string;
  namespace?: string;
  targetUrl: string;
  targetKind: string;
  /** The Kubernetes Secret holding API_KEY and STRIPE_WEBHOOK_SECRET. */
  secretName: string;
  /** The k6 bundle (build/dist/<scenario>.js). */
  bundle: string;
  /** Fixture file name -> content (the seeder's fixtures/*.json). */
  fixtures: Record<string, string>;
  /** k6's InfluxDB output (its own `--out influxdb=`), as the pods reach it. */
  influxUrl?: string;
  /** Extra environment for the runners (MOSHPIT_DURATION_SCALE, ...). */
  env?: Record<string, string>;
  /** Spread the runners over nodes (the operator's podAntiAffinity rule). */
  separate?: boolean;
}

export interface K6OperatorManifests {
  configMap: Record<string, unknown>;
  testRun: Record<string, unknown>;
  configMapBytes: number;
  /** Both documents, `---` separated: what `kubectl apply -f` takes. */
  yaml: string;
}

export class ConfigMapTooBig extends Error {
  constructor(readonly bytes: number, readonly parts: { bundle: number; fixtures: number }, name: string) {
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    super(
      `ConfigMap ${name} would hold ${kib(bytes)}, over Kubernetes' 1 MiB limit (bundle ${kib(parts.bundle)}, fixtures ${kib(parts.fixtures)}). ` +
      'Seed fewer wallets (moshpit seed --wallets N: about 58 bytes a wallet), or ship the bundle and fixtures in your runner image ' +
      '(TestRun spec.script.localFile) or on a volume (spec.script.volumeClaim) instead of a ConfigMap.',
    );
  }
}

/** A DNS-1123 name (lowercase, digits, '-', at most 63). */
export function k8sName(raw: string): string {
  const name = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  if (!name) throw new Error(`'${raw}' gives no Kubernetes name`);
  return name;
}

export function k6OperatorManifests(input: K6OperatorInput): K6OperatorManifests {
  const name = k8sName(`moshpit-${input.runId}`);
  const labels = { 'app.kubernetes.io/part-of': 'moshpit', 'moshpit.run-id': input.runId, 'moshpit.scenario': input.scenario };
  const metadata = (n: string) => ({ name: n, ...(input.namespace ? { namespace: input.namespace } : {}), labels });
  const scriptKey = `${input.scenario}.js`;
  const data: Record<string, string> = { [scriptKey]: input.bundle, ...input.fixtures };
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(name), data };
  const configMapBytes = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (configMapBytes > CONFIGMAP_LIMIT_BYTES) {
    const fixtures = Object.values(input.fixtures).reduce((n, v) => n + Buffer.byteLength(v), 0);
    throw new ConfigMapTooBig(configMapBytes, { bundle: Buffer.byteLength(input.bundle), fixtures }, name);
  }

  // Run tags on every sample (k6 replaces the script's tags with the CLI's): testid is the run id.
  const influx = input.influxUrl
    ? k6InfluxArgs(input.influxUrl, { runId: input.runId, profile: input.profile, extraTags: { target_kind: input.targetKind } })
    : { args: ['--tag', `testid=${input.runId}`, '--tag', `profile=${input.profile}`, '--tag', `target_kind=${input.targetKind}`], env: {} };
  const plainEnv: Record<string, string> = {
    TARGET_URL: input.targetUrl,
    TARGET_KIND: input.targetKind,
    PROFILE: input.profile,
    RUN_ID: input.runId,
    FIXTURES_DIR: OPERATOR_SCRIPT_DIR,
    MOSHPIT_ALLOW_REMOTE: '1',
    K6_NO_USAGE_REPORT: 'true',
    ...(input.env ?? {}),
    ...influx.env,
  };
  const env = [
    ...Object.entries(plainEnv).map(([n, value]) => ({ name: n, value })),
    ...SECRET_KEYS.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: input.secretName, key } } })),
  ];
  const testRun = {
    apiVersion: TESTRUN_API_VERSION,
    kind: 'TestRun',
    metadata: metadata(name),
    spec: {
      parallelism: input.parallelism,
      ...(input.separate ? { separate: true } : {}),
      script: { configMap: { name, file: scriptKey } },
      arguments: ['--no-usage-report', ...influx.args].join(' '),
      runner: { image: input.image, env, metadata: { labels } },
    },
  };
  const yaml = `${stringify(configMap, { lineWidth: 0 })}---\n${stringify(testRun, { lineWidth: 0 })}`;
  return { configMap, testRun, configMapBytes, yaml };
}
