// JUnit XML: one testcase per checker, so CI shows each invariant as a test. Violations are
// <failure> with the witnesses; a checker that could not run is <error>; skipped is <skipped>.
import { escapeMarkup as xmlEscape } from '../../core/escape.js';
import type { CheckerResult } from '../types.js';
import { formatWitness } from './human.js';
import type { ValidationReport } from './types.js';

function testcase(r: CheckerResult): string {
  const attrs = `classname="moshpit.validate" name="${xmlEscape(r.name)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
  const parts: string[] = [];
  if (r.error) {
    parts.push(`<error message="${xmlEscape(r.error)}" type="checker-error"/>`);
  } else if (r.skipped) {
    parts.push(`<skipped message="${xmlEscape(r.skipped)}"/>`);
  } else if (!r.ok) {
    const more = r.violations > r.witnesses.length ? `\n... and ${r.violations - r.witnesses.length} more` : '';
    const body = r.witnesses.map(formatWitness).join('\n') + more;
    parts.push(
      `<failure message="${xmlEscape(`${r.violations} violation${r.violations === 1 ? '' : 's'}: ${r.anomaly}`)}" type="${xmlEscape(r.anomaly)}">${xmlEscape(`${r.description}\n${body}`)}</failure>`,
    );
  }
  if (r.info && Object.keys(r.info).length) parts.push(`<system-out>${xmlEscape(JSON.stringify(r.info, null, 2))}</system-out>`);
  return parts.length ? `    <testcase ${attrs}>\n      ${parts.join('\n      ')}\n    </testcase>` : `    <testcase ${attrs}/>`;
}

export function junitXml(report: ValidationReport): string {
  const c = report.counts;
  const failures = c.failed - c.errors;
  const time = (report.durationMs / 1000).toFixed(3);
  const name = `moshpit validation${report.runId ? ` ${report.runId}` : ''}`;
  const suiteAttrs = `tests="${c.checkers}" failures="${failures}" errors="${c.errors}" skipped="${c.skipped}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(name)}" ${suiteAttrs}>`,
    `  <testsuite name="moshpit.validate" ${suiteAttrs} timestamp="${xmlEscape(report.startedAt)}">`,
    `    <properties>`,
    `      <property name="prefix" value="${xmlEscape(report.prefix)}"/>`,
    `      <property name="run_id" value="${xmlEscape(report.runId ?? '')}"/>`,
    `      <property name="as_of" value="${xmlEscape(report.asOf)}"/>`,
    `    </properties>`,
    ...report.results.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
