// "Where the time went": one plain sentence per part of bottlenecks.json, for report.md and
// report.html. What could not be measured says so, with why.
import type { BottleneckFile } from './types.js';

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(2)} ms`);
const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 1000) / 10} %`);
const short = (q: string, n = 90) => (q.length > n ? `${q.slice(0, n - 1)}…` : q);

export interface TimeFinding { part: 'statements' | 'locks' | 'pool' | 'seq-scans' | 'resources'; text: string; /** a likely bottleneck */ flag: boolean }

export function whereTheTimeWent(b: BottleneckFile): TimeFinding[] {
  const out: TimeFinding[] = [];
  const s = b.statements;
  if (!s.available) out.push({ part: 'statements', text: `Statements: not measured — ${s.reason}.`, flag: false });
  else {
    const top = s.byTotalTime.find((r) => r.toplevel) ?? s.byTotalTime[0];
    const nested = s.byTotalTime.find((r) => !r.toplevel);
    out.push({
      part: 'statements',
      text: top
        ? `Statements: ${ms(s.totalMs)} of execution in ${s.statements} distinct statements; the most expensive, \`${short(top.query)}\`, took ${ms(top.totalMs)} (${pct(top.shareOfTotal)}) in ${top.calls} calls, ${ms(top.meanMs)} each.` +
          (nested ? ` Inside the procedures the costliest statement is \`${short(nested.query)}\` (${ms(nested.totalMs)}, ${nested.calls} calls).` : '')
        : 'Statements: no statement ran in the database during the load.',
      flag: false,
    });
  }
  const l = b.lockWaits;
  if (!l.available) out.push({ part: 'locks', text: `Lock waits: not measured — ${l.reason}.`, flag: false });
  else if (l.byRelation.length === 0) out.push({ part: 'locks', text: `Lock waits: none seen in ${l.samples} samples (every ${l.intervalMs} ms).`, flag: false });
  else {
    const w = l.byRelation[0]!;
    const total = l.byRelation.reduce((a, r) => a + r.waitSeconds, 0);
    out.push({ part: 'locks', text: `Lock waits: about ${total.toFixed(1)} s of waiting backends in total; most on \`${w.relation}\` (${w.locktype}, ${w.waitEvent}): ${w.waitSeconds.toFixed(1)} s, up to ${w.maxWaiting} waiting at once.`, flag: true });
  }
  const p = b.pool;
  if (!p.available) out.push({ part: 'pool', text: `Target pool: not measured — ${p.reason}.`, flag: false });
  else {
    const saturated = p.saturatedSeconds > 0;
    out.push({
      part: 'pool',
      text: `Target pool: ${p.size} connections, at most ${p.inUseMax} in use (${p.inUseAvg} on average); ` +
        (saturated ? `requests queued for a connection in ${p.saturatedSeconds} of ${p.seconds} s (up to ${p.waitingMax} waiting): the pool is a bottleneck.` : 'no request ever waited for a connection.'),
      flag: saturated,
    });
  }
  const t = b.seqScans;
  if (!t.available) out.push({ part: 'seq-scans', text: `Sequential scans: not measured — ${t.reason}.`, flag: false });
  else {
    const large = t.tables.filter((x) => x.large);
    out.push({
      part: 'seq-scans',
      text: large.length
        ? `Sequential scans on large tables (≥ ${t.largeTableRows} rows): ${large.map((x) => `\`${x.table}\` ${x.seqScans}× (${x.seqRowsRead} rows read, ${x.liveRows} live)`).join(', ')}.`
        : `Sequential scans: none on a table of ${t.largeTableRows} rows or more${t.tables.length ? ` (${t.tables.length} small table(s) scanned, as the planner should)` : ''}.`,
      flag: large.length > 0,
    });
  }
  const r = b.resources;
  if (!r.available) out.push({ part: 'resources', text: `CPU and memory: not sampled — ${r.reason}.`, flag: false });
  else {
    const parts = Object.entries(r.groups).map(([g, u]) => `${g} ${u.cpuPercentAvg} % CPU on average (peak ${u.cpuPercentMax} %), RSS peak ${u.rssPeakMiB} MiB`);
    const busiest = Object.entries(r.groups).sort((a, b2) => b2[1].cpuSeconds - a[1].cpuSeconds)[0];
    const missing = Object.entries(r.missing).map(([g, why]) => `${g}: ${why}`);
    out.push({
      part: 'resources',
      text: `CPU and memory (100 % = one core): ${parts.join('; ')}.${busiest ? ` Busiest: ${busiest[0]}.` : ''}${missing.length ? ` Not sampled — ${missing.join('; ')}.` : ''}`,
      flag: false,
    });
  }
  return out;
}
