// The log analysis as text for the console (`moshpit analyze-logs`).
import type { LogAnalysis } from './analyze.js';

const pct = (r: number) => `${(r * 100).toFixed(2)}%`;
const msText = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}ms`);
const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

function table(head: string[], rows: string[][], right: Set<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function formatLogAnalysis(a: LogAnalysis): string {
  const out: string[] = [];
  const t = a.totals;
  out.push(`request log: ${a.source}`);
  if (a.window) out.push(`window: ${new Date(a.window.fromMs).toISOString()} .. ${new Date(a.window.toMs).toISOString()} (${a.read.outsideWindow} lines outside)`);
  if (a.read.malformed) out.push(`skipped ${a.read.malformed} lines that are not request-log entries`);
  out.push(
    '',
    `${t.requests} requests: ${t.rejections} business rejections, ${t.requestErrors} request errors, ${t.serverErrors} server errors; ` +
      `error rate ${pct(t.errorRate)}, p95 ${msText(t.p95)}`,
    '',
    'per endpoint (error rate = request + server errors; rejections are business outcomes)',
  );
  out.push(...table(
    ['endpoint', 'requests', 'rejected', 'errors', 'error rate', 'p50', 'p95', 'p99', 'max'],
    a.endpoints.map((e) => [e.endpoint, String(e.requests), String(e.rejections), String(e.requestErrors + e.serverErrors), pct(e.errorRate), msText(e.p50), msText(e.p95), msText(e.p99), msText(e.max)]),
    new Set([1, 2, 3, 4, 5, 6, 7, 8]),
  ));
  out.push('', 'failures by code');
  if (a.failuresByCode.length === 0) out.push('  none: every answer was 2xx');
  else out.push(...table(['status', 'code', 'class', 'count', 'endpoints'], a.failuresByCode.map((c) => [String(c.status), c.code, c.class, String(c.count), c.endpoints.join(', ')]), new Set([0, 3])));
  const m = a.walletMismatches;
  out.push('', `wallet mismatches: ${m.wallets} wallets (unknown write outcome: ${m.byKind.unknown_write_outcome}, replay changed answer: ${m.byKind.replay_changed_answer})`);
  for (const x of m.examples) {
    out.push(`  ${x.at} ${x.walletId} ${x.kind} ${x.endpoint} -> ${x.status}${x.code ? ` ${x.code}` : ''}${x.originalStatus !== undefined ? ` (original ${x.originalStatus})` : ''}`);
  }
  if (Object.keys(a.defects).length) out.push('', `answers shaped by defect modes: ${Object.entries(a.defects).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  out.push('', `per ${a.bucketSeconds === 60 ? 'minute' : `${a.bucketSeconds}s`}`);
  out.push(...table(
    ['start', 'requests', 'rejected', 'errors', 'error rate', 'p95'],
    a.series.map((b) => [time(b.startMs), String(b.requests), String(b.rejections), String(b.errors), pct(b.errorRate), msText(b.p95)]),
    new Set([1, 2, 3, 4, 5]),
  ));
  return out.join('\n');
}
