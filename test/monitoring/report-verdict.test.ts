// The report's verdict and money sections on hand-made runs with exact figures: a failed run
// puts its breached thresholds and the checkers' witnesses in front of the reader, in HTML and
// in Markdown; a run that never finished says INCOMPLETE instead of guessing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRunReport } from '../../monitoring/report/generate.js';
import { passingChecker, synthetic, writeSyntheticRun } from './synthetic-run.js';

const results = mkdtempSync(join(tmpdir(), 'mp-report-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

describe('report verdict', () => {
  it('a failed run: breached thresholds first, witnesses shown, no InfluxDB noted', async () => {
    const dir = writeSyntheticRun(results, {
      runId: '20260101-120000-concession-f00d',
      scenario: 'concession',
      exitCode: 99,
      loadExit: 0,
      metrics: { moshpit_order_duration: synthetic.trend(950, { 'p(95)<800': { ok: false }, 'p(99)<1000': { ok: false } }) },
      checkers: [
        passingChecker('ledger-sum'),
        {
          ...passingChecker('no-negative-balance'), ok: false, violations: 2, anomaly: 'negative-balance',
          witnesses: [{ wallet_id: 'k6-test-w-000042', balance_cents: -250 }, { wallet_id: 'k6-test-w-000043', balance_cents: -10 }],
        },
      ],
    });
    writeFileSync(join(dir, 'chaos-report.json'), JSON.stringify({
      recoveryBoundS: 30,
      verdict: { ok: false, problems: ['db-down did not recover within 30 s'] },
      windows: [{ fault: 'db-down', kind: 'toxic', status: 'done', startMs: null, endMs: null, recovery: 'not-recovered', recoveryMs: null, withinBound: false }],
    }));
    const r = await generateRunReport(dir);
    expect(r.timeSeries).toBe('summary');
    const html = readFileSync(r.html, 'utf8');
    expect(html).toMatch(/<div class="verdict FAIL"><div class="word">FAIL<\/div><div><div>exit code 99<\/div>/);
    expect(html).toContain('✘ <b>load thresholds</b>: 2 of 8 breached: moshpit_order_duration p(95)&lt;800, moshpit_order_duration p(99)&lt;1000');
    expect(html).not.toContain('<b>load step</b>'); // every load process ended normally
    expect(html).toContain('✘ <b>money validation</b>: failed: 2 checkers, 2 violations');
    expect(html).toContain('✘ <b>chaos recovery</b>: db-down did not recover within 30 s');
    expect(html).toMatch(/<h2>Chaos<\/h2>.*<td><code>db-down<\/code><\/td><td>toxic<\/td><td>done<\/td><td>never applied<\/td><td>not-recovered<\/td>/);
    // The first threshold row is a breached one, with the value it saw.
    expect(html).toMatch(/<h2>Thresholds<\/h2><table><thead>.*?<\/thead><tbody><tr><td><span class="bad">✘<\/span><\/td><td><code>moshpit_order_duration<\/code><\/td><td><code>p\(95\)&lt;800<\/code><\/td><td class="n">950 ms<\/td>/);
    expect(html).toMatch(/<details open><summary><code>no-negative-balance<\/code>: 2 violations, 2 witnesses \(negative-balance\)<\/summary><table><thead><tr><th>wallet_id<\/th><th>balance_cents<\/th><\/tr><\/thead><tbody><tr><td>k6-test-w-000042<\/td><td>-250<\/td>/);
    expect(html).toContain('did not stream to InfluxDB');
    // Money: acknowledged to the load, with amounts in currency units.
    expect(html).toContain('<td>order</td><td class="n">40</td><td class="n">1,234.56</td>');

    const md = readFileSync(r.markdown, 'utf8');
    expect(md).toMatch(/^## moshpit ❌ FAIL — `20260101-120000-concession-f00d`/);
    expect(md).toContain('| ❌ | `moshpit_order_duration` | `p(95)<800` | 950 ms |');
    expect(md).toContain('{"wallet_id":"k6-test-w-000042","balance_cents":-250}');
  });

  it('a run that never finished is INCOMPLETE and says what is missing', async () => {
    const dir = writeSyntheticRun(results, { runId: '20260101-130000-full-dead', exitCode: null });
    rmSync(join(dir, 'summary.json'));
    rmSync(join(dir, 'validation.json'));
    writeFileSync(join(dir, 'db-monitor.json'), '{"version": 1, "samples": [tr'); // torn by a crash
    const r = await generateRunReport(dir);
    const html = readFileSync(r.html, 'utf8');
    expect(html).toMatch(/<div class="verdict INCOMPLETE">/);
    expect(html).toContain('no summary.json: the load did not finish');
    expect(r.notes).toContain('No summary.json: the load did not finish, so there are no thresholds or whole-run figures.');
    expect(r.notes.some((n) => n.startsWith('could not read db-monitor.json:'))).toBe(true);
    expect(readFileSync(r.markdown, 'utf8')).toMatch(/^## moshpit ⚠️ INCOMPLETE/);
  });
});
