// Runs the validation the way the orchestrator does and summarises what fired.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { runValidation, type ValidationOptions } from '../../../validate/runner.js';
import type { ValidationReport } from '../../../validate/report/types.js';
import type { CheckerResult } from '../../../validate/types.js';

// One scratch directory per test file (this module is imported while the file is collected).
const scratch = mkdtempSync(join(tmpdir(), 'moshpit-validate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

export function tempResultsDir(): string {
  return mkdtempSync(join(scratch, 'results-'));
}

export function writeSummary(resultsDir: string, runId: string, summary: object): void {
  mkdirSync(join(resultsDir, runId), { recursive: true });
  writeFileSync(join(resultsDir, runId, 'summary.json'), JSON.stringify(summary));
}

/**
 * Validates with the single pass (the default), and, unless the caller picked a mode, again
 * with every checker's exact query: both must reach the same verdict per checker (violations,
 * witnesses, info), so every defect proof is also a proof that the single pass sees the defect.
 */
export async function validate(databaseUrl: string, opts: Partial<ValidationOptions> = {}): Promise<ValidationReport> {
  const resultsDir = opts.resultsDir ?? tempResultsDir();
  const report = await runValidation({ databaseUrl, prefix: 'k6-test-', writeFiles: false, ...opts, resultsDir });
  if (opts.singlePass === undefined) {
    const exact = await runValidation({ databaseUrl, prefix: 'k6-test-', writeFiles: false, ...opts, resultsDir, singlePass: false });
    expect(verdicts(report), 'the single pass and the exact queries agree').toEqual(verdicts(exact));
  }
  return report;
}

/**
 * What a checker concluded, without how long it took or how it got there. Ages (age_seconds)
 * are left out: each validation measures them from its own snapshot, a second apart.
 */
export function verdicts(report: ValidationReport): Array<Pick<CheckerResult, 'name' | 'ok' | 'violations' | 'witnesses' | 'info' | 'skipped' | 'error'>> {
  return report.results.map(({ name, ok, violations, witnesses, info, skipped, error }) => ({
    name, ok, violations, witnesses: witnesses.map(({ age_seconds: _, ...w }) => w), info, skipped, error,
  }));
}

/** Checker name -> violations, for every checker that did not pass. */
export function failures(report: ValidationReport): Record<string, number | string> {
  return Object.fromEntries(report.results.filter((r) => !r.ok).map((r) => [r.name, r.error ? `error: ${r.error}` : r.violations]));
}

export function result(report: ValidationReport, name: string): CheckerResult {
  const r = report.results.find((x) => x.name === name);
  if (!r) throw new Error(`no result for ${name}`);
  return r;
}

/** Exactly these checkers fired, with exactly these counts. */
export function expectFailures(report: ValidationReport, expected: Record<string, number>): void {
  expect(failures(report)).toEqual(expected);
  expect(report.ok).toBe(Object.keys(expected).length === 0);
}
