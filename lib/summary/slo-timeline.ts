// The SLO tier timeline as Markdown (summary.md): one row per time bucket, with the tier and
// every rule that fired there and the value it saw. Pure: no engine or Node imports.
import type { SloTimeline, SloVerdict } from '../../core/slo-tiers.js';

const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)} ms`);
const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)} %`);
const clock = (offsetMs: number) => {
  const s = Math.round(offsetMs / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const ICON = { critical: '🟥 critical', page: '🟧 page', warn: '🟨 warn' } as const;

export function renderSloTimelineMarkdown(t: SloTimeline, verdict: SloVerdict): string {
  const out: string[] = ['', '## SLO tiers over time', ''];
  out.push(`${verdict.ok ? '' : '❌ '}${verdict.text}.`, '');
  out.push(`Buckets of ${t.bucketSeconds} s from t0 (${new Date(t.t0Ms).toISOString()}); p95/p99 of \`http_req_duration\` over every request, error rate of \`http_req_failed\` without the adversarial share.`, '');
  out.push('| bucket | run time | requests | p95 | p99 | error rate | tier | fired (value) |', '|---:|---|---:|---:|---:|---:|---|---|');
  const base = Math.floor(t.t0Ms / 1000) * 1000;
  for (const b of t.buckets) {
    const fired = b.fired.map((f) => `${f.rule} (${f.metric === 'error_rate' ? pct(f.value) : ms(f.value)}${f.sinceBucket < b.index ? `, since bucket ${f.sinceBucket}` : ''})`).join('; ');
    out.push(`| ${b.index} | ${clock(b.startMs - base)}–${clock(b.endMs - base)} | ${b.requests} | ${ms(b.p95)} | ${ms(b.p99)} | ${pct(b.errorRate)} | ${b.tier ? ICON[b.tier] : '–'} | ${fired || '–'} |`);
  }
  out.push('');
  return out.join('\n');
}
