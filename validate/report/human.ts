// Human output: one ✓/✗ line per checker with its witnesses, then a one-line verdict.
import type { CheckerResult, Witness } from '../types.js';
import type { ValidationReport } from './types.js';

export function formatWitness(w: Witness): string {
  return Object.entries(w)
    .map(([k, v]) => `${k}=${v instanceof Date ? v.toISOString() : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

function mark(r: CheckerResult): string {
  if (r.error) return '✗';
  if (r.skipped) return '-';
  return r.ok ? '✓' : '✗';
}

function compactInfo(info: Record<string, unknown>): string {
  const text = JSON.stringify(info, (_k, v) => (v instanceof Date ? v.toISOString() : v));
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}

function isFlatRow(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x !== 'object');
}

function splitTables(info: Record<string, unknown>): { tables: Record<string, Array<Record<string, unknown>>>; rest: Record<string, unknown> } {
  const tables: Record<string, Array<Record<string, unknown>>> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info)) {
    if (Array.isArray(v) && v.length > 0 && v.every(isFlatRow)) tables[k] = v;
    else rest[k] = v;
  }
  return { tables, rest };
}

export function formatCheckerLine(r: CheckerResult): string[] {
  const ms = `${r.durationMs} ms`;
  let status: string;
  if (r.error) status = `error: ${r.error}`;
  else if (r.skipped) status = `skipped: ${r.skipped}`;
  else status = `${r.violations} violation${r.violations === 1 ? '' : 's'}${r.ok ? '' : ` (${r.anomaly})`}`;
  const lines = [`${mark(r)} ${r.name.padEnd(26)} ${status.padEnd(34)} ${ms.padStart(9)}`];
  for (const w of r.witnesses) lines.push(`    ${formatWitness(w)}`);
  if (!r.ok && r.violations > r.witnesses.length) lines.push(`    ... and ${r.violations - r.witnesses.length} more`);
  if (r.info && Object.keys(r.info).length) {
    // Lists of flat rows (reconciliation's per-operation table) read better one row per line.
    const { tables, rest } = splitTables(r.info);
    if (Object.keys(rest).length) lines.push(`    info: ${compactInfo(rest)}`);
    for (const [name, rows] of Object.entries(tables)) {
      lines.push(`    ${name}:`);
      for (const row of rows) lines.push(`      ${formatWitness(row)}`);
    }
  }
  return lines;
}

export function formatReport(report: ValidationReport): string {
  const head = [
    `moshpit validation: prefix '${report.prefix}'${report.runId ? `, run ${report.runId}` : ''}, ${report.database}`,
    `snapshot ${report.snapshot} at ${report.asOf}${report.summaryFile ? `, k6 summary ${report.summaryFile}` : ''}`,
    '',
  ];
  const body = report.results.flatMap(formatCheckerLine);
  const files = report.files ? ['', `report: ${report.files.json}`, `junit:  ${report.files.junit}`] : [];
  return [...head, ...body, ...files, '', report.verdict, ''].join('\n');
}

export function verdictLine(results: CheckerResult[], durationMs: number): string {
  const failed = results.filter((r) => !r.ok);
  const skipped = results.filter((r) => r.skipped).length;
  const seconds = (durationMs / 1000).toFixed(1);
  const tail = `${results.length} checkers${skipped ? `, ${skipped} skipped` : ''}, ${seconds} s`;
  if (failed.length === 0) return `PASSED: no violations (${tail})`;
  const list = failed.map((r) => (r.error ? `${r.name} (error)` : `${r.name} (${r.violations})`)).join(', ');
  return `FAILED: ${failed.length} checker${failed.length === 1 ? '' : 's'} found violations: ${list} (${tail})`;
}
