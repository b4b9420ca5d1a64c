// lib/summary renderers on the summary moshpit writes from the merged metrics stream (k6's
// legacy handleSummary shape: thresholds and checks), and on k6's --new-machine-readable-summary
// shape, which a user's own k6 may hand over (no thresholds in it).
import { describe, expect, it } from 'vitest';
import { StreamAggregator } from '../../core/metrics-stream/aggregator.js';
import { mergeStreams } from '../../core/metrics-stream/merge.js';
import type { StreamRecord } from '../../core/metrics-stream/records.js';
import { evaluateThresholds, k6ShapedSummary } from '../../core/metrics-stream/summary.js';
import { defaultThresholds } from '../../core/thresholds.js';
import { renderJunit } from '../../lib/summary/junit.js';
import { renderMarkdown } from '../../lib/summary/markdown.js';
import type { RunInfo } from '../../lib/summary/report.js';
import { passed, readSummary } from '../../lib/summary/summary-data.js';
import { renderText } from '../../lib/summary/text.js';

const run: RunInfo = { runId: 'test-run', scenario: 'concession', profile: 'smoke', targetKind: 'rest', targetUrl: 'http://127.0.0.1:1' };

/** Four iterations of what a flow records, through the same aggregator the engines use. */
function legacySummary(): unknown {
  const agg = new StreamAggregator();
  const t0 = 1_800_000_000_000;
  for (let i = 0; i < 4; i++) {
    const at = t0 + i * 250;
    agg.trend(at, 'moshpit_order_duration', 120, { op: 'order' });
    agg.counter(at, 'moshpit_order_acked', 1, {});
    agg.counter(at, 'moshpit_order_acked_cents', 650, {});
    agg.rate(at, 'success_rate', true, { op: 'order' });
    agg.rate(at, 'checks', true, { check: 'order total is the sum of its lines' });
    agg.rate(at, 'checks', false, { check: 'fee <rounded> & "split"' });
    agg.rate(at, 'checks', true, { check: 'grouped rule holds' });
  }
  const records: StreamRecord[] = [{ v: 1, type: 'start', source: 'a', engine: 'artillery', runId: 'test-run', startedAt: t0 }, ...agg.drain(), { v: 1, type: 'end', endedAt: t0 + 1000 }];
  const merged = mergeStreams([{ name: 'a', records }]);
  const thresholds = { moshpit_order_duration: ['p(95)<500', 'p(99)<0.001'], success_rate: ['rate>0.5'] };
  return JSON.parse(JSON.stringify(k6ShapedSummary(merged, evaluateThresholds(merged, thresholds))));
}

const legacy = legacySummary();
const machine = {
  version: '2.2.0',
  metadata: {},
  config: { duration: 1 },
  results: {
    metrics: [{ name: 'moshpit_order_duration', type: 'trend', contains: 'time', values: { p95: 120, avg: 120 } }],
    checks: { results: [{ name: 'order total is the sum of its lines', passes: 4, fails: 0 }] },
  },
};

describe('the summary moshpit writes from the merged stream (k6 legacy shape)', () => {
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
      expect.objectContaining({ name: 'grouped rule holds', path: '::grouped rule holds', passes: 4 }),
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
    expect(xml).toContain('name="grouped rule holds"');
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

describe('k6 --new-machine-readable-summary data (a user\'s k6)', () => {
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

describe('the adversarial client share in summary.md', () => {
  it('lists each misbehaviour sent, its expected answer and the mismatches', () => {
    const agg = new StreamAggregator();
    const t0 = 1_800_000_000_000;
    for (let i = 0; i < 3; i++) agg.counter(t0 + i, 'moshpit_adversarial', 1, { kind: 'hostile_amount' });
    agg.counter(t0, 'moshpit_adversarial', 1, { kind: 'conflicting_replay' });
    agg.counter(t0, 'moshpit_adversarial_mismatches', 1, { kind: 'conflicting_replay' });
    const records: StreamRecord[] = [{ v: 1, type: 'start', source: 'a', engine: 'artillery', runId: 'r', startedAt: t0 }, ...agg.drain(), { v: 1, type: 'end', endedAt: t0 + 1000 }];
    const merged = mergeStreams([{ name: 'a', records }]);
    const thresholds = defaultThresholds(['concession'], { abortOnSloBreach: false });
    const md = renderMarkdown(readSummary(JSON.parse(JSON.stringify(k6ShapedSummary(merged, evaluateThresholds(merged, thresholds))))), run);
    expect(md).toContain('### Adversarial clients');
    expect(md).toMatch(/\| ✅ \| hostile_amount \| 3 \| recharge of 0, -500, 12\.5, 100\.0, 1e2 or 10\^20 cents: 400 validation_failed, no money moves \| 0 \|/);
    expect(md).toMatch(/\| ❌ \| conflicting_replay \| 1 \| .*422 idempotency_key_reused.* \| 1 \|/);
    expect(md).toContain('| ❌ | `moshpit_adversarial_mismatches{kind:conflicting_replay}` | `count<1` |');
  });
});
