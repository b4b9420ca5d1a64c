// `moshpit k8s manifest`: a k6-operator TestRun (k6.io/v1alpha1) and its ConfigMap, checked
// structurally through the real CLI (no cluster here): the fields k6-operator's CRD defines,
// the bundle and fixtures in the ConfigMap, the image the user named, outputs tagged with the
// run id, secrets by reference only, and the 1 MiB ConfigMap limit refused with exit 2.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../core/usage-error.js';
import { CONFIGMAP_LIMIT_BYTES, ConfigMapTooBig, k6OperatorManifests, k8sName } from '../../cli/pipeline/platform/k6-operator.js';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';

const work = mkdtempSync(join(tmpdir(), 'mp-k8s-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const fixtures = join(work, 'fixtures');
mkdirSync(fixtures);
writeFileSync(join(fixtures, 'manifest.json'), '{"prefix":"k6-test-","wallets":1}\n');
writeFileSync(join(fixtures, 'wallets.json'), '[{"id":"k6-test-w-000001","opening_balance_cents":2500}]\n');
writeFileSync(join(fixtures, 'gateways.json'), '[{"id":"k6-test-gateway-door-1","name":"Door 1"}]\n');

const SECRET = 'whsec_never_in_a_manifest_55';
const env = { ...process.env, MOSHPIT_RESULTS_DIR: join(work, 'results'), TARGET_URL: 'https://staging.example.org', API_KEY: 'key-never-in-a-manifest', STRIPE_WEBHOOK_SECRET: SECRET };

function cli(args: string[], e: NodeJS.ProcessEnv = env) {
  return exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'k8s', ...args], { cwd: projectRoot, check: false, env: e });
}

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string> }; data?: Record<string, string>; spec?: Record<string, any> };

describe('moshpit k8s manifest', () => {
  it('writes a ConfigMap (bundle + fixtures) and a TestRun: parallelism, the named image, outputs tagged by run id', async () => {
    const out = join(work, 'out');
    const r = await cli(['manifest', 'entry', '--image', 'registry.example.org/k6:v2.2.0', '--parallelism', '4', '--namespace', 'load',
      '--influx-url', 'http://127.0.0.1:8086', '--separate', '--fixtures', fixtures, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(out, 'testrun.yaml'), 'utf8');
    const docs = parseAllDocuments(text).map((d) => { expect(d.errors).toEqual([]); return d.toJS() as Doc; });
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['v1 ConfigMap', 'k6.io/v1alpha1 TestRun']);
    const [cm, tr] = docs as [Doc, Doc];
    const runId = tr.metadata.labels['moshpit.run-id']!;
    expect(runId).toMatch(/^\d{8}-\d{6}-entry-[0-9a-f]{4}$/);
    expect(tr.metadata).toMatchObject({ name: `moshpit-${runId}`, namespace: 'load' });
    expect(cm.metadata).toMatchObject({ name: tr.metadata.name, namespace: 'load' });

    // The bundle is the one build/ makes, keyed by the file the TestRun runs; fixtures beside it.
    expect(Object.keys(cm.data!).sort()).toEqual(['entry.js', 'gateways.json', 'manifest.json', 'wallets.json']);
    expect(cm.data!['entry.js']).toBe(readFileSync(join(projectRoot, 'build', 'dist', 'entry.js'), 'utf8'));
    expect(cm.data!['wallets.json']).toBe(readFileSync(join(fixtures, 'wallets.json'), 'utf8'));

    const spec = tr.spec!;
    expect(Object.keys(spec).sort()).toEqual(['arguments', 'parallelism', 'runner', 'script', 'separate']);
    expect(spec).toMatchObject({ parallelism: 4, separate: true, script: { configMap: { name: cm.metadata.name, file: 'entry.js' } } });
    expect(spec.runner.image).toBe('registry.example.org/k6:v2.2.0');
    expect(spec.arguments.split(' ')).toEqual(expect.arrayContaining(['--out', 'influxdb=http://127.0.0.1:8086/k6', '--tag', `testid=${runId}`, 'profile=smoke', 'target_kind=rest']));
    // The next step after the TestRun: the global verdict, read back by this run id.
    expect(r.stdout).toContain(`verdict --from-influx http://127.0.0.1:8086 --db k6 --run-id ${runId} --profile smoke`);
    const runnerEnv = Object.fromEntries((spec.runner.env as Array<{ name: string; value?: string; valueFrom?: unknown }>).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(runnerEnv).toMatchObject({
      RUN_ID: runId, PROFILE: 'smoke', TARGET_URL: 'https://staging.example.org', TARGET_KIND: 'rest', FIXTURES_DIR: '/test', MOSHPIT_ALLOW_REMOTE: '1',
      K6_INFLUXDB_TAGS_AS_FIELDS: expect.stringContaining('vu:int'),
      API_KEY: { secretKeyRef: { name: 'moshpit-target', key: 'API_KEY' } },
      STRIPE_WEBHOOK_SECRET: { secretKeyRef: { name: 'moshpit-target', key: 'STRIPE_WEBHOOK_SECRET' } },
    });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('key-never-in-a-manifest');
  }, 120_000);

  it('refuses a ConfigMap over 1 MiB with exit 2 and advice, writing nothing', async () => {
    const big = join(work, 'big-fixtures');
    mkdirSync(big);
    writeFileSync(join(big, 'manifest.json'), '{}\n');
    // ~20,000 wallets: what a big seed writes, too much for a ConfigMap.
    writeFileSync(join(big, 'wallets.json'), `[\n${Array.from({ length: 20_000 }, (_, i) => `  {"id":"k6-test-w-${String(i).padStart(6, '0')}","opening_balance_cents":2500}`).join(',\n')}\n]\n`);
    const out = join(work, 'big-out');
    const r = await cli(['manifest', 'entry', '--image', 'grafana/k6:2.2.0', '--parallelism', '2', '--fixtures', big, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/over Kubernetes' 1 MiB limit .*Seed fewer wallets.*spec\.script\.localFile/s);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('needs the image, the parallelism, a target and fixtures (usage errors: exit 2)', async () => {
    // In-process (each CLI start costs seconds on a shared machine); the CLI's exit 2 for a
    // UsageError is shown by the oversized ConfigMap case above.
    const k8s = (await import('../../cli/commands/k8s.js')).default;
    const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
      [['manifest', 'entry', '--parallelism', '2', '--fixtures', fixtures], /--image is required/],
      [['manifest', 'entry', '--image', 'Not An Image', '--parallelism', '2', '--fixtures', fixtures], /is not an image reference/],
      [['manifest', 'entry', '--image', 'grafana/k6:2.2.0', '--fixtures', fixtures], /--parallelism is required/],
      [['manifest', 'entry', '--image', 'grafana/k6:2.2.0', '--parallelism', '2', '--fixtures', fixtures], /no target/, { ...env, TARGET_URL: '' }],
      [['manifest', 'entry', '--image', 'grafana/k6:2.2.0', '--parallelism', '2', '--fixtures', join(work, 'none')], /no fixtures/],
      [['manifest', 'chaos', '--image', 'grafana/k6:2.2.0', '--parallelism', '2'], /runs locally only/],
      [['apply', 'entry'], /unknown subcommand 'apply'/],
    ];
    const saved = process.env.TARGET_URL;
    try {
      for (const [args, message, e] of cases) {
        process.env.TARGET_URL = (e ?? env).TARGET_URL;
        await expect(k8s.run(args), args.join(' ')).rejects.toThrow(UsageError);
        await expect(k8s.run(args), args.join(' ')).rejects.toThrow(message);
      }
    } finally {
      if (saved === undefined) delete process.env.TARGET_URL; else process.env.TARGET_URL = saved;
    }
  }, 120_000);
});

describe('k6OperatorManifests', () => {
  const input = { runId: '20260101-120000-entry-abcd', scenario: 'entry', profile: 'smoke', parallelism: 2, image: 'grafana/k6:2.2.0', targetUrl: 'http://t', targetKind: 'rest', secretName: 's', bundle: 'x' };
  it('counts the ConfigMap\'s data against 1 MiB exactly', () => {
    const room = CONFIGMAP_LIMIT_BYTES - 'entry.js'.length - 1 - 'w.json'.length;
    expect(k6OperatorManifests({ ...input, fixtures: { 'w.json': 'y'.repeat(room) } }).configMapBytes).toBe(CONFIGMAP_LIMIT_BYTES);
    expect(() => k6OperatorManifests({ ...input, fixtures: { 'w.json': 'y'.repeat(room + 1) } })).toThrow(ConfigMapTooBig);
  });
  it('tags by run id without InfluxDB too', () => {
    const m = k6OperatorManifests({ ...input, fixtures: {} });
    expect((m.testRun.spec as { arguments: string }).arguments).toBe('--no-usage-report --tag testid=20260101-120000-entry-abcd --tag profile=smoke --tag target_kind=rest');
    expect(k8sName('Moshpit_Run.ID--')).toBe('moshpit-run-id');
  });
});
