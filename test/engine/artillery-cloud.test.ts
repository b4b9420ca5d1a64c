// `moshpit scenario <name> --platform P --count N --dry-run`: what Artillery's cloud runners
// would get, checked structurally through the real CLI (there is no cloud here): one run per
// shard and workload, scripts whose phases add up to the whole schedule, dotenvs Artillery's
// own parser reads, no secret in the results folder, the commands as Artillery takes them.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UsageError } from '../../core/usage-error.js';
import { PROFILES } from '../../core/profiles.js';
import type { ProcessPlan } from '../../core/engine-plan.js';
import { artilleryProcesses } from '../../cli/pipeline/engine/artillery-plan.js';
import { workloadLoads } from '../../cli/pipeline/engine/workload-loads.js';
import { parsePlatform, writeCloudRun, type CloudRunPlan } from '../../cli/pipeline/platform/artillery-cloud.js';
import { buildArtilleryProcessor } from '../../build/processor-bundle.js';
import { engineInfluxOutput } from '../../monitoring/influx/engine-output.js';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';

const work = mkdtempSync(join(tmpdir(), 'mp-cloud-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const results = join(work, 'results');
const fixtures = join(work, 'fixtures');
mkdirSync(fixtures, { recursive: true });
writeFileSync(join(fixtures, 'manifest.json'), '{"prefix":"k6-test-","wallets":2}\n');
writeFileSync(join(fixtures, 'wallets.json'), '[{"id":"k6-test-w-000001","opening_balance_cents":2500}]\n');

const API_KEY = 'api-key-never-written-7f3a';
const WEBHOOK_SECRET = 'whsec_never_written_91c2';
const baseEnv = {
  ...process.env, MOSHPIT_RESULTS_DIR: results, MOSHPIT_FIXTURES_DIR: fixtures,
  TARGET_URL: 'http://127.0.0.1:9', API_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, MOSHPIT_DURATION_SCALE: '0.2',
};
delete (baseEnv as Record<string, unknown>).SUPABASE_URL;

function cli(args: string[], env: NodeJS.ProcessEnv = baseEnv) {
  return exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'scenario', ...args], { cwd: projectRoot, check: false, env });
}

/** Artillery's own dotenv parser (what run-fargate and run-aci read the file with). */
const dotenv = createRequire(createRequire(import.meta.url).resolve('artillery/package.json'))('dotenv') as { parse(text: string): Record<string, string> };

const allFiles = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? allFiles(join(dir, f)) : [join(dir, f)]));

describe('moshpit scenario --platform --dry-run', () => {
  let runDir: string;
  let plan: CloudRunPlan;

  it('writes the cloud run and launches nothing', async () => {
    const r = await cli(['full', '--profile', 'smoke', '--platform', 'aws:fargate', '--count', '2', '--region', 'eu-west-1', '--influx-url', 'http://127.0.0.1:8086', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing was launched/);
    const [runId] = readdirSync(results);
    runDir = join(results, runId!);
    plan = JSON.parse(readFileSync(join(runDir, 'cloud', 'cloud-run.json'), 'utf8')) as CloudRunPlan;
    expect(plan).toMatchObject({ platform: 'aws:fargate', command: 'run-fargate', count: 2, region: 'eu-west-1', runId, influx: { url: 'http://127.0.0.1:8086', database: 'k6' } });
    // Nothing ran: no streams, no summary, no stack state.
    expect(existsSync(join(runDir, 'streams'))).toBe(false);
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
  }, 120_000);

  it('one run per shard and workload, whose phases add up to the whole schedule', () => {
    const loads = workloadLoads('full', 'smoke', { duration: 0.2, rate: 1 }, null);
    const whole = artilleryProcesses({ runId: 'x', scenario: 'full', resultsDir: '/x', targetUrl: 'http://x', processorFile: 'p', loads, barrierDir: '', barrierTimeoutMs: 0, gracefulStopSeconds: PROFILES.smoke.gracefulStopSeconds });
    expect(new Set(plan.workers.map((w) => w.workload))).toEqual(new Set(whole.map((p) => p.plan.workload)));
    expect(new Set(plan.workers.map((w) => w.shard))).toEqual(new Set([0, 1]));
    for (const p of whole) {
      const shards = plan.workers.filter((w) => w.workload === p.plan.workload);
      const scripts = shards.map((w) => parse(readFileSync(join(runDir, w.script), 'utf8')) as { config: { target: string; processor: string; phases: Array<{ arrivalCount?: number }>; includeFiles: string[] }; scenarios: unknown[] });
      const arrivals = scripts.map((s) => s.config.phases.reduce((n, ph) => n + (ph.arrivalCount ?? 0), 0));
      expect(arrivals).toEqual(shards.map((w) => w.plannedArrivals));
      if (p.plan.shape && 'rate' in p.plan.shape) expect(arrivals.reduce((a, b) => a + b, 0), p.plan.workload).toBe(p.plan.plannedArrivals);
      for (const s of scripts) {
        expect(s.config).toMatchObject({ target: 'http://127.0.0.1:9', processor: './processor.cjs', includeFiles: ['fixtures/manifest.json', 'fixtures/wallets.json'] });
        expect(s.scenarios).toEqual(p.script.scenarios);
      }
    }
  });

  it('the bundle holds the processor, its dependencies and the fixtures the scripts include', () => {
    const bundle = join(runDir, 'cloud', 'bundle');
    expect(readFileSync(join(bundle, 'processor.cjs'), 'utf8')).toMatch(/moshpitVu/);
    const pkg = JSON.parse(readFileSync(join(bundle, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@supabase/supabase-js', 'undici', 'ws']);
    expect(readFileSync(join(bundle, 'fixtures', 'wallets.json'), 'utf8')).toMatch(/k6-test-w-000001/);
  });

  it("each dotenv (read by Artillery's parser) carries the shard's plan, the run id, telemetry off, the InfluxDB output with the stream records", () => {
    for (const w of plan.workers) {
      const env = dotenv.parse(readFileSync(join(runDir, w.dotenv), 'utf8'));
      expect(env).toMatchObject({ RUN_ID: plan.runId, PROFILE: 'smoke', TARGET_URL: 'http://127.0.0.1:9', FIXTURES_DIR: 'fixtures', ARTILLERY_DISABLE_TELEMETRY: 'true', MOSHPIT_DURATION_SCALE: '0.2' });
      const p = JSON.parse(env.MOSHPIT_ENGINE_PLAN!) as ProcessPlan;
      expect(p).toMatchObject({ runId: plan.runId, source: w.source, workload: w.workload, shard: { index: w.shard, count: 2 }, startBarrier: false, plannedArrivals: w.plannedArrivals });
      expect(JSON.parse(env.MOSHPIT_INFLUX_WRITE!)).toMatchObject({ url: 'http://127.0.0.1:8086', database: 'k6', records: true, tags: { testid: plan.runId, profile: 'smoke' } });
    }
  });

  it('the commands are Artillery\'s, with the secrets by name only; no secret anywhere in the results folder', async () => {
    for (const w of plan.workers) {
      expect(w.args.slice(0, 5)).toEqual(['run-fargate', '--count', '1', '--region', 'eu-west-1']);
      expect(w.args).toEqual(expect.arrayContaining(['--secret', 'API_KEY', 'STRIPE_WEBHOOK_SECRET', '--dotenv', w.dotenv, '--output', w.report]));
      expect(w.args.at(-1)).toBe(w.script);
      expect(existsSync(join(runDir, w.args[w.args.indexOf('--packages') + 1]!))).toBe(true);
    }
    const script = readFileSync(join(runDir, 'cloud', 'commands.sh'), 'utf8');
    expect(script.match(/^npx artillery run-fargate /gm)).toHaveLength(plan.workers.length);
    expect((await exec('bash', ['-n', join(runDir, 'cloud', 'commands.sh')], { check: false })).code).toBe(0);
    for (const f of allFiles(runDir)) {
      const text = readFileSync(f, 'utf8');
      expect(text.includes(API_KEY) || text.includes(WEBHOOK_SECRET), f).toBe(false);
    }
  });

  it('refuses bad input with exit 2 and writes nothing', async () => {
    const before = readdirSync(results).length;
    // Through the CLI: exit 2, and nothing written.
    const r = await cli(['full', '--platform', 'aci', '--influx-url', 'http://127.0.0.1:8086', '--dry-run'], { ...baseEnv, MOSHPIT_FIXTURES_DIR: join(work, 'none') });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no fixtures/);
    expect(readdirSync(results).length).toBe(before);
    // The other refusals in-process (each CLI start costs seconds on a shared machine).
    const scenario = (await import('../../cli/commands/scenario.js')).default;
    const cases: Array<[string[], RegExp, string?]> = [
      [['full', '--platform', 'aws:lambda', '--dry-run'], /unknown platform 'aws:lambda'/],
      [['full', '--count', '2'], /--count goes with --platform/],
      [['full', '--platform', 'fargate', '--dry-run'], /--platform needs --influx-url/],
      [['full', '--platform', 'aci', '--influx-url', 'http://127.0.0.1:8086', '--dry-run'], /cannot reach the embedded stack/, ''],
      [['chaos', '--platform', 'aci', '--influx-url', 'http://127.0.0.1:8086', '--dry-run'], /chaos scenario/],
      [['full', '--platform', 'aci', '--count', '0', '--influx-url', 'http://127.0.0.1:8086', '--dry-run'], /--count must be a positive integer/],
      [['full', '--platform', 'aci', '--region', 'Not A Region', '--influx-url', 'http://127.0.0.1:8086', '--dry-run'], /is not a region name/],
    ];
    const saved = { TARGET_URL: process.env.TARGET_URL, API_KEY: process.env.API_KEY, STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET };
    try {
      Object.assign(process.env, { API_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
      for (const [args, message, targetUrl] of cases) {
        process.env.TARGET_URL = targetUrl ?? baseEnv.TARGET_URL;
        await expect(scenario.run(args), args.join(' ')).rejects.toThrow(UsageError);
        await expect(scenario.run(args), args.join(' ')).rejects.toThrow(message);
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  }, 120_000);
});

describe('writeCloudRun on ACI', () => {
  it('run-aci without --secret; the secrets only in the launch dotenvs kept in memory', async () => {
    const runId = '20260101-120000-full-acia';
    const resultsDir = join(work, 'aci', runId);
    const env = {
      TARGET_URL: 'https://staging.example.org', TARGET_KIND: 'rest', API_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, PROFILE: 'smoke', RUN_ID: runId,
      ...engineInfluxOutput('http://127.0.0.1:8086', { runId, profile: 'smoke' }).env,
    };
    const { plan, launchDotenvs } = writeCloudRun({
      platform: parsePlatform('az:aci')!, count: 3, runId, scenario: 'entry', profile: 'smoke', scale: { duration: 0.2, rate: 1 },
      targetUrl: env.TARGET_URL, resultsDir, fixturesDir: fixtures, processorFile: await buildArtilleryProcessor(), env,
    });
    expect(plan.command).toBe('run-aci');
    expect(plan.workers.map((w) => w.shard)).toEqual([0, 1, 2]);
    for (const w of plan.workers) {
      expect(w.args).not.toContain('--secret');
      expect(dotenv.parse(launchDotenvs[w.source]!)).toMatchObject({ API_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, MOSHPIT_ALLOW_REMOTE: '1' });
      expect(readFileSync(join(resultsDir, w.dotenv), 'utf8')).not.toContain(API_KEY);
    }
  }, 60_000);

  it("takes Artillery's platform names", () => {
    expect(['aws:ecs', 'fargate', 'run-fargate', 'AWS:FARGATE'].map(parsePlatform)).toEqual(Array(4).fill('aws:fargate'));
    expect(['az:aci', 'aci', 'azure:aci'].map(parsePlatform)).toEqual(Array(3).fill('azure:aci'));
    expect(parsePlatform('aws:lambda')).toBeNull();
  });
});
