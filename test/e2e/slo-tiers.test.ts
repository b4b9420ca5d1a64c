// SLO tiers end to end: a smoke run (25 s of load, 5-second buckets) whose target is slowed by
// 2.5 s for about one second of arrivals inside bucket 2 fires the critical tier in exactly
// that bucket, in summary.json, summary.md and the report, and fails the run; the same run
// without the slow window fires no tier. (Requests that arrive in the window end inside the
// same bucket: the window starts 0.2 s into it and ends 3.7 s before its end.)
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../core/exit-codes.js';
import type { SloTimeline } from '../../core/slo-tiers.js';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir, runScenarioCli, type ScenarioRun } from '../support/scenario-run.js';

const db = await useTestDatabase();
const work = newWorkDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Tiers = SloTimeline & { verdict: { ok: boolean; highest: string | null; text: string } };
const tiersOf = (r: ScenarioRun) => (r.summary as unknown as { moshpit: { sloTiers?: Tiers } } | null)?.moshpit.sloTiers;
const output = (r: ScenarioRun) => `${r.stdout}\n${r.stderr}`.slice(-4000);

describe('SLO tiers on a live run', () => {
  it('a target slowed in one window: critical fires in exactly that bucket and fails the run', async () => {
    const r = await runScenarioCli({
      databaseUrl: db.url, scenario: 'concession', workDir: work,
      args: ['--profile', 'smoke', '--slow-window', '10.2+1.1:2500'],
      env: { MOSHPIT_SLO_POLICY: 'enforce' },
    });
    const tiers = tiersOf(r);
    expect(tiers, output(r)).toBeDefined();
    expect(tiers!.bucketSeconds).toBe(5);
    expect(tiers!.buckets.length).toBeGreaterThanOrEqual(5);
    // The window as the target got it, on the run's clock.
    const windows = JSON.parse(readFileSync(join(r.runDir!, 'slow-windows.json'), 'utf8')) as Array<{ fromMs: number; toMs: number; slowMs: number }>;
    expect(windows).toEqual([{ fromMs: tiers!.t0Ms + 10_200, toMs: tiers!.t0Ms + 11_300, slowMs: 2500 }]);
    const byBucket = tiers!.buckets.map((b) => b.tier);
    expect(byBucket[2], JSON.stringify(tiers!.buckets.map((b) => ({ i: b.index, n: b.requests, p95: b.p95, p99: b.p99, e: b.errorRate, fired: b.fired })))).toBe('critical');
    expect(byBucket.filter((t, i) => i !== 2 && t !== null)).toEqual([]);
    expect(tiers!.buckets[2]!.fired.map((f) => f.rule)).toEqual(['critical p99 > 2000 ms']);
    expect(tiers!.buckets[2]!.fired[0]!.value).toBeGreaterThan(2000);
    expect(tiers!.verdict).toMatchObject({ ok: false, highest: 'critical' });
    expect(r.code, output(r)).toBe(EXIT.thresholds);
    expect(r.stderr).toMatch(/SLO tiers: highest SLO tier critical in bucket\(s\) 2 of 5 s: critical fails the run/);

    expect(readFileSync(join(r.runDir!, 'junit.xml'), 'utf8')).toMatch(/<testcase classname="moshpit\.concession\.slo" name="SLO tiers per time bucket">\s*<failure message="highest SLO tier critical in bucket\(s\) 2/);
    const md = readFileSync(join(r.runDir!, 'summary.md'), 'utf8');
    expect(md).toContain('## SLO tiers over time');
    expect(md).toMatch(/\| 2 \| 0:10–0:15 \| \d+ \| \d+ ms \| \d+ ms \| [\d.]+ % \| 🟥 critical \| critical p99 > 2000 ms \(\d+ ms\) \|/);
    // The report (HTML and Markdown) shows the same bucket.
    expect(existsSync(join(r.runDir!, 'report.html'))).toBe(true);
    const html = readFileSync(join(r.runDir!, 'report.html'), 'utf8');
    expect(html).toMatch(/<tr class="tier-critical"><td class="n">2<\/td><td>0:10–0:15<\/td>/);
    expect(readFileSync(join(r.runDir!, 'report.md'), 'utf8')).toMatch(/\| 2 \| 0:10–0:15 \|.*critical/);
  }, 400_000);

  it('the same run without the slow window fires no tier', async () => {
    const r = await runScenarioCli({
      databaseUrl: db.url, scenario: 'concession', workDir: work,
      args: ['--profile', 'smoke', '--no-report'],
      env: { MOSHPIT_SLO_POLICY: 'enforce' },
    });
    const tiers = tiersOf(r);
    expect(tiers, output(r)).toBeDefined();
    expect(tiers!.buckets.length).toBeGreaterThanOrEqual(5);
    expect(tiers!.buckets.flatMap((b) => b.fired), JSON.stringify(tiers!.buckets.map((b) => ({ n: b.requests, p99: b.p99, e: b.errorRate })))).toEqual([]);
    expect(tiers!.verdict).toMatchObject({ ok: true, highest: null });
    expect(r.code, output(r)).toBe(EXIT.ok);
    expect(readFileSync(join(r.runDir!, 'summary.md'), 'utf8')).toMatch(/no SLO tier fired \(\d+ buckets of 5 s\)/);
  }, 400_000);
});
