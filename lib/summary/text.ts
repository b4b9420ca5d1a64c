// Plain-text end-of-test summary (stdout and summary.txt). k6's own text summary is not
// available once handleSummary() exists and its jslib helper needs the network, so moshpit
// renders its own: thresholds, checks, operations, write outcomes, integrity.
import { centsText, duration, keyFigures, ms, operationRows, OUTCOME_CLASSES, outcomeRows, thresholdObserved, type RunInfo } from './report.js';
import { passed, type SummaryView } from './summary-data.js';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padStart = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function renderText(view: SummaryView, run: RunInfo): string {
  const lines: string[] = [];
  const verdict = !view.thresholdsAvailable ? 'THRESHOLDS NOT REPORTED' : passed(view) ? 'PASSED' : 'FAILED';
  lines.push('', `moshpit ${run.scenario} | profile ${run.profile} | ${run.targetKind} ${run.targetUrl} | run ${run.runId}`);
  lines.push(`duration ${duration(view.durationMs)} | ${verdict}`, '');

  const failedThresholds = view.thresholds.filter((t) => !t.ok).length;
  lines.push(`THRESHOLDS (${view.thresholds.length - failedThresholds} passed, ${failedThresholds} failed)`);
  if (!view.thresholdsAvailable) lines.push('  k6 did not report thresholds (--new-machine-readable-summary drops them)');
  const width = Math.max(10, ...view.thresholds.map((t) => t.metric.length));
  for (const t of view.thresholds) {
    lines.push(`  ${t.ok ? '✓' : '✗'} ${pad(t.metric, width)}  ${pad(t.expression, 16)} ${thresholdObserved(t.aggregate, t.observed, view.metrics[t.metric])}`);
  }

  const total = view.checks.reduce((n, c) => n + c.passes + c.fails, 0);
  const failing = view.checks.reduce((n, c) => n + c.fails, 0);
  lines.push('', `CHECKS (${total - failing} of ${total} passed)`);
  for (const c of view.checks) {
    lines.push(`  ${c.fails === 0 ? '✓' : '✗'} ${c.name}${c.fails > 0 ? `  (${c.fails} of ${c.passes + c.fails} failed)` : ''}`);
  }

  const ops = operationRows(view);
  if (ops.length > 0) {
    lines.push('', `OPERATIONS ${pad('', 14)}${['count', 'avg', 'p95', 'p99', 'max'].map((h) => padStart(h, 10)).join('')}`);
    for (const r of ops) {
      lines.push(`  ${pad(r.op, 23)}${padStart(String(r.count), 10)}${[r.avg, r.p95, r.p99, r.max].map((v) => padStart(ms(v), 10)).join('')}`);
    }
  }

  const outcomes = outcomeRows(view);
  if (outcomes.length > 0) {
    lines.push('', `WRITES ${pad('', 18)}${OUTCOME_CLASSES.map((c) => padStart(c, 22)).join('')}${padStart('replays', 10)}`);
    for (const r of outcomes) {
      const cells = r.cells.map((c) => padStart(`${c.count} (${centsText(c.cents)})`, 22)).join('');
      lines.push(`  ${pad(r.op, 23)}${cells}${padStart(String(r.replays), 10)}`);
    }
  }

  lines.push('', 'INTEGRITY');
  for (const f of keyFigures(view)) lines.push(`  ${pad(f.label, 22)} ${f.value}`);
  lines.push('');
  return lines.join('\n');
}
