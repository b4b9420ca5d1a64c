// JUnit XML for CI: every threshold AND every check is a testcase (k6's own junit helper
// covers thresholds only). A check fails its testcase if any of its evaluations failed.
import { escapeMarkup } from '../../core/escape.js';
import type { RunInfo } from './report.js';
import { thresholdObserved } from './report.js';
import type { SummaryView } from './summary-data.js';


interface Case { name: string; failure: string | null }

function suite(name: string, classname: string, cases: Case[], seconds: string): string {
  const failures = cases.filter((c) => c.failure !== null).length;
  const body = cases.map((c) =>
    c.failure === null
      ? `    <testcase classname="${escapeMarkup(classname)}" name="${escapeMarkup(c.name)}"/>`
      : `    <testcase classname="${escapeMarkup(classname)}" name="${escapeMarkup(c.name)}">\n      <failure message="${escapeMarkup(c.failure)}"/>\n    </testcase>`);
  return [`  <testsuite name="${escapeMarkup(name)}" tests="${cases.length}" failures="${failures}" errors="0" time="${seconds}">`, ...body, '  </testsuite>'].join('\n');
}

/** The SLO tiers' verdict (core/slo-tiers.ts), when the run judged them: one testcase. */
export interface SloJunit { ok: boolean; text: string }

export function renderJunit(view: SummaryView, run: RunInfo, slo: SloJunit | null = null): string {
  const seconds = view.durationMs === null ? '0' : (view.durationMs / 1000).toFixed(3);
  const base = `moshpit.${run.scenario}`;
  const thresholdCases: Case[] = view.thresholds.map((t) => ({
    name: `${t.metric}: ${t.expression}`,
    failure: t.ok ? null : `threshold crossed: ${thresholdObserved(t.aggregate, t.observed, view.metrics[t.metric])}`,
  }));
  if (!view.thresholdsAvailable) thresholdCases.push({ name: 'thresholds reported by k6', failure: 'k6 ran with --new-machine-readable-summary, which does not report threshold results' });
  const checkCases: Case[] = view.checks.map((c) => ({
    name: c.path.replace(/^::/, '').replace(/::/g, ' / '),
    failure: c.fails === 0 ? null : `${c.fails} of ${c.passes + c.fails} failed`,
  }));
  const sloCases: Case[] = slo ? [{ name: 'SLO tiers per time bucket', failure: slo.ok ? null : slo.text }] : [];
  const all = [...thresholdCases, ...checkCases, ...sloCases];
  const failures = all.filter((c) => c.failure !== null).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeMarkup(`${base} (${run.profile}, ${run.targetKind}, run ${run.runId})`)}" tests="${all.length}" failures="${failures}" errors="0" time="${seconds}">`,
    suite('thresholds', `${base}.thresholds`, thresholdCases, seconds),
    suite('checks', `${base}.checks`, checkCases, seconds),
    ...(slo ? [suite('slo tiers', `${base}.slo`, sloCases, seconds)] : []),
    '</testsuites>',
    '',
  ].join('\n');
}
