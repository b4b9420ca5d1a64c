// The table `moshpit bench` prints (Markdown, so it pastes into bench/README.md as is).
import type { BenchReport, Figure, Row } from './types.js';

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100) return Math.round(n).toLocaleString('en');
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  if (a === 0) return '0';
  if (a >= 0.1) return n.toFixed(2);
  return n.toPrecision(2);
}

export function formatFigure(f: Figure): string {
  const spread = f.samples.length > 1 ? ` (n=${f.samples.length}, range ${f.spreadPercent.toFixed(0)}%)` : '';
  return `${formatNumber(f.value)} ${f.unit}${spread}`;
}

export function formatRatio(r: Row): string {
  if (r.ratio === null) return '—';
  return `**${formatNumber(r.ratio)}×** ${r.ratioLabel ?? ''}`.trim();
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function formatTable(report: Pick<BenchReport, 'results'>): string {
  const lines = ['| benchmark | measure | subject | reference | ratio | note |', '| --- | --- | --- | --- | --- | --- |'];
  for (const result of report.results) {
    if (!result.ok) {
      lines.push(`| ${result.name} | FAILED | — | — | — | ${cell(result.error ?? 'unknown error')} |`);
      continue;
    }
    for (const r of result.rows) {
      const reference = r.reference ? `${r.referenceLabel}: ${formatFigure(r.reference)}` : '—';
      lines.push(`| ${result.name} | ${cell(r.measure)} | ${cell(formatFigure(r.subject))} | ${cell(reference)} | ${cell(formatRatio(r))} | ${cell(r.note ?? '')} |`);
    }
    for (const s of result.skipped ?? []) lines.push(`| ${result.name} | ${cell(s.measure)} | skipped | — | — | ${cell(s.reason)} |`);
  }
  return lines.join('\n');
}

export function formatMachine(report: BenchReport): string {
  const m = report.machine;
  const load = report.results.map((r) => `${r.name} ${r.loadAverage.before}→${r.loadAverage.after}`).join(', ');
  return [
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel} (${m.os})`,
    `versions: PostgreSQL ${m.postgres}, ${m.pgbench}, Artillery ${m.artillery}, k6 ${m.k6}, Node.js ${m.node}, git ${m.gitRevision ?? 'unknown'}`,
    `mode: ${report.mode}, ${report.repeat} sample(s) per measurement (median shown, range = (max-min)/median), ${report.seconds.toFixed(0)} s in all`,
    `load average (1 min) before→after each benchmark: ${load}`,
  ].join('\n');
}
