// lib/summary renderers on what real k6 v2 hands to handleSummary(): the default format
// (thresholds and checks, incl. groups) and --new-machine-readable-summary (no thresholds).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJunit } from '../../lib/summary/junit.js';
import { renderMarkdown } from '../../lib/summary/markdown.js';
import type { RunInfo } from '../../lib/summary/report.js';
import { passed, readSummary } from '../../lib/summary/summary-data.js';
import { renderText } from '../../lib/summary/text.js';
import { k6Binary, runK6 } from './k6-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'mp-k6-summary-'));
const run: RunInfo = { runId: 'test-run', scenario: 'concession', profile: 'smoke', targetKind: 'rest', targetUrl: 'http://127.0.0.1:1' };
let legacy: unknown;
let machine: unknown;

const SCRIPT = `
import { check, group } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
const latency = new Trend('moshpit_order_duration', true);
const acked = new Counter('moshpit_order_acked');
const ackedCents = new Counter('moshpit_order_acked_cents');
const success = new Rate('success_rate');
export const options = {
  iterations: 4, vus: 1,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  thresholds: { moshpit_order_duration: ['p(95)<500', 'p(99)<0.001'], success_rate: ['rate>0.5'] },
};
export default function () {
  latency.add(120); acked.add(1); ackedCents.add(650); success.add(true);
  check(1, { 'order total is the sum of its lines': () => true, 'fee <rounded> & "split"': () => false });
  group('gate', () => { check(1, { 'grouped rule holds': () => true }); });
}
export function handleSummary(data) { return { [__ENV.OUT]: JSON.stringify(data) }; }
`;

beforeAll(async () => {
  const k6 = await k6Binary();
  const script = join(work, 'script.js');
  writeFileSync(script, SCRIPT);
  const outLegacy = join(work, 'legacy.json');
  const outMachine = join(work, 'machine.json');
  await runK6(k6, ['run', '--no-usage-report', '--quiet', script], { OUT: outLegacy });
  await runK6(k6, ['run', '--no-usage-report', '--quiet', '--new-machine-readable-summary', script], { OUT: outMachine });
  legacy = JSON.parse(readFileSync(outLegacy, 'utf8'));
  machine = JSON.parse(readFileSync(outMachine, 'utf8'));
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('handleSummary data from k6 v2 (default format)', () => {
  it('yields thresholds with their observed values and every check, grouped ones too', () => {
    const view = readSummary(legacy);
    expect(view.format).toBe('legacy');
    expect(view.thresholds).toEqual(expect.arrayContaining([
      { metric: 'moshpit_order_duration', expression: 'p(95)<500', ok: true, aggregate: 'p(95)', observed: 120 },
      { metric: 'moshpit_order_duration', expression: 'p(99)<0.001', ok: false, aggregate: 'p(99)', observed: 120 },
      { metric: 'success_rate', expression: 'rate>0.5', ok: true, aggregate: 'rate', observed: 1 },
    ]));
    expect(passed(view)).toBe(false);
    expect(view.checks).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'order total is the sum of its lines', passes: 4, fails: 0 }),
      expect.objectContaining({ name: 'fee <rounded> & "split"', passes: 0, fails: 4 }),
      expect.objectContaining({ name: 'grouped rule holds', path: '::gate::grouped rule holds', passes: 4 }),
    ]));
  });

  it('renders JUnit with thresholds and checks as testcases', () => {
    const xml = renderJunit(readSummary(legacy), run);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toMatch(/<testsuites [^>]*tests="6" failures="2"/);
    expect(xml).toContain('<testsuite name="thresholds" tests="3" failures="1"');
    expect(xml).toContain('<testsuite name="checks" tests="3" failures="1"');
    expect(xml).toContain('name="moshpit_order_duration: p(99)&lt;0.001"');
    expect(xml).toContain('<failure message="threshold crossed: p(99)=120.0ms"/>');
    expect(xml).toContain('name="fee &lt;rounded&gt; &amp; &quot;split&quot;"');
    expect(xml).toContain('<failure message="4 of 4 failed"/>');
    expect(xml).toContain('name="gate / grouped rule holds"');
    // Balanced: every opened testcase/testsuite closes.
    expect((xml.match(/<testsuite /g) ?? []).length).toBe((xml.match(/<\/testsuite>/g) ?? []).length);
  });

  it('renders Markdown and text with the verdict, operations and writes', () => {
    const view = readSummary(legacy);
    const md = renderMarkdown(view, run);
    expect(md).toContain('## moshpit `concession` — ❌ failed');
    expect(md).toContain('| ❌ | `moshpit_order_duration` | `p(99)<0.001` | p(99)=120.0ms |');
    expect(md).toContain('| order | 4 | 120.0ms |');
    expect(md).toContain('| order | 4 (26.00) |');
    const text = renderText(view, run);
    expect(text).toContain('FAILED');
    expect(text).toMatch(/✗ moshpit_order_duration\s+p\(99\)<0\.001/);
    expect(text).toContain('✗ fee <rounded> & "split"  (4 of 4 failed)');
    expect(text).toContain('success rate');
  });
});

describe('handleSummary data with --new-machine-readable-summary', () => {
  it('keeps the checks and says the thresholds are missing', () => {
    const view = readSummary(machine);
    expect(view.format).toBe('machine-readable');
    expect(view.thresholdsAvailable).toBe(false);
    expect(view.checks.map((c) => c.name)).toContain('order total is the sum of its lines');
    expect(view.metrics.moshpit_order_duration?.values['p(95)']).toBe(120);
    expect(renderJunit(view, run)).toContain('name="thresholds reported by k6"');
    expect(renderText(view, run)).toContain('THRESHOLDS NOT REPORTED');
  });
});
