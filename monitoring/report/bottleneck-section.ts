// The report's "Where the time went" section, from bottlenecks.json and resource-usage.json
// (monitoring/bottleneck/): the findings in one sentence each, the top statements three ways,
// lock waits by relation, sequential scans, and the CPU/RSS plot of the run's processes.
import type { BottleneckFile, ResourceSeriesFile, StatementRow } from '../bottleneck/types.js';
import { whereTheTimeWent } from '../bottleneck/where-time-went.js';
import { formatValue } from './format-units.js';
import { lineChart, PALETTE, type LineSeries } from './svg-chart.js';
import { escapeMarkup } from '../../core/escape.js';

const TOP_IN_REPORT = 5;
const mdCell = (s: unknown) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const q = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const statementCells = (r: StatementRow): string[] => [
  q(r.query), r.toplevel ? 'client' : 'in a procedure', String(r.calls), formatValue(r.totalMs, 'ms'), formatValue(r.meanMs, 'ms'), r.shareOfTotal === null ? '–' : formatValue(r.shareOfTotal, 'percentunit'),
];
const STATEMENT_HEAD = ['statement', 'from', 'calls', 'total', 'mean', 'share'];

function statementTables(b: BottleneckFile): Array<{ title: string; rows: string[][] }> {
  const s = b.statements;
  if (!s.available) return [];
  return [
    { title: 'Top statements by total time', rows: s.byTotalTime.slice(0, TOP_IN_REPORT).map(statementCells) },
    { title: 'Top statements by mean time', rows: s.byMeanTime.slice(0, TOP_IN_REPORT).map(statementCells) },
    { title: 'Top statements by calls', rows: s.byCalls.slice(0, TOP_IN_REPORT).map(statementCells) },
  ];
}

function lockRows(b: BottleneckFile): string[][] {
  return b.lockWaits.available ? b.lockWaits.byRelation.slice(0, 10).map((r) => [r.relation, r.locktype, r.waitEvent, String(r.samples), String(r.maxWaiting), formatValue(r.waitSeconds, 's')]) : [];
}
const LOCK_HEAD = ['relation', 'lock type', 'wait event', 'samples', 'max waiting', '≈ wait'];

function scanRows(b: BottleneckFile): string[][] {
  return b.seqScans.available ? b.seqScans.tables.slice(0, 10).map((t) => [t.table, t.large ? 'large' : 'small', String(t.liveRows), String(t.seqScans), String(t.seqRowsRead), String(t.indexScans)]) : [];
}
const SCAN_HEAD = ['table', 'size', 'live rows', 'seq scans', 'rows read by them', 'index scans'];

function mdTable(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
}

export function bottleneckMarkdown(b: BottleneckFile | null): string[] {
  const out = ['### Where the time went', ''];
  if (!b) return [...out, '_Not recorded for this run (no bottlenecks.json)._', ''];
  for (const f of whereTheTimeWent(b)) out.push(`- ${f.flag ? '⚠️ ' : ''}${f.text}`);
  out.push('');
  for (const t of statementTables(b)) {
    if (t.rows.length) out.push(`**${t.title}** (pg_stat_statements, during the load)`, '', ...mdTable(STATEMENT_HEAD, t.rows), '');
  }
  const locks = lockRows(b);
  if (locks.length) out.push('**Lock waits by relation**', '', ...mdTable(LOCK_HEAD, locks), '');
  const scans = scanRows(b);
  if (scans.length) out.push('**Sequential scans during the load**', '', ...mdTable(SCAN_HEAD, scans), '');
  if (b.resources.available) out.push('_CPU and RSS over the run: plot in report.html, series in resource-usage.json._', '');
  return out;
}

function htmlTable(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${escapeMarkup(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${i > 0 && /^[\d.,\s]+( ?(ms|s|%|min))?$|^–$/.test(c) ? ' class="n"' : ''}>${i === 0 ? `<code>${escapeMarkup(c)}</code>` : escapeMarkup(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function figure(title: string, description: string, series: LineSeries[], unit: string, window: { startMs: number; endMs: number }): string {
  const drawn = series.filter((s) => s.points.some(([, v]) => v !== null));
  if (drawn.length === 0) return '';
  const svg = lineChart({ series: drawn, unit, startMs: window.startMs, endMs: window.endMs, width: 560, height: 210 });
  const legend = `<ul class="legend">${drawn.map((s, i) => `<li><i style="background:${PALETTE[i % PALETTE.length]}"></i>${escapeMarkup(s.name)}</li>`).join('')}</ul>`;
  return `<figure class="chart"><figcaption>${escapeMarkup(title)}</figcaption><div class="d">${escapeMarkup(description)} <span class="src">(resource-usage.json)</span></div>${svg}${legend}</figure>`;
}

/** The CPU and RSS plots; empty when nothing was sampled. */
export function resourceFigures(series: ResourceSeriesFile | null, window: { startMs: number; endMs: number }): string {
  if (!series) return '';
  const groups = Object.entries(series.groups);
  const cpu = groups.map(([g, pts]) => ({ name: g, points: pts.map((p) => [p.tMs, p.cpuPercent] as [number, number | null]) }));
  const rss = groups.map(([g, pts]) => ({ name: g, points: pts.map((p) => [p.tMs, p.rssMiB] as [number, number | null]) }));
  const figures = figure('CPU by process group', `Percent of one core (100 = one core busy), every ${series.intervalMs} ms from /proc.`, cpu, '', window) +
    figure('Memory (RSS) by process group', 'MiB resident, summed over each group\'s processes (PostgreSQL: postmaster and backends, each counting the shared buffers it touched, so its sum overstates).', rss, '', window);
  return figures ? `<div class="charts">${figures}</div>` : '';
}

export function bottleneckHtml(b: BottleneckFile | null, series: ResourceSeriesFile | null): string {
  const head = '<h2 id="where-the-time-went">Where the time went</h2>';
  if (!b) return `${head}<p class="sub">Not recorded for this run (no bottlenecks.json).</p>`;
  const findings = `<ul>${whereTheTimeWent(b).map((f) => `<li${f.flag ? ' class="bad"' : ''}>${escapeMarkup(f.text).replace(/`([^`]*)`/g, '<code>$1</code>')}</li>`).join('')}</ul>`;
  const statements = statementTables(b).filter((t) => t.rows.length).map((t) => `<h3>${escapeMarkup(t.title)}</h3>${htmlTable(STATEMENT_HEAD, t.rows)}`).join('');
  const locks = lockRows(b);
  const scans = scanRows(b);
  return head + findings + resourceFigures(series, b.window) + statements +
    (locks.length ? `<h3>Lock waits by relation</h3>${htmlTable(LOCK_HEAD, locks)}` : '') +
    (scans.length ? `<h3>Sequential scans during the load</h3>${htmlTable(SCAN_HEAD, scans)}` : '');
}
