// Every scenario bundles for k6 (no Node built-ins, only k6 modules external) and type-checks
// against k6's types only (tsconfig.k6.json). With the user's k6 present, each bundle also
// loads in it (`k6 inspect`) and exports the exec functions its scenarios name; without one
// those tests are skipped and say why (moshpit never installs k6: AGPL-3.0).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertOnlyK6Imports, buildScenario, scenarioNames, type BundleReport } from '../../build/bundle.js';
import { SCENARIO_NAMES } from '../../core/profiles.js';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';
import { inertBundleEnv, K6_MISSING, k6Binary, runK6, writeSyntheticFixtures } from './k6-helpers.js';
import { ConfigError } from '../../lib/config.js';
import { initRuntime } from '../../lib/runtime.js';
import { nodeFixtureSource } from '../../lib/bindings/artillery/workload.js';

const work = mkdtempSync(join(tmpdir(), 'mp-k6-bundles-'));
const fixtures = writeSyntheticFixtures(join(work, 'fixtures'));
let k6: string;
const reports = new Map<string, BundleReport>();

beforeAll(async () => {
  if (!K6_MISSING) k6 = await k6Binary();
  for (const name of scenarioNames()) reports.set(name, await buildScenario(name));
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Inspected { scenarios: Record<string, { executor: string; exec: string; tags: Record<string, string> }>; thresholds: Record<string, unknown> }

async function inspect(bundle: string, env: Record<string, string>): Promise<{ code: number | null; options: Inspected | null; stderr: string }> {
  const r = await runK6(k6, ['inspect', '--include-system-env-vars', bundle], env);
  return { code: r.code, options: r.code === 0 ? (JSON.parse(r.stdout) as Inspected) : null, stderr: r.stderr };
}

// The profile table's scenarios, plus chaos, whose load shape comes from its fault plan.
const BUNDLED = [...SCENARIO_NAMES, 'chaos'];

describe('scenario bundles', () => {
  it('exist for exactly the scenarios core/profiles knows, plus chaos', () => {
    expect(scenarioNames()).toEqual([...BUNDLED].sort());
  });

  it.each(BUNDLED)('%s: only k6 modules stay external, nothing from Node', (name) => {
    const report = reports.get(name)!;
    const text = readFileSync(report.outfile, 'utf8');
    const imports = [...text.matchAll(/^import\s.*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports) expect(spec === 'k6' || spec.startsWith('k6/'), spec).toBe(true);
    expect(text).not.toMatch(/\brequire\(["'](node:|fs|path|crypto|os|child_process)/);
    expect(text).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,/);
    expect(report.inputs.some((f) => f.startsWith('node_modules/'))).toBe(false);
  });

  it('a metafile importing a Node built-in is refused', () => {
    const metafile = { inputs: { 'lib/x.ts': { bytes: 1, imports: [{ path: 'node:fs', kind: 'import-statement' }] } }, outputs: { 'build/dist/x.js': { bytes: 1, inputs: {}, imports: [{ path: 'fs', kind: 'import-statement', external: true }], exports: [] } } } as unknown as Metafile;
    expect(() => assertOnlyK6Imports('x', metafile)).toThrow(/node:fs.*k6 has no Node built-ins/s);
  });

  it('fixtures too small for the profile are refused before any load (the orchestrator runs the same check)', () => {
    const tiny = writeSyntheticFixtures(join(work, 'tiny-node'), 8);
    const env = inertBundleEnv(tiny);
    expect(() => initRuntime('concession', env, nodeFixtureSource(tiny))).toThrow(ConfigError);
    expect(() => initRuntime('concession', env, nodeFixtureSource(tiny))).toThrow(/seed more wallets/);
  });
});

if (K6_MISSING) console.log(`test/k6/bundles: k6 inspect tests skipped: ${K6_MISSING}`);
describe.skipIf(K6_MISSING !== null)('scenario bundles in the user\'s k6', () => {
  it.each([...SCENARIO_NAMES])('%s: loads in real k6 and every k6 scenario runs an exported function', async (name) => {
    const report = reports.get(name)!;
    const { code, options, stderr } = await inspect(report.outfile, inertBundleEnv(fixtures));
    expect(code, stderr).toBe(0);
    const scenarios = Object.entries(options!.scenarios);
    expect(scenarios.length).toBeGreaterThan(0);
    const source = readFileSync(report.outfile, 'utf8');
    for (const [, s] of scenarios) {
      expect(source).toMatch(new RegExp(`export\\s*\\{[^}]*\\b${s.exec}\\b`));
      expect(s.tags.flow).toBeTruthy();
    }
    // k6 keeps only the abort guards; the verdict is moshpit's, from the merged stream.
    expect(Object.keys(options!.thresholds)).toEqual(expect.arrayContaining(['http_req_failed', 'success_rate', 'balance_errors']));
  });

  it('entry runs one constant-arrival-rate k6 scenario per door', async () => {
    const { options } = await inspect(reports.get('entry')!.outfile, inertBundleEnv(fixtures));
    expect(Object.keys(options!.scenarios).sort()).toEqual(['entry_door_1', 'entry_door_2']);
    for (const s of Object.values(options!.scenarios)) expect(s).toMatchObject({ executor: 'constant-arrival-rate', exec: 'entryVisit' });
  });

  it('full runs every workload', async () => {
    const { options } = await inspect(reports.get('full')!.outfile, inertBundleEnv(fixtures));
    const execs = new Set(Object.values(options!.scenarios).map((s) => s.exec));
    expect([...execs].sort()).toEqual(['browseWallets', 'concessionOrder', 'entryVisit', 'reentryVisit', 'walletFunding']);
  });

  it('THRESHOLDS_JSON overrides reach the abort guards', async () => {
    const env = { ...inertBundleEnv(fixtures), THRESHOLDS_JSON: JSON.stringify({ moshpit_entry_duration: [{ threshold: 'p(95)<123', abortOnFail: true }], http_req_failed: null }) };
    const { options, stderr } = await inspect(reports.get('entry')!.outfile, env);
    expect(options, stderr).not.toBeNull();
    expect(options!.thresholds.moshpit_entry_duration).toEqual([{ threshold: 'p(95)<123', abortOnFail: true }]);
    expect(options!.thresholds.http_req_failed).toBeUndefined();
  });

  it('a bad environment fails in init with every problem listed', async () => {
    const env = { TARGET_URL: 'http://10.1.2.3:80', RUN_ID: 'has:colon', FIXTURES_DIR: 'relative/dir', PROFILE: 'nope' };
    const { code, stderr } = await inspect(reports.get('funding')!.outfile, env);
    expect(code).not.toBe(0);
    for (const fragment of ['not loopback', 'API_KEY is required', 'PROFILE must be one of', 'RUN_ID must match', 'FIXTURES_DIR must be absolute', 'STRIPE_WEBHOOK_SECRET is required']) {
      expect(stderr).toContain(fragment);
    }
    // Inline source maps: the stack trace names the TypeScript source.
    expect(stderr).toMatch(/lib\/config\.ts:\d+/);
  });

  it('missing fixtures are named', async () => {
    const { code, stderr } = await inspect(reports.get('entry')!.outfile, inertBundleEnv(join(work, 'nowhere')));
    expect(code).not.toBe(0);
    expect(stderr).toContain('cannot read fixture');
  });

  it('fixtures too small for the profile are refused', async () => {
    const tiny = writeSyntheticFixtures(join(work, 'tiny'), 8);
    const { code, stderr } = await inspect(reports.get('concession')!.outfile, inertBundleEnv(tiny));
    expect(code).not.toBe(0);
    expect(stderr).toContain('seed more wallets');
  });

});

describe('tsconfig.k6.json', () => {
  it('type-checks lib, scenarios and core against k6 types only', async () => {
    const tsc = join(projectRoot, 'node_modules', '.bin', 'tsc');
    const r = await exec(tsc, ['--noEmit', '-p', join(projectRoot, 'tsconfig.k6.json')], { check: false, cwd: projectRoot });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(projectRoot, 'tsconfig.k6.json'), 'utf8')) as { compilerOptions: { types: string[] }; include: string[] };
    expect(config.compilerOptions.types).toEqual(['k6']);
    expect(config.include.sort()).toEqual(['core', 'lib', 'scenarios']);
  }, 120_000);
});
