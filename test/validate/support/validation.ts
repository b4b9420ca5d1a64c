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

export async function validate(databaseUrl: string, opts: Partial<ValidationOptions> = {}): Promise<ValidationReport> {
  return runValidation({ databaseUrl, prefix: 'k6-test-', writeFiles: false, resultsDir: tempResultsDir(), ...opts });
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
