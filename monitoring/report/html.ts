// The report as one self-contained HTML file: inline CSS, inline SVG charts, no external
// resource of any kind, so it opens the same from a CI artifact, a mail or a USB stick.
import { escapeMarkup } from '../../core/escape.js';
import { cents, clock, formatValue, thresholdUnit } from './format-units.js';
import { bottleneckHtml } from './bottleneck-section.js';
import type { ReportModel } from './report-model.js';
import type { ChartData, Section } from './run-charts.js';
import { barChart, lineChart, PALETTE } from './svg-chart.js';
import type { Witness } from '../../validate/types.js';

const mark = (ok: boolean | null) => (ok === null ? '<span class="na">–</span>' : ok ? '<span class="ok">✔</span>' : '<span class="bad">✘</span>');

const CSS = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;margin:0;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:20px 24px 48px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #dcdfe4;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}.sub{color:#5f6368}.verdict{display:flex;gap:20px;align-items:center;border-radius:8px;padding:14px 18px;margin:14px 0;color:#fff}
.verdict.PASS{background:#1e7b34}.verdict.FAIL{background:#b3261e}.verdict.INCOMPLETE{background:#8a6d00}.verdict .word{font-size:30px;font-weight:700;letter-spacing:1px}
.verdict ul{margin:0;padding-left:18px}.verdict li{margin:1px 0}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px}
.card{background:#fff;border:1px solid #dcdfe4;border-radius:6px;padding:8px 12px}.card .v{font-size:18px;font-weight:600}.card .l{color:#5f6368;font-size:12px}
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0;font-size:13px}th,td{border:1px solid #e1e4e8;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#1e7b34;font-weight:700}.bad{color:#b3261e;font-weight:700}.na{color:#999}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}figure{margin:0;background:#fff;border:1px solid #dcdfe4;border-radius:6px;padding:8px 10px}
figcaption{font-weight:600;font-size:13px}figure .d{color:#5f6368;font-size:12px;margin:2px 0 4px}svg.chart{width:100%;height:auto;display:block}
ul.legend{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:4px 12px;font-size:12px}ul.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.note{background:#fff8e1;border:1px solid #f0d98c;border-radius:6px;padding:8px 12px;margin:8px 0}details{background:#fff;border:1px solid #e1e4e8;border-radius:4px;padding:4px 8px;margin:4px 0}
summary{cursor:pointer}code{font:12px ui-monospace,Menlo,monospace;background:#f0f2f5;padding:1px 4px;border-radius:3px}.src{color:#5f6368;font-size:11px}
tr.tier-warn td{background:#fff6cc}tr.tier-page td{background:#ffe0b2}tr.tier-critical td{background:#ffcdd2}
@media print{body{background:#fff}.charts{grid-template-columns:1fr 1fr}}`;

// Proof that the charts really drew in a browser: each figure records how many of its paths
// have a length, and <html> the number of figures that drew something.
const SELF_CHECK = `(function(){var n=0;document.querySelectorAll('figure.chart').forEach(function(f){var k=0;f.querySelectorAll('svg path').forEach(function(p){try{if(p.getTotalLength()>0)k++}catch(e){}});f.setAttribute('data-drawn-paths',String(k));if(k>0)n++});document.documentElement.setAttribute('data-charts-drawn',String(n))})();`;

function table(head: string[], rows: string[][], numeric: number[] = []): string {
  const num = new Set(numeric);
  return `<table><thead><tr>${head.map((h) => `<th>${escapeMarkup(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${num.has(i) ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function legend(names: string[]): string {
  return `<ul class="legend">${names.map((n, i) => `<li><i style="background:${PALETTE[i % PALETTE.length]}"></i>${escapeMarkup(n)}</li>`).join('')}</ul>`;
}

function hasData(c: ChartData): boolean {
  return c.series.some((s) => s.points.some(([, v]) => v !== null));
}

function lineFigure(c: ChartData, m: ReportModel): string {
  const w = m.window!;
  const series = c.series.filter((s) => s.points.some(([, v]) => v !== null));
  const svg = lineChart({ series, unit: c.unit, decimals: c.decimals, startMs: w.startMs, endMs: w.endMs, bands: m.bands, lines: c.lines, width: 560, height: 210 });
  return `<figure class="chart"><figcaption>${escapeMarkup(c.title)}</figcaption><div class="d">${escapeMarkup(c.description)} <span class="src">(${escapeMarkup(c.source)})</span></div>${svg}${legend(series.map((s) => s.name))}</figure>`;
}

function chartSection(m: ReportModel, sections: Section[]): string {
  const charts = m.charts.filter((c) => sections.includes(c.section));
  if (!m.window || charts.length === 0) return '';
  const drawn = charts.filter(hasData);
  const empty = charts.filter((c) => !hasData(c));
  return `<div class="charts">${drawn.map((c) => lineFigure(c, m)).join('')}</div>${empty.length ? `<p class="sub">No data in this run for: ${empty.map((c) => escapeMarkup(c.title)).join('; ')}.</p>` : ''}`;
}

function verdictBlock(m: ReportModel): string {
  const reasons = m.reasons.map((r) => `<li>${r.ok === null ? '•' : r.ok ? '✔' : '✘'} <b>${escapeMarkup(r.label)}</b>: ${escapeMarkup(r.text)}</li>`).join('');
  return `<div class="verdict ${m.verdict}"><div class="word">${m.verdict}</div><div><div>exit code ${m.exitCode ?? 'unknown'}</div><ul>${reasons}</ul></div></div>`;
}

function thresholdsBlock(m: ReportModel): string {
  if (!m.thresholds) return '<p class="sub">No summary.json: no threshold results.</p>';
  const rows = [...m.thresholds].sort((a, b) => Number(a.ok) - Number(b.ok)).map((t) => [mark(t.ok), `<code>${escapeMarkup(t.metric)}</code>`, `<code>${escapeMarkup(t.expression)}</code>`, escapeMarkup(formatValue(t.observed, thresholdUnit(t.metric, t.aggregate)))]);
  return table(['', 'metric', 'threshold', 'observed'], rows, [3]);
}

function sloTiersBlock(m: ReportModel): string {
  const t = m.sloTiers;
  if (!t) return '<p class="sub">No SLO tier timeline for this run.</p>';
  const base = Math.floor(t.t0Ms / 1000) * 1000;
  const rows = t.buckets.map((b) => {
    const fired = b.fired.map((f) => `${escapeMarkup(f.rule)} (${escapeMarkup(formatValue(f.value, f.metric === 'error_rate' ? 'percentunit' : 'ms'))}${f.sinceBucket < b.index ? `, since bucket ${f.sinceBucket}` : ''})`).join('<br>');
    const cells = [
      `<td class="n">${b.index}</td>`, `<td>${clock(b.startMs - base)}–${clock(b.endMs - base)}</td>`, `<td class="n">${b.requests}</td>`,
      ...[b.p95, b.p99].map((v) => `<td class="n">${escapeMarkup(formatValue(v, 'ms'))}</td>`), `<td class="n">${escapeMarkup(formatValue(b.errorRate, 'percentunit'))}</td>`,
      `<td>${b.tier ? `<b>${b.tier}</b>` : '–'}</td>`, `<td>${fired || '–'}</td>`,
    ];
    return `<tr${b.tier ? ` class="tier-${b.tier}"` : ''}>${cells.join('')}</tr>`;
  }).join('');
  return `<p>${t.verdict.ok ? '' : '<span class="bad">✘</span> '}${escapeMarkup(t.verdict.text)}.</p>` +
    `<p class="sub">Buckets of ${t.bucketSeconds} s from t0; p95/p99 of every request's <code>http_req_duration</code>, error rate of <code>http_req_failed</code> without the adversarial share. Critical fails a run, page fails it in CI mode, warn is reported; rollback triggers are reported.</p>` +
    `<table><thead><tr>${['bucket', 'run time', 'requests', 'p95', 'p99', 'error rate', 'tier', 'fired (value)'].map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

function latencyFallback(m: ReportModel): string {
  if (m.latency.length === 0) return '';
  const bars = barChart({
    groups: m.latency.map((r) => ({ label: r.op, values: [r.p50, r.p95, r.p99], marker: r.p95Budget ?? undefined })),
    seriesNames: ['p50', 'p95', 'p99'],
    unit: 'ms',
    width: 560,
    height: 220,
  });
  const counts = barChart({ groups: m.latency.map((r) => ({ label: r.op, values: [r.count] })), seriesNames: ['requests'], unit: 'short', width: 560, height: 220 });
  return `<div class="charts"><figure class="chart"><figcaption>Latency per operation over the whole run</figcaption><div class="d">p50 / p95 / p99 of <code>moshpit_&lt;op&gt;_duration</code>; dashed: the p95 SLO. <span class="src">(summary.json)</span></div>${bars}${legend(['p50', 'p95', 'p99'])}</figure>` +
    `<figure class="chart"><figcaption>Requests per operation</figcaption><div class="d">HTTP attempts per operation over the whole run. <span class="src">(summary.json)</span></div>${counts}${legend(['requests'])}</figure></div>`;
}

function latencyTable(m: ReportModel): string {
  if (m.latency.length === 0) return '';
  return table(['', 'operation', 'requests', 'avg', 'p50', 'p95', 'p95 SLO', 'p99', 'max'],
    m.latency.map((r) => [mark(r.ok), escapeMarkup(r.op), String(r.count), ...[r.avg, r.p50, r.p95, r.p95Budget, r.p99, r.max].map((v) => escapeMarkup(formatValue(v, 'ms')))]), [2, 3, 4, 5, 6, 7, 8]);
}

function moneyBlock(m: ReportModel): string {
  if (m.money.length === 0) return '<p class="sub">No write operations in this run.</p>';
  const rows = m.money.map((r) => [
    escapeMarkup(r.op), String(r.acked), cents(r.ackedCents),
    r.held === null ? '–' : `${r.held}${r.held === r.acked ? '' : ' <span class="bad">≠</span>'}`, r.heldCents === null ? '–' : cents(r.heldCents),
    String(r.rejected), cents(r.rejectedCents), r.indeterminate ? `<span class="bad">${r.indeterminate}</span>` : '0', cents(r.indeterminateCents), String(r.replays),
  ]);
  let out = table(['write', 'acked (load)', 'amount', 'held (database)', 'amount', 'rejected', 'amount tried', 'indeterminate', 'amount', 'replays'], rows, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const d = m.database;
  if (d) {
    out += `<h3>In the database for this run (db monitor, last sample)</h3>${table(['orders', 'revenue', 'platform fees', 'recharges', 'funding credited', 're-entry fees', 'inside / capacity'], [[
      String(d.run_orders ?? '–'), cents(d.run_revenue_cents), cents(d.run_platform_fee_cents), cents(d.run_recharge_cents), cents(d.run_funding_cents), cents(d.run_reentry_fee_cents),
      `${d.venue_occupancy ?? '–'} / ${d.venue_capacity ?? '–'}`,
    ]], [0, 1, 2, 3, 4, 5])}`;
  }
  if (m.conservation) {
    out += `<p class="sub">Conservation over the test wallets: credited ${cents(m.conservation.credited_cents)}, debited ${cents(m.conservation.debited_cents)}, ` +
      `balances moved ${cents(m.conservation.balance_moved_cents)}, unexplained ${cents(m.conservation.unexplained_cents)}.</p>`;
  }
  return out;
}

function witnessTable(witnesses: Witness[]): string {
  const keys = [...new Set(witnesses.flatMap((w) => Object.keys(w)))];
  return table(keys, witnesses.map((w) => keys.map((k) => escapeMarkup(typeof w[k] === 'object' ? JSON.stringify(w[k]) : w[k]))));
}

function validationBlock(m: ReportModel): string {
  const v = m.validation;
  if (!v) return '<p class="sub">Money validation did not run for this run (no validation.json).</p>';
  const rows = [...v.checkers].sort((a, b) => Number(a.ok) - Number(b.ok)).map((c) => [
    c.skipped ? '<span class="na">skip</span>' : mark(c.ok), `<code>${escapeMarkup(c.name)}</code>`, escapeMarkup(c.description), c.violations ? `<span class="bad">${c.violations}</span>` : '0',
    escapeMarkup(c.error ?? c.skipped ?? ''),
  ]);
  let out = `<p><b>${escapeMarkup(v.verdict)}</b></p>${table(['', 'checker', 'invariant', 'violations', 'error / skipped'], rows, [3])}`;
  for (const c of v.checkers.filter((x) => x.witnesses.length > 0 || (!x.ok && x.info))) {
    out += `<details${c.ok ? '' : ' open'}><summary><code>${escapeMarkup(c.name)}</code>: ${c.violations} violations, ${c.witnesses.length} witnesses (${escapeMarkup(c.anomaly)})</summary>` +
      `${c.witnesses.length ? witnessTable(c.witnesses) : ''}${c.info ? `<pre>${escapeMarkup(JSON.stringify(c.info, null, 2))}</pre>` : ''}</details>`;
  }
  return out;
}

function chaosBlock(m: ReportModel): string {
  const c = m.chaos;
  if (!c) return '';
  const at = (t: number | null) => (t === null ? '–' : m.window ? clock(t - m.window.startMs) : new Date(t).toISOString().slice(11, 19));
  const rows = c.rows.map((r) => [mark(r.withinBound), `<code>${escapeMarkup(r.fault)}</code>`, escapeMarkup(r.kind), escapeMarkup(r.status), r.startMs === null ? 'never applied' : `${at(r.startMs)}–${at(r.endMs)}`, escapeMarkup(r.recovery), escapeMarkup(formatValue(r.recoveryMs, 'ms'))]);
  return `<h2>Chaos</h2><p>Recovery bound ${c.recoveryBoundS} s: ${c.ok ? '<span class="ok">every fault recovered in time</span>' : `<span class="bad">${escapeMarkup(c.problems.join('; '))}</span>`}. Fault windows are shaded on the charts.</p>` +
    table(['', 'fault', 'kind', 'status', 'window (run time)', 'recovery', 'recovered after'], rows, [6]);
}

function requestLogBlock(m: ReportModel): string {
  const a = m.requestLog;
  if (!a) return '<p class="sub">No request log for this run (the target is not the embedded one, or it ran without one: MOSHPIT_REQUEST_LOG=on records it).</p>';
  const t = a.totals;
  let out = `<p>${t.requests} requests: ${t.rejections} business rejections, ${t.requestErrors} request errors, ${t.serverErrors} server errors; error rate ${escapeMarkup(formatValue(t.errorRate, 'percentunit'))}, p95 ${escapeMarkup(formatValue(t.p95, 'ms'))}.</p>`;
  out += table(['endpoint', 'requests', 'rejected', 'errors', 'error rate', 'p50', 'p95', 'p99', 'max'], a.endpoints.map((e) => [
    `<code>${escapeMarkup(e.endpoint)}</code>`, String(e.requests), String(e.rejections), String(e.requestErrors + e.serverErrors), escapeMarkup(formatValue(e.errorRate, 'percentunit')),
    ...[e.p50, e.p95, e.p99, e.max].map((v) => escapeMarkup(formatValue(v, 'ms'))),
  ]), [1, 2, 3, 4, 5, 6, 7, 8]);
  out += '<h3>Failures by code</h3>';
  out += a.failuresByCode.length
    ? table(['status', 'code', 'class', 'count', 'endpoints'], a.failuresByCode.map((c) => [String(c.status), `<code>${escapeMarkup(c.code)}</code>`, escapeMarkup(c.class), String(c.count), escapeMarkup(c.endpoints.join(', '))]), [0, 3])
    : '<p class="sub">Every answer was 2xx.</p>';
  const w = a.walletMismatches;
  out += `<h3>Wallet mismatches</h3><p>${w.wallets} wallets: ${w.byKind.unknown_write_outcome} writes with an unknown outcome (5xx), ${w.byKind.replay_changed_answer} replays answered differently from the original.</p>`;
  if (w.examples.length) out += table(['at', 'wallet', 'kind', 'endpoint', 'status'], w.examples.map((x) => [escapeMarkup(x.at), `<code>${escapeMarkup(x.walletId)}</code>`, escapeMarkup(x.kind), escapeMarkup(x.endpoint), escapeMarkup(`${x.status}${x.code ? ` ${x.code}` : ''}${x.originalStatus !== undefined ? ` (original ${x.originalStatus})` : ''}`)]));
  return out + chartSection(m, ['requestLog']);
}

export function renderHtml(m: ReportModel): string {
  const figures = m.keyFigures.map((f) => `<div class="card"><div class="v">${escapeMarkup(f.value)}</div><div class="l">${escapeMarkup(f.label)}</div></div>`).join('');
  const seriesNote = m.timeSeries === 'influxdb'
    ? '<p class="sub">Time series from InfluxDB: the same queries as the Grafana dashboards (monitoring/grafana/).</p>'
    : '<p class="note">This run did not stream to InfluxDB, so there are no load time series: latency and throughput below are whole-run figures from summary.json. Database charts come from the db monitor (db-monitor.json), request charts from the target\'s log. Run with <code>--influx</code> for time series.</p>';
  const failedChecks = m.failedChecks.length ? `<h3>Failed checks</h3>${table(['check', 'passed', 'failed'], m.failedChecks.map((c) => [escapeMarkup(c.name), String(c.passes), `<span class="bad">${c.fails}</span>`]), [1, 2])}` : '';
  const bands = m.bands.length ? `<p class="sub">Shaded on the charts: chaos fault windows — ${m.bands.map((b) => escapeMarkup(`${b.label} ${new Date(b.startMs).toISOString().slice(11, 19)}–${new Date(b.endMs).toISOString().slice(11, 19)}`)).join(', ')}.</p>` : '';
  const preflight = m.preflight ? `<h3>Pre-flight: ${escapeMarkup(m.preflight.verdict)}</h3>${table(['', 'check', 'detail'], m.preflight.checks.map((c) => [mark(c.ok), escapeMarkup(c.name), escapeMarkup(c.detail)]))}` : '';
  const notes = m.notes.length ? `<h2>Notes</h2>${m.notes.map((n) => `<p class="note">${escapeMarkup(n)}</p>`).join('')}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>moshpit ${escapeMarkup(m.verdict)} · ${escapeMarkup(m.runId)}</title><style>${CSS}</style></head>
<body><main>
<h1>moshpit run report</h1><div class="sub"><code>${escapeMarkup(m.runId)}</code> · ${escapeMarkup(m.scenario)} / ${escapeMarkup(m.profile)} · generated ${escapeMarkup(m.generatedAt)}</div>
${verdictBlock(m)}
<div class="cards">${figures}</div>
<h2>Thresholds</h2>${thresholdsBlock(m)}${failedChecks}
<h2>SLO tiers over time</h2>${sloTiersBlock(m)}
<h2>Load and latency</h2>${seriesNote}${bands}
${m.timeSeries === 'influxdb' ? chartSection(m, ['load', 'latency']) : latencyFallback(m)}
${latencyTable(m)}
<h2>Money</h2>${moneyBlock(m)}${chartSection(m, ['money'])}
${m.charts.some((c) => c.section === 'gates') ? `<h2>Gates</h2>${chartSection(m, ['gates'])}` : ''}
${chaosBlock(m)}
<h2>Money validation</h2>${validationBlock(m)}
<h2>Target request log</h2>${requestLogBlock(m)}
${bottleneckHtml(m.bottlenecks.file, m.bottlenecks.series)}
<h2>Database</h2>${m.charts.some((c) => c.section === 'database') ? chartSection(m, ['database']) : '<p class="sub">No database monitor samples for this run.</p>'}
<h2>Environment and versions</h2>${table(['', ''], m.environment.map(([k, v]) => [escapeMarkup(k), escapeMarkup(v)]))}${preflight}
${notes}
</main><script>${SELF_CHECK}</script></body></html>
`;
}
