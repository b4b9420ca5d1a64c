// Runner output: validation.json, validation-junit.xml, the human report, the CLI's exit codes.
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../core/usage-error.js';
import validateResults, { validationExit } from '../../cli/commands/validate-results.js';
import { CHECKER_NAMES } from '../../validate/checkers/index.js';
import { formatReport } from '../../validate/report/human.js';
import { latestRunId } from '../../validate/results-dir.js';
import { runValidation } from '../../validate/runner.js';
import { useTestDatabase } from '../support/db.js';
import { buildBaseline } from './support/baseline.js';
import { resetFestivalTables } from './support/reset.js';
import { tempResultsDir, writeSummary } from './support/validation.js';

const db = await useTestDatabase();

function captureStdout(): { text: () => string; restore: () => void } {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  return { text: () => out, restore: () => spy.mockRestore() };
}

describe('validation reports', () => {
  beforeEach(() => resetFestivalTables(db.pool));
  afterEach(() => vi.restoreAllMocks());

  it('writes results/<run-id>/validation.json and validation-junit.xml, one testcase per checker', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    const resultsDir = tempResultsDir();
    writeSummary(resultsDir, 'run-1', f.summary());
    await db.pool.query(`UPDATE wallets SET entry_count = 9 WHERE id = $1`, [wallets.alice]);
    const report = await runValidation({ databaseUrl: db.url, runId: 'run-1', resultsDir, witnesses: 3 });
    expect(report.ok).toBe(false);
    expect(report.files).toEqual({ json: join(resultsDir, 'run-1', 'validation.json'), junit: join(resultsDir, 'run-1', 'validation-junit.xml') });

    const json = JSON.parse(readFileSync(report.files!.json, 'utf8'));
    expect(json).toMatchObject({ ok: false, runId: 'run-1', prefix: 'k6-test-', snapshot: 'shared', counts: { checkers: CHECKER_NAMES.length, failed: 1, errors: 0, skipped: 0, violations: 1 } });
    expect(json.database).not.toMatch(/password/);
    expect(json.results.find((r: { name: string }) => r.name === 'entry-count')).toMatchObject({ ok: false, anomaly: 'entry-count-mismatch', violations: 1 });

    const xml = readFileSync(report.files!.junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(CHECKER_NAMES.length);
    expect(xml).toContain(`<testsuites name="moshpit validation run-1" tests="${CHECKER_NAMES.length}" failures="1" errors="0" skipped="0"`);
    expect(xml).toMatch(/<testcase classname="moshpit.validate" name="entry-count" time="[\d.]+">\s*<failure message="1 violation: entry-count-mismatch" type="entry-count-mismatch">[^<]*wallet_id=k6-test-w-alice entry_count=9 admissions=2/);
    expect(xml).toMatch(/<testcase classname="moshpit.validate" name="no-negative-balance" time="[\d.]+"\/>/);

    const text = formatReport(report);
    expect(text).toMatch(/^✓ no-negative-balance +0 violations/m);
    expect(text).toMatch(/^✗ entry-count +1 violation \(entry-count-mismatch\)/m);
    expect(text).toMatch(/^ {4}wallet_id=k6-test-w-alice entry_count=9 admissions=2 misnumbered_admissions=0$/m);
    expect(text.trimEnd().split('\n').pop()).toMatch(/^FAILED: 1 checker found violations: entry-count \(1\) \(28 checkers, [\d.]+ s\)$/);
  });

  it('limits witnesses and says how many more there are', async () => {
    await buildBaseline(db.pool);
    await db.pool.query(`UPDATE wallets SET entry_count = entry_count + 1`);
    const report = await runValidation({ databaseUrl: db.url, writeFiles: false, witnesses: 2, checkers: ['entry-count'] });
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ violations: 5 });
    expect(report.results[0]!.witnesses).toHaveLength(2);
    expect(formatReport(report)).toContain('    ... and 3 more');
  });

  it('a checker that cannot run is an error in the report, not a pass', async () => {
    await buildBaseline(db.pool);
    await db.pool.query('ALTER TABLE ledger RENAME TO ledger_elsewhere');
    try {
      const report = await runValidation({ databaseUrl: db.url, writeFiles: false, checkers: ['ledger-chain', 'no-negative-balance'] });
      expect(report.ok).toBe(false);
      // Registry order, whatever order they were asked for in.
      expect(report.results.map((r) => r.name)).toEqual(['no-negative-balance', 'ledger-chain']);
      expect(report.results[0]).toMatchObject({ ok: true, violations: 0 });
      expect(report.results[1]!.error).toMatch(/relation "ledger" does not exist/);
      expect(report.verdict).toMatch(/^FAILED: 1 checker found violations: ledger-chain \(error\)/);
    } finally {
      await db.pool.query('ALTER TABLE ledger_elsewhere RENAME TO ledger');
    }
  });

  it('latestRunId picks the most recently written run', () => {
    const dir = tempResultsDir();
    for (const [run, age] of [['20250101-100000-full-aaaa', 300], ['20250101-110000-full-bbbb', 100], ['not-a-run', 0]] as const) {
      mkdirSync(join(dir, run), { recursive: true });
      if (run === 'not-a-run') continue;
      writeFileSync(join(dir, run, 'summary.json'), '{}');
      const t = new Date(Date.now() - age * 1000);
      utimesSync(join(dir, run, 'summary.json'), t, t);
    }
    expect(latestRunId(dir)).toBe('20250101-110000-full-bbbb');
    expect(latestRunId(join(dir, 'missing'))).toBeNull();
  });
});

describe('moshpit validate-results', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('exit 0 when clean, 4 on a violation (as the pipeline); writes the reports where --out says', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const out = tempResultsDir();
    const clean = captureStdout();
    const ok = await validateResults.run(['--database-url', db.url, '--out', out]).finally(clean.restore);
    expect(ok).toBe(0);
    expect(clean.text()).toMatch(/PASSED: no violations/);
    expect(existsSync(join(out, 'validation-junit.xml'))).toBe(true);

    await db.pool.query(`UPDATE wallets SET balance_cents = -1, opening_balance_cents = -1 WHERE id = $1`, [wallets.erin]);
    const dirty = captureStdout();
    const code = await validateResults.run(['--database-url', db.url, '--only', 'no-negative-balance,ledger-sum', '--witnesses', '1', '--work-mem', '8MB', '--concurrency', '2', '--json']).finally(dirty.restore);
    expect(code).toBe(4);
    const report = JSON.parse(dirty.text());
    expect(report.results.map((r: { name: string }) => r.name)).toEqual(['no-negative-balance', 'ledger-sum']);
    expect(report.results[0]).toMatchObject({ ok: false, witnesses: [{ wallet_id: wallets.erin, balance_cents: -1 }] });
  });

  it('bounds are flags', async () => {
    const { intents } = await buildBaseline(db.pool);
    await db.pool.query(`UPDATE funding_intents SET created_at = now() - interval '10 minutes' WHERE id = $1`, [intents.erinPending]);
    const a = captureStdout();
    expect(await validateResults.run(['--database-url', db.url, '--only', 'funding-orphans']).finally(a.restore)).toBe(4);
    const b = captureStdout();
    expect(await validateResults.run(['--database-url', db.url, '--only', 'funding-orphans', '--pending-funding-after', '3600']).finally(b.restore)).toBe(0);
  });

  it('a checker that could not run is "other error" (exit 1), unless another found violations (4)', async () => {
    await buildBaseline(db.pool);
    const clean = await runValidation({ databaseUrl: db.url, checkers: ['no-negative-balance', 'ledger-sum'] });
    expect(validationExit(clean)).toBe(0);
    const errored = { ...clean.results[0]!, ok: false, violations: 0, error: 'relation "wallets" does not exist' };
    const violated = { ...clean.results[1]!, ok: false, violations: 2 };
    expect(validationExit({ ...clean, ok: false, results: [errored, clean.results[1]!] })).toBe(1);
    expect(validationExit({ ...clean, ok: false, results: [errored, violated] })).toBe(4);
  });

  it('bad arguments are usage errors (exit 2)', async () => {
    await expect(validateResults.run(['--only', 'no-such-checker', '--database-url', db.url])).rejects.toThrow(UsageError);
    await expect(validateResults.run(['--run', 'a', '--latest'])).rejects.toThrow(/exclusive/);
    await expect(validateResults.run(['--witnesses', '-1', '--database-url', db.url])).rejects.toThrow(UsageError);
    await expect(validateResults.run(['--bogus'])).rejects.toThrow(UsageError);
    await expect(validateResults.run(['--work-mem', 'lots', '--database-url', db.url])).rejects.toThrow(/--work-mem must look like 64MB/);
    await expect(validateResults.run(['--concurrency', '0', '--database-url', db.url])).rejects.toThrow(/--concurrency/);
  });
});
