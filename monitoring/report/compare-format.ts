// A comparison as text for the console and as Markdown for CI; regressions first.
import { formatValue } from './format-units.js';
import type { Change, Comparison, RunHeadline } from './compare-runs.js';

function show(c: Change, v: number | string | null): string {
  if (v === null) return '–';
  if (typeof v === 'string') return v;
  if (c.unit === 'ms') return formatValue(v, 'ms');
  if (c.unit === 'rate') return formatValue(v, 'percentunit');
  if (c.unit === 'per s') return `${formatValue(v, 'short')}/s`;
  return String(Math.round(v * 1000) / 1000);
}

function change(c: Change): string {
  if (c.delta === null) return '';
  if (c.unit === 'rate') return `${c.delta >= 0 ? '+' : ''}${(c.delta * 100).toFixed(2)} pp`;
  if (c.relative !== null) return `${c.relative >= 0 ? '+' : ''}${(c.relative * 100).toFixed(1)}%`;
  return c.delta === 0 ? '' : `${c.delta > 0 ? '+' : ''}${Math.round(c.delta * 1000) / 1000}`;
}

const flag = (c: Change) => (c.regression ? 'REGRESSION' : c.improvement ? 'better' : '');
const who = (h: RunHeadline) => `${h.runId} (${h.scenario}/${h.profile}, ${h.verdict})`;

function rows(changes: Change[]): string[][] {
  return changes.map((c) => [flag(c), c.group, c.name, show(c, c.a), show(c, c.b), change(c)]);
}

function textTable(head: string[], body: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)];
}

const HEAD = ['', 'group', 'what', 'A', 'B', 'change'];

/** Only changed or notable lines unless `all`. */
function shown(c: Comparison, all: boolean): Change[] {
  return all ? c.changes : c.changes.filter((x) => x.regression || x.improvement || (x.delta !== null && x.delta !== 0 && x.group !== 'thresholds'));
}

export function formatComparison(c: Comparison, all = false): string {
  const out = [`A: ${who(c.a)}`, `B: ${who(c.b)}`];
  for (const w of c.caveats) out.push(`note: ${w}`);
  out.push('', c.regressions.length ? `${c.regressions.length} REGRESSION(S):` : 'no regressions.');
  if (c.regressions.length) out.push(...textTable(HEAD, rows(c.regressions)));
  const rest = shown(c, all).filter((x) => !x.regression);
  if (rest.length) out.push('', all ? 'everything compared:' : 'other changes:', ...textTable(HEAD, rows(rest)));
  return out.join('\n');
}

export function comparisonMarkdown(c: Comparison, all = false): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const table = (list: Change[]) => ['| | group | what | A | B | change |', '|---|---|---|---:|---:|---:|', ...rows(list).map((r) => `| ${r.map(cell).join(' | ')} |`)];
  const out = [`## moshpit compare: ${c.regressions.length ? `❌ ${c.regressions.length} regression(s)` : '✅ no regressions'}`, '', `- A: \`${c.a.runId}\` (${c.a.scenario}/${c.a.profile}, ${c.a.verdict})`, `- B: \`${c.b.runId}\` (${c.b.scenario}/${c.b.profile}, ${c.b.verdict})`];
  for (const w of c.caveats) out.push(`- note: ${w}`);
  if (c.regressions.length) out.push('', '### Regressions', '', ...table(c.regressions));
  const rest = shown(c, all).filter((x) => !x.regression);
  if (rest.length) out.push('', '### Other changes', '', ...table(rest));
  return `${out.join('\n')}\n`;
}
