// core/thresholds.ts: the SLOs of the source documents, per workload, and user overrides.
import { describe, expect, it } from 'vitest';
import { applyThresholdOverrides, defaultThresholds, latencyMetric, METRICS, parseThresholdOverrides } from '../../core/thresholds.js';

describe('default thresholds', () => {
  const entry = defaultThresholds(['entry'], { abortOnSloBreach: false });
  const full = defaultThresholds(['entry', 'concession', 'funding', 'reentry', 'browse'], { abortOnSloBreach: false });

  it('hold the source SLOs', () => {
    expect(entry[latencyMetric('entry')]).toEqual(['p(95)<500', 'p(99)<1000']);
    expect(full[latencyMetric('order')]).toEqual(['p(95)<800', 'p(99)<1000']);
    expect(full[METRICS.fundingE2e]).toEqual(['avg<=5000']);
    expect(entry.http_req_failed![0]).toBe('rate<0.005');
    expect(entry.checks).toEqual(['rate>0.995']);
    expect(entry[METRICS.balanceIntegrityRate]).toEqual(['rate>=0.99999']);
    expect(entry[METRICS.balanceErrors]![0]).toBe('count<1');
  });

  it('only cover the operations a scenario runs', () => {
    expect(entry[latencyMetric('order')]).toBeUndefined();
    expect(entry[METRICS.fundingE2e]).toBeUndefined();
  });

  it('abort early on catastrophic failure rates', () => {
    expect(entry.http_req_failed).toContainEqual(expect.objectContaining({ abortOnFail: true, delayAbortEval: expect.any(String) }));
    expect(entry[METRICS.successRate]).toContainEqual(expect.objectContaining({ abortOnFail: true }));
    expect(entry[METRICS.balanceErrors]).toContainEqual(expect.objectContaining({ abortOnFail: true }));
  });

  it('breakpoint makes the latency SLOs abort the run', () => {
    const bp = defaultThresholds(['entry'], { abortOnSloBreach: true });
    expect(bp[latencyMetric('entry')]).toEqual([
      { threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: '1m' },
      { threshold: 'p(99)<1000', abortOnFail: true, delayAbortEval: '1m' },
    ]);
  });
});

describe('THRESHOLDS_JSON', () => {
  it('replaces, adds and removes', () => {
    const base = defaultThresholds(['entry'], { abortOnSloBreach: false });
    const merged = applyThresholdOverrides(base, parseThresholdOverrides(JSON.stringify({
      moshpit_entry_duration: ['p(95)<200'],
      'http_req_duration{name:POST /v1/scans/entry}': 'p(99)<300',
      checks: null,
      success_rate: [],
      balance_errors: [{ threshold: 'count<1', abortOnFail: true }],
    })));
    expect(merged.moshpit_entry_duration).toEqual(['p(95)<200']);
    expect(merged['http_req_duration{name:POST /v1/scans/entry}']).toEqual(['p(99)<300']);
    expect(merged.checks).toBeUndefined();
    expect(merged.success_rate).toBeUndefined();
    expect(merged.balance_errors).toEqual([{ threshold: 'count<1', abortOnFail: true }]);
    expect(merged.http_req_failed).toEqual(base.http_req_failed);
  });

  it('explains what is wrong', () => {
    expect(() => parseThresholdOverrides('{nope')).toThrow(/not valid JSON/);
    expect(() => parseThresholdOverrides('[1]')).toThrow(/must be an object/);
    expect(() => parseThresholdOverrides('{"checks": 5}')).toThrow(/checks/);
    expect(() => parseThresholdOverrides('{"checks": [{"threshold": "rate>0.9", "abortOnFial": true}]}')).toThrow(/checks/);
  });
});
