// The merged metrics stream: histograms that merge exactly, percentiles within the stated
// accuracy, thresholds judged on the merge (a p95 each shard passes can fail globally).
import { describe, expect, it } from 'vitest';
import { ACCURACY, addSample, emptyHistogram, mergeHistogram, quantile } from '../../core/metrics-stream/histogram.js';
import { StreamAggregator } from '../../core/metrics-stream/aggregator.js';
import { mergeStreams, parseSelector, parseStreamText, StreamFormatError } from '../../core/metrics-stream/merge.js';
import type { StreamRecord } from '../../core/metrics-stream/records.js';
import { evaluateThresholds, k6ShapedSummary, parseExpression } from '../../core/metrics-stream/summary.js';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

// Deterministic pseudo-random samples (no Math.random: the same test, the same numbers).
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (1664525 * s + 1013904223) >>> 0) / 2 ** 32);
}

function stream(source: string, samples: Array<{ t: number; ms: number; ok?: boolean; tags?: Record<string, string> }>, end = true): StreamRecord[] {
  const agg = new StreamAggregator();
  for (const s of samples) {
    agg.trend(s.t, 'moshpit_order_duration', s.ms, { op: 'order', ...(s.tags ?? {}) });
    agg.rate(s.t, 'checks', s.ok ?? true, { check: 'order is charged', op: 'order' });
    agg.counter(s.t, 'moshpit_order_acked_cents', 250, {});
  }
  const records: StreamRecord[] = [{ v: 1, type: 'start', source, engine: 'artillery', runId: 'run-1', startedAt: samples[0]?.t ?? 0 }];
  records.push(...agg.drain());
  if (end) records.push({ v: 1, type: 'end', endedAt: (samples.at(-1)?.t ?? 0) + 1 });
  return JSON.parse(JSON.stringify(records)) as StreamRecord[]; // through JSON, as on disk
}

describe('histogram', () => {
  it('every quantile is within the stated relative accuracy of the exact one', () => {
    const rnd = lcg(7);
    const values = Array.from({ length: 20000 }, () => 1 + rnd() * rnd() * 3000);
    const h = emptyHistogram();
    for (const v of values) addSample(h, v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(quantile(h, q) - exact) / exact).toBeLessThanOrEqual(ACCURACY + 1e-9);
    }
    expect(quantile(h, 0)).toBe(sorted[0]);
    expect(quantile(h, 1)).toBe(sorted.at(-1));
  });

  it('merging two halves equals one histogram of everything', () => {
    const rnd = lcg(3);
    const all = emptyHistogram(), a = emptyHistogram(), b = emptyHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = rnd() * 900;
      addSample(all, v);
      addSample(i % 2 ? a : b, v);
    }
    mergeHistogram(a, b);
    expect(a.n).toBe(all.n);
    expect(a.b).toEqual(all.b);
    expect(a.zero).toBe(all.zero);
    expect(a.sum).toBeCloseTo(all.sum, 6);
  });
});

describe('merged streams', () => {
  it('counts, sums and checks add up across sources', () => {
    const s1 = stream('a', Array.from({ length: 30 }, (_, i) => ({ t: 1_000_000 + i * 100, ms: 50 })));
    const s2 = stream('b', Array.from({ length: 20 }, (_, i) => ({ t: 1_000_000 + i * 150, ms: 70, ok: i !== 3 })));
    const run = mergeStreams([{ name: 'a', records: s1 }, { name: 'b', records: s2 }]);
    const summary = k6ShapedSummary(run, evaluateThresholds(run, { checks: ['rate>0.99'] })) as any;
    expect(summary.metrics.moshpit_order_duration.values.count).toBe(50);
    expect(summary.metrics.moshpit_order_acked_cents.values.count).toBe(50 * 250);
    expect(summary.root_group.checks).toEqual([{ name: 'order is charged', path: '::order is charged', id: 'order is charged', passes: 49, fails: 1 }]);
    expect(summary.metrics.checks.thresholds['rate>0.99'].ok).toBe(false);
    expect(run.sources.map((s) => s.endedAt !== null)).toEqual([true, true]);
  });

  it('judges the union: a slowed shard fails the run, and counts add up across shards', () => {
    const at = (n: number, ms: number) => Array.from({ length: n }, (_, i) => ({ t: 2_000_000 + i, ms }));
    const a = stream('a', [...at(96, 100), ...at(4, 900)]); // p95 = 100 alone
    const b = stream('b', at(100, 520)); // slowed: p95 = 520 alone
    const p95 = { moshpit_order_duration: ['p(95)<500'] };
    const judge = (parts: Array<[string, StreamRecord[]]>, t: Record<string, string[]>) =>
      evaluateThresholds(mergeStreams(parts.map(([name, records]) => ({ name, records }))), t)[0]!;
    expect(judge([['a', a]], p95).ok).toBe(true);
    const both = judge([['a', a], ['b', b]], p95);
    expect(both.ok).toBe(false);
    expect(both.observed).toBeGreaterThanOrEqual(520 * (1 - ACCURACY));
    // 100 orders of 250 cents per shard: each shard < 30,000 cents, the run is not.
    const cents = { moshpit_order_acked_cents: ['count<30000'] };
    expect(judge([['a', a]], cents).ok).toBe(true);
    expect(judge([['b', b]], cents).ok).toBe(true);
    expect(judge([['a', a], ['b', b]], cents).ok).toBe(false);
  });

  it('sub-metric selectors pick series by tag', () => {
    const s = stream('a', [
      { t: 3_000_000, ms: 10, tags: { chaos: 'steady' } },
      { t: 3_000_001, ms: 2000, tags: { chaos: 'fault' } },
    ]);
    const run = mergeStreams([{ name: 'a', records: s }]);
    const out = evaluateThresholds(run, { 'moshpit_order_duration{chaos:steady}': ['max<100'], 'moshpit_order_duration{chaos:fault}': ['max<100'] });
    expect(out.map((o) => o.ok)).toEqual([true, false]);
    expect(parseSelector('http_req_failed{chaos:fault,fault:db-latency}')).toEqual({ name: 'http_req_failed', tags: { chaos: 'fault', fault: 'db-latency' } });
  });

  it('a stream without an end record is reported, and one from another run is refused', () => {
    const s = stream('a', [{ t: 4_000_000, ms: 1 }], false);
    expect(mergeStreams([{ name: 'a', records: s }]).sources[0]!.endedAt).toBeNull();
    const other = stream('b', [{ t: 4_000_000, ms: 1 }]);
    (other[0] as { runId: string }).runId = 'run-2';
    expect(() => mergeStreams([{ name: 'a', records: s }, { name: 'b', records: other }])).toThrow(StreamFormatError);
  });

  it('a torn last line is dropped, a torn middle line is an error', () => {
    const text = '{"v":1,"type":"start","source":"a","engine":"k6","runId":"r","startedAt":1}\n{"v":1,"type":"win';
    expect(parseStreamText('a', text)).toHaveLength(1);
    expect(() => parseStreamText('a', `{"v":1,"ty\n${text}`)).toThrow(StreamFormatError);
  });

  it('threshold expressions: k6 syntax, and a clear error otherwise', () => {
    expect(parseExpression('p(99.9) <= 1200')).toEqual({ aggregate: 'p(99.9)', op: '<=', bound: 1200 });
    expect(() => parseExpression('p95 < 500')).toThrow(/aggregate/);
  });
});

describe('thresholds on metrics that were never recorded', () => {
  it('a count is 0 (so a run that sent nothing fails count>0); other aggregates have nothing to judge', () => {
    const run = mergeStreams([{ name: 'a', records: stream('a', [{ t: 5_000_000, ms: 3 }]) }]);
    const out = evaluateThresholds(run, { http_reqs: ['count>0'], moshpit_flow_errors: ['count<1'], moshpit_entry_duration: ['p(95)<500'] });
    expect(out.map((o) => [o.selector, o.ok, o.observed, o.noData])).toEqual([
      ['http_reqs', false, 0, true],
      ['moshpit_flow_errors', true, 0, true],
      ['moshpit_entry_duration', true, null, true],
    ]);
  });
});
