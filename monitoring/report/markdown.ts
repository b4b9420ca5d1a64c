// The report as Markdown for a CI step summary: the same verdict, tables and witnesses as the
// HTML, without charts (report.html next to it has them).
import { cents, clock, formatValue, thresholdUnit } from './format-units.js';
import { bottleneckMarkdown } from './bottleneck-section.js';
import type { ReportModel } from './report-model.js';

const cell = (s: unknown) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const icon = (ok: boolean | null) => (ok === null ? '➖' : ok ? '✅' : '❌');

function table(head: string[], rows: string[][], right: number[] = []): string[] {
  const r = new Set(right);
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (r.has(i) ? '---:' : '---')).join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [];
  const badge = m.verdict === 'PASS' ? '✅ PASS' : m.verdict === 'FAIL' ? '❌ FAIL' : '⚠️ INCOMPLETE';
  out.push(`## moshpit ${badge} — \`${m.runId}\``, '', `${m.scenario} / ${m.profile}, exit code ${m.exitCode ?? 'unknown'}.`, '');
  for (const r of m.reasons) out.push(`- ${icon(r.ok)} **${r.label}**: ${cell(r.text)}`);
  out.push('');
  if (m.keyFigures.length) out.push(m.keyFigures.map((f) => `**${f.label}** ${f.value}`).join(' · '), '');

  if (m.thresholds) {
    out.push('### Thresholds', '', ...table(['', 'metric', 'threshold', 'observed'],
      [...m.thresholds].sort((a, b) => Number(a.ok) - Number(b.ok)).map((t) => [icon(t.ok), `\`${t.metric}\``, `\`${t.expression}\``, formatValue(t.observed, thresholdUnit(t.metric, t.aggregate))]), [3]), '');
  }
  if (m.sloTiers) {
    const t = m.sloTiers;
    const base = Math.floor(t.t0Ms / 1000) * 1000;
    out.push('### SLO tiers over time', '', `${t.verdict.ok ? '' : '❌ '}${cell(t.verdict.text)}.`, '', ...table(['bucket', 'run time', 'requests', 'p95', 'p99', 'error rate', 'tier', 'fired (value)'],
      t.buckets.map((b) => [String(b.index), `${clock(b.startMs - base)}–${clock(b.endMs - base)}`, String(b.requests), formatValue(b.p95, 'ms'), formatValue(b.p99, 'ms'), formatValue(b.errorRate, 'percentunit'),
        b.tier ?? '–', b.fired.map((f) => `${f.rule} (${formatValue(f.value, f.metric === 'error_rate' ? 'percentunit' : 'ms')})`).join('; ') || '–']), [0, 2, 3, 4, 5]), '');
  }
  if (m.latency.length) {
    out.push('### Latency', '', ...table(['', 'operation', 'requests', 'p50', 'p95', 'p95 SLO', 'p99'],
      m.latency.map((r) => [icon(r.ok), r.op, String(r.count), formatValue(r.p50, 'ms'), formatValue(r.p95, 'ms'), formatValue(r.p95Budget, 'ms'), formatValue(r.p99, 'ms')]), [2, 3, 4, 5, 6]), '');
  }
  if (m.money.length) {
    out.push('### Money', '', ...table(['write', 'acked', 'amount', 'held in database', 'rejected', 'indeterminate'],
      m.money.map((r) => [r.op, String(r.acked), cents(r.ackedCents), r.held === null ? '–' : `${r.held} (${cents(r.heldCents)})`, String(r.rejected), String(r.indeterminate)]), [1, 2, 3, 4, 5]), '');
    if (m.database) out.push(`Database for this run: ${m.database.run_orders ?? 0} orders, revenue ${cents(m.database.run_revenue_cents)}, platform fees ${cents(m.database.run_platform_fee_cents)}.`, '');
  }
  if (m.validation) {
    out.push('### Money validation', '', `**${cell(m.validation.verdict)}**`, '');
    const bad = m.validation.checkers.filter((c) => !c.ok);
    if (bad.length) {
      out.push(...table(['checker', 'violations', 'error'], bad.map((c) => [`\`${c.name}\``, String(c.violations), c.error ?? ''])), '');
      for (const c of bad.filter((x) => x.witnesses.length)) {
        out.push(`<details><summary>${cell(c.name)}: ${c.witnesses.length} witnesses</summary>`, '', '```json', ...c.witnesses.slice(0, 10).map((w) => JSON.stringify(w)), '```', '</details>', '');
      }
    }
  }
  if (m.chaos) {
    out.push('### Chaos', '', ...table(['', 'fault', 'status', 'recovery', 'after'], m.chaos.rows.map((r) => [icon(r.withinBound), r.fault, r.status, r.recovery, formatValue(r.recoveryMs, 'ms')]), [4]), '');
  }
  const a = m.requestLog;
  if (a) {
    const t = a.totals;
    out.push('### Target request log', '', `${t.requests} requests, error rate ${formatValue(t.errorRate, 'percentunit')}, p95 ${formatValue(t.p95, 'ms')}, wallet mismatches: ${a.walletMismatches.wallets}.`, '');
    out.push(...table(['endpoint', 'requests', 'errors', 'error rate', 'p95'], a.endpoints.map((e) => [`\`${e.endpoint}\``, String(e.requests), String(e.requestErrors + e.serverErrors), formatValue(e.errorRate, 'percentunit'), formatValue(e.p95, 'ms')]), [1, 2, 3, 4]), '');
  }
  out.push(...bottleneckMarkdown(m.bottlenecks.file));
  out.push(m.timeSeries === 'influxdb'
    ? '_Time series (report.html and Grafana) from InfluxDB._'
    : '_No InfluxDB for this run: report.html shows whole-run figures from summary.json; run with `--influx` for time series._', '');
  for (const n of m.notes) out.push(`> ${cell(n)}`, '');
  out.push('<details><summary>Environment</summary>', '', ...table(['', ''], m.environment.map(([k, v]) => [k, v])), '', '</details>', '');
  return out.join('\n');
}
