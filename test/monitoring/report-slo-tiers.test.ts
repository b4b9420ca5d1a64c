// The report's SLO tier timeline on a hand-made run: the bucket where a tier fired is marked
// with the rule and the value, in HTML and Markdown, and the verdict lists the tiers' outcome.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SloBucket } from '../../core/metrics-stream/slo-buckets.js';
import { evaluateSloTiers, sloVerdict } from '../../core/slo-tiers.js';
import { generateRunReport } from '../../monitoring/report/generate.js';
import { writeSyntheticRun } from './synthetic-run.js';

const results = mkdtempSync(join(tmpdir(), 'mp-report-slo-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const T0 = Date.parse('2026-01-01T12:00:00.000Z');

function bucket(index: number, p99: number, errorRate = 0): SloBucket {
  return { index, startMs: T0 + index * 60_000, endMs: T0 + (index + 1) * 60_000, requests: 500, p95: p99 / 2, p99, errorRate, failed: Math.round(errorRate * 500) };
}

function withTiers(runId: string, buckets: SloBucket[], policy = { ci: false, enforce: true }): string {
  const dir = writeSyntheticRun(results, { runId, scenario: 'concession', exitCode: 99 });
  const timeline = evaluateSloTiers(buckets, T0, 60);
  const verdict = sloVerdict(timeline, policy);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { moshpit: Record<string, unknown> };
  summary.moshpit.sloTiers = { ...timeline, policy, verdict: { ok: verdict.ok, highest: verdict.highest, rollback: verdict.rollback, text: verdict.text } };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}

describe('report: SLO tiers over time', () => {
  it('marks the bucket where critical fired, with its rule and value', async () => {
    const dir = withTiers('20260101-120000-concession-5107', [bucket(0, 80), bucket(1, 80), bucket(2, 2600), bucket(3, 90)]);
    const r = await generateRunReport(dir);
    const html = readFileSync(r.html, 'utf8');
    expect(html).toContain('<h2>SLO tiers over time</h2>');
    expect(html).toContain('✘ <b>SLO tiers</b>: highest SLO tier critical in bucket(s) 2 of 60 s: critical fails the run');
    expect(html).toMatch(/<tr class="tier-critical"><td class="n">2<\/td><td>2:00–3:00<\/td><td class="n">500<\/td><td class="n">[^<]+<\/td><td class="n">2.6 s<\/td><td class="n">0[^<]*%<\/td><td><b>critical<\/b><\/td><td>critical p99 &gt; 2000 ms \(2.6 s\)<\/td><\/tr>/);
    // The other buckets are plain rows.
    expect(html.match(/<tr class="tier-/g)).toHaveLength(1);
    const md = readFileSync(r.markdown, 'utf8');
    expect(md).toContain('### SLO tiers over time');
    expect(md).toMatch(/\| 2 \| 2:00–3:00 \| 500 \| .* \| 2.6 s \| .* \| critical \| critical p99 > 2000 ms \(2.6 s\) \|/);
  });

  it('a page outside CI mode is reported with the streak it needed, and rollback triggers are named', async () => {
    const dir = withTiers('20260101-130000-concession-5108', [bucket(0, 80), bucket(1, 1500), bucket(2, 1500), bucket(3, 80)]);
    const r = await generateRunReport(dir);
    const html = readFileSync(r.html, 'utf8');
    expect(html).toContain('• <b>SLO tiers</b>: highest SLO tier page in bucket(s) 2 of 60 s: page is reported (it fails the run in CI mode: --ci or CI=true); rollback trigger fired in bucket(s) 2');
    expect(html).toMatch(/<tr class="tier-page"><td class="n">2<\/td>.*page p99 &gt; 1200 ms \(1.5 s, since bucket 1\)<br>rollback p99 &gt; 1200 ms/);
  });

  it('a run without a timeline says so', async () => {
    const dir = writeSyntheticRun(results, { runId: '20260101-140000-concession-5109' });
    const html = readFileSync((await generateRunReport(dir)).html, 'utf8');
    expect(html).toContain('No SLO tier timeline for this run.');
    expect(html).not.toContain('<b>SLO tiers</b>');
  });
});
