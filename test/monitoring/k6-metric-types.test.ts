// The kinds the k6 InfluxDB readback gives metrics (k6's v1 output writes no types), and the
// per-sample rule it shares with the k6 JSON path.
import { describe, expect, it } from 'vitest';
import { StreamAggregator } from '../../core/metrics-stream/aggregator.js';
import { addK6Sample, K6_DROPPED_TAGS } from '../../core/metrics-stream/k6-samples.js';
import { CHAOS_METRICS, ENGINE_METRICS, latencyMetric, METRICS } from '../../core/metric-names.js';
import { LOAD_METRICS } from '../../lib/metrics.js';
import { k6MetricType, unknownMetricsNote } from '../../monitoring/influx/k6-readback.js';

describe('k6 metric kinds, from moshpit\'s own knowledge', () => {
  it('knows k6\'s built-ins the verdict reads', () => {
    expect(k6MetricType(ENGINE_METRICS.httpReqDuration)).toEqual({ kind: 'trend', time: true });
    expect(k6MetricType(ENGINE_METRICS.httpReqFailed)).toEqual({ kind: 'rate', time: false });
    expect(k6MetricType(ENGINE_METRICS.httpReqs)).toEqual({ kind: 'counter', time: false });
    expect(k6MetricType(ENGINE_METRICS.checks)).toEqual({ kind: 'rate', time: false });
    expect(k6MetricType(ENGINE_METRICS.iterations)).toEqual({ kind: 'counter', time: false });
    expect(k6MetricType(ENGINE_METRICS.droppedIterations)).toEqual({ kind: 'counter', time: false });
    expect(k6MetricType('vus')).toEqual({ kind: 'gauge', time: false });
    expect(k6MetricType('data_received')).toEqual({ kind: 'counter', time: false });
    expect(k6MetricType('iteration_duration')).toEqual({ kind: 'trend', time: true });
    expect(k6MetricType('http_req_waiting')).toEqual({ kind: 'trend', time: true });
  });

  it('knows every metric the flows emit, with the kind the k6 binding declares', () => {
    for (const m of LOAD_METRICS) expect(k6MetricType(m.name), m.name).toEqual({ kind: m.kind, time: m.kind === 'trend' });
    expect(k6MetricType(latencyMetric('order'))).toEqual({ kind: 'trend', time: true });
    expect(k6MetricType(METRICS.successRate)).toEqual({ kind: 'rate', time: false });
    expect(k6MetricType(CHAOS_METRICS.violations)).toEqual({ kind: 'counter', time: false });
  });

  it('does not guess an unknown metric, and names it in a note', () => {
    expect(k6MetricType('my_custom_metric')).toBeNull();
    expect(unknownMetricsNote([])).toBeNull();
    expect(unknownMetricsNote([{ metric: 'my_custom_metric', points: 3 }])).toContain('my_custom_metric (3 samples)');
  });
});

describe('one k6 sample into the stream', () => {
  it('drops unbounded tags and aggregates by kind', () => {
    const agg = new StreamAggregator();
    const tags = { name: 'POST /orders', status: '201', url: 'http://127.0.0.1/orders?w=1', vu: '3', iter: '9', error: 'x', proto: 'HTTP/1.1', group: '' };
    addK6Sample(agg, { kind: 'counter', time: false }, { metric: ENGINE_METRICS.httpReqs, atMs: 1_000, value: 1, tags });
    addK6Sample(agg, { kind: 'counter', time: false }, { metric: ENGINE_METRICS.httpReqs, atMs: 1_500, value: 1, tags: { ...tags, vu: '4', url: 'http://127.0.0.1/orders?w=2' } });
    addK6Sample(agg, { kind: 'rate', time: false }, { metric: ENGINE_METRICS.httpReqFailed, atMs: 1_200, value: 0, tags });
    addK6Sample(agg, { kind: 'rate', time: false }, { metric: ENGINE_METRICS.httpReqFailed, atMs: 1_300, value: 1, tags });
    const [w] = agg.drain();
    expect(w!.t).toBe(1);
    const reqs = w!.series.find((s) => s.m === ENGINE_METRICS.httpReqs)!;
    expect(reqs.tags).toEqual({ name: 'POST /orders', status: '201' });
    expect(reqs).toMatchObject({ k: 'counter', sum: 2, n: 2 });
    expect(w!.series.find((s) => s.m === ENGINE_METRICS.httpReqFailed)).toMatchObject({ k: 'rate', trues: 1, n: 2 });
    for (const t of K6_DROPPED_TAGS) expect(Object.keys(reqs.tags)).not.toContain(t);
  });
});
