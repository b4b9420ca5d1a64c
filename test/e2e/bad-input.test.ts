// Bad input through the real CLI: a typo is exit 2 with a message naming it and no run
// directory; a target that is unreachable or refuses our API key is NOT READY (exit 3) and
// the load never starts (no summary; metadata says the load did not run).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../seed/index.js';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir, runScenarioCli, type ScenarioRun } from '../support/scenario-run.js';
import { startTarget, type RunningTarget } from '../support/target.js';
import { describeRun } from './run-report.js';

const db = await useTestDatabase();
const workDirs: string[] = [];
let target: RunningTarget | null = null;
/** Seeded once; the external-target runs read fixtures from here (MOSHPIT_FIXTURES_DIR). */
const seededWork = newWorkDir();
workDirs.push(seededWork);

beforeAll(async () => {
  await seed({ databaseUrl: db.url, wallets: 200, fixturesDir: join(seededWork, 'fixtures') });
}, 120_000);

afterAll(async () => {
  await target?.stop();
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

function freshWork(): string {
  const dir = newWorkDir();
  workDirs.push(dir);
  return dir;
}

describe('bad command-line input', () => {
  it.each([
    { what: 'an unknown scenario', scenario: 'moshpit-nope', args: [], message: /unknown scenario 'moshpit-nope'/ },
    { what: 'an unknown profile', scenario: 'entry', args: ['--profile', 'nope'], message: /unknown profile 'nope'\. Profiles: smoke, pilot/ },
    { what: 'an unknown defect', scenario: 'entry', args: ['--defects', 'lost_update,nope'], message: /unknown defect mode\(s\): nope\. Valid: .*lost_update/ },
    { what: 'a venue capacity of 0', scenario: 'entry', args: ['--capacity', '0'], message: /--capacity must be a positive integer \(digits only\), got '0'/ },
    { what: 'a wallet count in exponent notation', scenario: 'entry', args: ['--wallets', '1e3'], message: /--wallets must be a positive integer \(digits only\), got '1e3'/ },
    { what: 'a wallet count over the limit', scenario: 'entry', args: ['--wallets', '99999999999'], message: /--wallets 99999999999 is over the limit/ },
    { what: 'a LIKE wildcard as the test prefix', scenario: 'entry', args: ['--prefix', '%'], message: /invalid test-data prefix "%"/ },
    { what: 'malformed THRESHOLDS_JSON', scenario: 'entry', args: [], env: { THRESHOLDS_JSON: '{"checks": [' }, message: /THRESHOLDS_JSON is not valid JSON/ },
    { what: 'a slow window without its length', scenario: 'entry', args: ['--slow-window', '10:2500'], message: /--slow-window '10:2500' is not AT\+FOR:MS/ },
    { what: 'an SLO bucket of 0 s', scenario: 'entry', args: ['--slo-bucket', '0'], message: /--slo-bucket must be a positive integer \(digits only\), got '0'/ },
    { what: 'an SLO bucket in minutes', scenario: 'entry', args: [], env: { MOSHPIT_SLO_BUCKET_SECONDS: '5m' }, message: /MOSHPIT_SLO_BUCKET_SECONDS must be a positive whole number of seconds, got '5m'/ },
    { what: 'an unknown SLO policy', scenario: 'entry', args: [], env: { MOSHPIT_SLO_POLICY: 'strict' }, message: /MOSHPIT_SLO_POLICY must be enforce or report, got 'strict'/ },
    { what: 'the k6 engine without a k6 binary', scenario: 'entry', args: ['--engine', 'k6'], env: { K6_BINARY: '', PATH: '/nonexistent' }, message: /no k6 binary found[\s\S]*grafana\.com/ },
  ] as Array<{ what: string; scenario: string; args: string[]; env?: Record<string, string>; message: RegExp }>)('$what: exit 2, a clear message, no run directory', async ({ scenario, args, env, message }) => {
    const work = freshWork();
    const run = await runScenarioCli({ databaseUrl: db.url, scenario, args, env, workDir: work });
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/usage: moshpit scenario </);
    expect(run.runId).toBeNull();
    expect(existsSync(join(work, 'results'))).toBe(false);
  }, 60_000);

  it('--capacity with an external target: exit 2 (only the embedded database is seeded)', async () => {
    const run = await runScenarioCli({
      databaseUrl: db.url,
      scenario: 'entry',
      args: ['--capacity', '5'],
      env: { TARGET_URL: 'http://127.0.0.1:9', API_KEY: 'k', STRIPE_WEBHOOK_SECRET: 'whsec_x' },
      workDir: freshWork(),
    });
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toMatch(/--capacity: only for the embedded target/);
    expect(run.runId).toBeNull();
  }, 60_000);
});

interface Preflight { ready: boolean; checks: Array<{ name: string; ok: boolean; skipped?: boolean; detail: string }> }

/** NOT READY, exit 3, and nothing of the load in the run directory. */
function expectNotReadyWithoutLoad(run: ScenarioRun): Preflight {
  const why = describeRun(run);
  expect(run.code, why).toBe(3);
  expect(`${run.stdout}\n${run.stderr}`).toMatch(/NOT READY/);
  expect(run.runDir, why).not.toBeNull();
  expect(run.summary, why).toBeNull();
  expect(readdirSync(run.runDir!).filter((f) => f.startsWith('summary') || f === 'junit.xml')).toEqual([]);
  const meta = JSON.parse(readFileSync(join(run.runDir!, 'metadata.json'), 'utf8')) as { exit: Record<string, unknown> };
  expect(meta.exit).toMatchObject({ load: null, preflight: 'not-ready', validation: 'skipped', code: 3 });
  return JSON.parse(readFileSync(join(run.runDir!, 'preflight.json'), 'utf8')) as Preflight;
}

const check = (p: Preflight, name: string) => p.checks.find((c) => c.name === name);

describe('a target that is not ready', () => {
  it('unreachable DATABASE_URL with the embedded target: NOT READY (exit 3), naming DATABASE_URL, no password shown', async () => {
    const run = await runScenarioCli({ databaseUrl: 'postgres://moshpit:hunter2secret@127.0.0.1:9/nowhere', scenario: 'entry', workDir: freshWork() });
    expect(run.code, describeRun(run)).toBe(3);
    expect(run.stderr + run.stdout).toMatch(/DATABASE_URL postgres:\/\/moshpit:\*\*\*@127\.0\.0\.1:9\/nowhere is unreachable/);
    expect(run.stderr + run.stdout).not.toContain('hunter2secret');
  }, 60_000);

  it('unreachable external target: NOT READY on target-health, exit 3, the load never started', async () => {
    const run = await runScenarioCli({
      databaseUrl: db.url,
      scenario: 'entry',
      // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
      env: { TARGET_URL: 'http://127.0.0.1:9', API_KEY: 'mk_test_any', STRIPE_WEBHOOK_SECRET: 'whsec_test_any' },
      workDir: seededWork,
    });
    const preflight = expectNotReadyWithoutLoad(run);
    expect(check(preflight, 'target-health')?.ok).toBe(false);
    // The database side is fine: the refusal is about the target alone.
    expect(check(preflight, 'fixtures-in-database')?.ok).toBe(true);
  }, 60_000);

  it('running target, wrong API key: NOT READY on the api-key check, exit 3, the load never started', async () => {
    target = await startTarget({ databaseUrl: db.url });
    const run = await runScenarioCli({
      databaseUrl: db.url,
      scenario: 'entry',
      env: { TARGET_URL: target.url, API_KEY: 'mk_test_wrong_key', STRIPE_WEBHOOK_SECRET: target.webhookSecret },
      workDir: seededWork,
    });
    const preflight = expectNotReadyWithoutLoad(run);
    expect(check(preflight, 'target-health')?.ok).toBe(true);
    expect(check(preflight, 'api-key')?.ok).toBe(false);
  }, 60_000);
});
