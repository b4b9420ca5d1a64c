// Markdown for a CI step summary ($GITHUB_STEP_SUMMARY and the like).
import { METRICS } from '../../core/metric-names.js';
import { centsText, duration, keyFigures, ms, operationRows, OUTCOME_CLASSES, outcomeRows, thresholdObserved, type RunInfo } from './report.js';
import { passed, type SummaryView } from './summary-data.js';
import { ADVERSARIAL_EXPECTED, ADVERSARIAL_KINDS } from '../../core/thresholds.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(view: SummaryView, run: RunInfo): string {
  const ok = view.thresholdsAvailable && passed(view);
  const out: string[] = [];
  out.push(`## moshpit \`${run.scenario}\` — ${ok ? '✅ passed' : view.thresholdsAvailable ? '❌ failed' : '⚠️ thresholds not reported'}`, '');
  out.push(`Profile **${run.profile}** against **${run.targetKind}** \`${cell(run.targetUrl)}\`, run \`${run.runId}\`, ${duration(view.durationMs)}.`, '');

  out.push('### Thresholds', '', '| | metric | threshold | observed |', '|---|---|---|---|');
  for (const t of view.thresholds) {
    out.push(`| ${t.ok ? '✅' : '❌'} | \`${cell(t.metric)}\` | \`${cell(t.expression)}\` | ${cell(thresholdObserved(t.aggregate, t.observed, view.metrics[t.metric]))} |`);
  }

  out.push('', '### Checks', '', '| | check | passed | failed |', '|---|---|---|---|');
  for (const c of view.checks) out.push(`| ${c.fails === 0 ? '✅' : '❌'} | ${cell(c.name)} | ${c.passes} | ${c.fails} |`);

  const ops = operationRows(view);
  if (ops.length > 0) {
    out.push('', '### Operations', '', '| operation | requests | avg | p95 | p99 | max |', '|---|---:|---:|---:|---:|---:|');
    for (const r of ops) out.push(`| ${r.op} | ${r.count} | ${ms(r.avg)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} |`);
  }

  const outcomes = outcomeRows(view);
  if (outcomes.length > 0) {
    out.push('', '### Writes (count, amount)', '', `| write | ${OUTCOME_CLASSES.join(' | ')} | replays |`, '|---|---:|---:|---:|---:|');
    for (const r of outcomes) out.push(`| ${r.op} | ${r.cells.map((c) => `${c.count} (${centsText(c.cents)})`).join(' | ')} | ${r.replays} |`);
  }

  const adversarial = ADVERSARIAL_KINDS.map((kind) => ({
    kind,
    sent: view.metrics[`${METRICS.adversarial}{kind:${kind}}`]?.values.count ?? 0,
    mismatches: view.metrics[`${METRICS.adversarialMismatches}{kind:${kind}}`]?.values.count ?? 0,
  }));
  if (adversarial.some((a) => a.sent > 0)) {
    out.push('', '### Adversarial clients', '', '| | misbehaviour | sent | expected answer | mismatches |', '|---|---|---:|---|---:|');
    for (const a of adversarial) out.push(`| ${a.mismatches === 0 ? '✅' : '❌'} | ${a.kind} | ${a.sent} | ${cell(ADVERSARIAL_EXPECTED[a.kind])} | ${a.mismatches} |`);
  }

  out.push('', '### Integrity', '');
  for (const f of keyFigures(view)) out.push(`- **${f.label}**: ${cell(f.value)}`);
  out.push('');
  return out.join('\n');
}
