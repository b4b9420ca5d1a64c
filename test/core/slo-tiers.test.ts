// SLO tiers per time bucket on synthetic merged streams: every tier fires exactly in the bucket
// its rule says (a 2-bucket rule needs two breached buckets in a row, a 1-bucket rule one), the
// adversarial share's refusals never count as errors, and the exit policy follows the runbook.
import { describe, expect, it } from 'vitest';
import { StreamAggregator } from '../../core/metrics-stream/aggregator.js';
import { mergeStreams } from '../../core/metrics-stream/merge.js';
import type { StreamRecord } from '../../core/metrics-stream/records.js';
import { sloBuckets } from '../../core/metrics-stream/slo-buckets.js';
import { evaluateSloTiers, sloVerdict, type SloTimeline } from '../../core/slo-tiers.js';
import { ROLLBACK_TRIGGERS, SLO_TIERS, sloBucketSecondsFor } from '../../core/thresholds.js';

const T0 = 1_700_000_000_250; // not on a second: buckets start at its second
const BUCKET_S = 5;

/** Per bucket: the latency every request gets and the share of failed requests. */
interface BucketShape { ms: number; failRate?: number; requests?: number; adversarialFailures?: number }

/** Two load processes (the verdict is taken on their merge), each half of every bucket's requests. */
function run(shapes: BucketShape[]): SloTimeline {
  const aggs = [new StreamAggregator(), new StreamAggregator()];
  shapes.forEach((s, b) => {
    const n = s.requests ?? 200;
    for (let i = 0; i < n; i++) {
      const at = Math.floor(T0 / 1000) * 1000 + b * BUCKET_S * 1000 + Math.floor((i * BUCKET_S * 1000) / n);
      const agg = aggs[i % 2]!;
      const failed = i < Math.round(n * (s.failRate ?? 0));
      agg.trend(at, 'http_req_duration', s.ms, { op: 'order', status: failed ? '500' : '201' });
      agg.rate(at, 'http_req_failed', failed, { op: 'order' });
    }
    // Hostile requests refused as they must be: never an error of the service.
    for (let i = 0; i < (s.adversarialFailures ?? 0); i++) {
      const at = Math.floor(T0 / 1000) * 1000 + b * BUCKET_S * 1000 + i;
      aggs[0]!.rate(at, 'http_req_failed', true, { op: 'recharge', adversarial: 'true' });
    }
  });
  const streams = aggs.map((agg, i) => ({
    name: `s${i}`,
    records: JSON.parse(JSON.stringify([{ v: 1, type: 'start', source: `s${i}`, engine: 'artillery', runId: 'r', startedAt: T0 - 2000 }, ...agg.drain()])) as StreamRecord[],
  }));
  return evaluateSloTiers(sloBuckets(mergeStreams(streams), T0, BUCKET_S), T0, BUCKET_S);
}

const fired = (t: SloTimeline) => t.buckets.map((b) => b.fired.map((f) => f.rule).sort());
const tiers = (t: SloTimeline) => t.buckets.map((b) => b.tier);
const OK = { ms: 40 };

describe('SLO tiers per bucket', () => {
  it('the tiers are the runbook\'s, as data', () => {
    expect(SLO_TIERS.map((r) => [r.severity, r.metric, r.value, r.buckets])).toEqual([
      ['warn', 'p95', 600, 2], ['page', 'p99', 1200, 2], ['page', 'error_rate', 0.02, 2], ['critical', 'p99', 2000, 1], ['critical', 'error_rate', 0.05, 1],
    ]);
    expect(ROLLBACK_TRIGGERS.map((r) => [r.metric, r.value, r.buckets])).toEqual([['error_rate', 0.01, 2], ['p99', 1200, 2]]);
  });

  it('a clean run fires nothing', () => {
    const t = run([OK, OK, OK, OK, OK]);
    expect(t.buckets).toHaveLength(5);
    expect(fired(t).flat()).toEqual([]);
    expect(sloVerdict(t, { ci: true, enforce: true })).toMatchObject({ ok: true, highest: null, rollback: false });
  });

  it('buckets are aligned to t0 and cover the run', () => {
    const t = run([OK, { ms: 900 }, OK]);
    expect(t.buckets.map((b) => b.startMs - Math.floor(T0 / 1000) * 1000)).toEqual([0, 5000, 10000]);
    expect(t.buckets.map((b) => b.requests)).toEqual([200, 200, 200]);
    expect(t.buckets[1]!.p95).toBeCloseTo(900, -1);
  });

  it('critical fires in exactly the one bucket whose p99 is over 2000 ms', () => {
    const t = run([OK, OK, { ms: 2500 }, OK, OK]);
    expect(tiers(t)).toEqual([null, null, 'critical', null, null]);
    // A single slow bucket is not the two in a row that warn and page need.
    expect(fired(t)[2]).toEqual(['critical p99 > 2000 ms']);
    expect(t.buckets[2]!.fired[0]).toMatchObject({ value: expect.closeTo(2500, -1), threshold: 2000, sinceBucket: 2 });
    expect(sloVerdict(t, { ci: false, enforce: true })).toMatchObject({ ok: false, highest: 'critical' });
  });

  it('critical on the error rate: over 5 % in one bucket', () => {
    const t = run([OK, { ms: 40, failRate: 0.1 }, OK]);
    expect(tiers(t)).toEqual([null, 'critical', null]);
    expect(fired(t)[1]).toEqual(['critical error rate > 5 %']);
    expect(t.buckets[1]!.errorRate).toBeCloseTo(0.1, 5);
  });

  it('warn fires in the second of two consecutive buckets with p95 over 600 ms, and only there', () => {
    const t = run([OK, { ms: 800 }, { ms: 800 }, OK]);
    expect(tiers(t)).toEqual([null, null, 'warn', null]);
    expect(t.buckets[2]!.fired).toEqual([expect.objectContaining({ rule: 'warn p95 > 600 ms', sinceBucket: 1 })]);
    expect(sloVerdict(t, { ci: true, enforce: true })).toMatchObject({ ok: true, highest: 'warn' });
  });

  it('two breached buckets that are not consecutive fire no 2-bucket rule', () => {
    const t = run([{ ms: 800 }, OK, { ms: 1500 }, OK, { ms: 800, failRate: 0.03 }]);
    expect(fired(t).flat()).toEqual([]);
  });

  it('an empty bucket breaks a streak', () => {
    const t = run([{ ms: 800 }, { ms: 800, requests: 0 }, { ms: 800 }]);
    expect(fired(t).flat()).toEqual([]);
  });

  it('page (p99 > 1200 ms, 2 buckets) fires with the rollback trigger, from the second bucket on', () => {
    const t = run([OK, { ms: 1500 }, { ms: 1500 }, { ms: 1500 }, OK]);
    expect(tiers(t)).toEqual([null, null, 'page', 'page', null]);
    expect(fired(t)[2]).toEqual(['page p99 > 1200 ms', 'rollback p99 > 1200 ms', 'warn p95 > 600 ms']);
    expect(t.buckets[3]!.fired.find((f) => f.severity === 'page')!.sinceBucket).toBe(2);
    // Page fails only in CI mode; the rollback trigger is reported, never the exit code.
    const local = sloVerdict(t, { ci: false, enforce: true });
    expect(local).toMatchObject({ ok: true, highest: 'page', rollback: true });
    expect(local.text).toMatch(/rollback trigger fired in bucket\(s\) 2, 3/);
    expect(sloVerdict(t, { ci: true, enforce: true })).toMatchObject({ ok: false, highest: 'page' });
    expect(sloVerdict(t, { ci: true, enforce: false }).ok).toBe(true);
  });

  it('page on the error rate, and the rollback trigger alone at 1-2 %', () => {
    const page = run([{ ms: 40, failRate: 0.03 }, { ms: 40, failRate: 0.03 }]);
    expect(tiers(page)).toEqual([null, 'page']);
    expect(fired(page)[1]).toEqual(['page error rate > 2 %', 'rollback error rate > 1 %']);
    const rollbackOnly = run([{ ms: 40, failRate: 0.015 }, { ms: 40, failRate: 0.015 }, OK]);
    expect(tiers(rollbackOnly)).toEqual([null, null, null]);
    expect(fired(rollbackOnly)[1]).toEqual(['rollback error rate > 1 %']);
    expect(sloVerdict(rollbackOnly, { ci: true, enforce: true })).toMatchObject({ ok: true, highest: null, rollback: true });
  });

  it('the adversarial share\'s refusals are not errors', () => {
    const t = run([{ ms: 40, adversarialFailures: 100 }, { ms: 40, adversarialFailures: 100 }]);
    expect(t.buckets.map((b) => b.errorRate)).toEqual([0, 0]);
    expect(fired(t).flat()).toEqual([]);
  });

  it('bucket length: 5 minutes, or five buckets for a run shorter than 10 minutes', () => {
    expect(sloBucketSecondsFor(25 * 60)).toBe(300);
    expect(sloBucketSecondsFor(20 * 60)).toBe(300);
    expect(sloBucketSecondsFor(10 * 60)).toBe(300);
    expect(sloBucketSecondsFor(25)).toBe(5);
    expect(sloBucketSecondsFor(200)).toBe(40);
    expect(sloBucketSecondsFor(2)).toBe(1);
  });
});
