// core/thresholds.ts: the pilot's SLOs, per workload, and user overrides; and
// the k6 binding's options, which keep only the early-abort rules (moshpit judges the run).
import { latencyMetric, METRICS } from '../../core/metric-names.js';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../core/profiles.js';
import { applyThresholdOverrides, defaultThresholds, parseThresholdOverrides } from '../../core/thresholds.js';
import { abortThresholds, buildOptions, laneOf } from '../../lib/bindings/k6/options.js';
import type { Config } from '../../lib/config.js';

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

describe('k6 options', () => {
  const config: Config = {
    targetUrl: 'http://127.0.0.1:8080', apiKey: 'k', targetKind: 'rest', profile: 'pilot', runId: 'run-1', fixturesDir: '/f',
    stripeWebhookSecret: null, resultsDir: null, durationScale: 1, rateScale: 1, thresholdOverrides: {},
  };

  it('keep only the rules that abort the run', () => {
    const t = abortThresholds(defaultThresholds(['entry'], { abortOnSloBreach: false }));
    expect(t.http_req_failed).toEqual([expect.objectContaining({ abortOnFail: true })]);
    expect(t[METRICS.balanceErrors]).toEqual([expect.objectContaining({ abortOnFail: true })]);
    expect(t.checks).toBeUndefined();
    expect(t[latencyMetric('entry')]).toBeUndefined();
    const bp = abortThresholds(defaultThresholds(['entry'], { abortOnSloBreach: true }));
    expect(bp[latencyMetric('entry')]).toHaveLength(2);
  });

  it('apply THRESHOLDS_JSON before filtering', () => {
    const options = buildOptions('entry', PROFILES.pilot, { ...config, thresholdOverrides: { checks: [{ threshold: 'rate>0.5', abortOnFail: true }], http_req_failed: null } });
    expect(options.thresholds?.checks).toEqual([{ threshold: 'rate>0.5', abortOnFail: true }]);
    expect(options.thresholds?.http_req_failed).toBeUndefined();
  });

  it('run one k6 scenario per lane, each with its workload exec function', () => {
    const options = buildOptions('full', PROFILES.pilot, config);
    expect(Object.keys(options.scenarios ?? {}).sort()).toEqual([
      'browse', 'concession_terminal_1', 'concession_terminal_2', 'concession_terminal_3', 'concession_terminal_4', 'entry_door_1', 'entry_door_2', 'funding', 'reentry',
    ]);
    expect(options.scenarios?.entry_door_2?.exec).toBe('entryVisit');
    expect(options.scenarios?.concession_terminal_3?.exec).toBe('concessionOrder');
    expect(laneOf('entry_door_2')).toBe(1);
    expect(laneOf('concession_terminal_4')).toBe(3);
    expect(laneOf('funding')).toBe(0);
  });
});
