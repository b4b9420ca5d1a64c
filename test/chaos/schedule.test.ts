// The pure pieces of a chaos run: how the load tags a moment (phase, fault), which devices are
// offline, the chaos thresholds, the merged metrics stream per second and per phase, the
// recovery verdicts of the report and what the load saw, the plan (timeline sized to the load,
// what it needs), annotations.
import { describe, expect, it } from 'vitest';
import { chaosAnnotation, chaosAnnotations } from '../../chaos/annotations.js';
import { buildChaosReport, formatChaosReport } from '../../chaos/report.js';
import { summarizeSamples } from '../../chaos/samples.js';
import { StreamAggregator } from '../../core/metrics-stream/aggregator.js';
import { ACCURACY } from '../../core/metrics-stream/histogram.js';
import { mergeStreams, type MergedRun } from '../../core/metrics-stream/merge.js';
import { STREAM_VERSION, type StreamRecord } from '../../core/metrics-stream/records.js';
import { validateTimeline } from '../../chaos/timeline.js';
import type { ChaosWindowsFile, WindowRecord } from '../../chaos/windows-file.js';
import { UsageError } from '../../core/usage-error.js';
import { chaosEnvFor, loadDurationS, planChaos } from '../../cli/pipeline/chaos-run.js';
import type { ChaosEnv } from '../../lib/chaos/contract.js';
import { activeWindows, allPhaseTags, devicesOfWindow, offlineDevices, parseChaosEnv, phaseAt } from '../../lib/chaos/schedule.js';
import { chaosThresholds } from '../../lib/chaos/thresholds.js';

const env: ChaosEnv = {
  durationS: 60,
  recoveryS: 5,
  windows: [
    { fault: 'db-latency', kind: 'toxic', startS: 10, durationS: 5, params: { latency: 300 } },
    { fault: 'webhook-dup', kind: 'client', startS: 12, durationS: 10, params: { rate: 1 } },
    { fault: 'scanner-offline', kind: 'client', startS: 40, durationS: 5, params: { gateways: 5 } },
  ],
};

describe('phase tags (what every request is tagged with)', () => {
  it('steady, fault (with a margin before the window), recovery, steady again', () => {
    expect(phaseAt(env, 5)).toEqual({ chaos: 'steady', fault: 'none' });
    expect(phaseAt(env, 9.5)).toEqual({ chaos: 'fault', fault: 'db-latency' }); // in flight when it was applied
    expect(phaseAt(env, 13)).toEqual({ chaos: 'fault', fault: 'db-latency+webhook-dup' });
    expect(phaseAt(env, 16)).toEqual({ chaos: 'fault', fault: 'webhook-dup' });
    expect(phaseAt(env, 22)).toEqual({ chaos: 'recovery', fault: 'webhook-dup' });
    expect(phaseAt(env, 27)).toEqual({ chaos: 'steady', fault: 'none' });
    expect(phaseAt(env, 46)).toEqual({ chaos: 'recovery', fault: 'scanner-offline' });
  });

  it('lists every tag pair a run can produce, for threshold sub-metrics', () => {
    const tags = allPhaseTags(env).map((t) => `${t.chaos}|${t.fault}`).sort();
    expect(tags).toEqual([
      'fault|db-latency', 'fault|db-latency+webhook-dup', 'fault|scanner-offline', 'fault|webhook-dup',
      'recovery|scanner-offline', 'recovery|webhook-dup', 'steady|none',
    ]);
  });

  it('client faults act inside their window only; never every door is offline', () => {
    expect(activeWindows(env, 'webhook-dup', 11.9)).toEqual([]);
    expect(activeWindows(env, 'webhook-dup', 12)).toHaveLength(1);
    expect(activeWindows(env, 'webhook-dup', 22)).toEqual([]);
    expect([...offlineDevices(env, 'scanner-offline', 2, 41)]).toEqual([0]); // gateways: 5, but 1 of 2 stays up
    expect(offlineDevices(env, 'scanner-offline', 2, 39).size).toBe(0);
    expect(devicesOfWindow(env.windows[2]!, 4)).toEqual([0, 1, 2]);
  });

  it('parses the orchestrator JSON and names every problem', () => {
    expect(parseChaosEnv(JSON.stringify({ ...env, clockUrl: 'http://127.0.0.1:4000/t0' })).windows).toHaveLength(3);
    expect(parseChaosEnv(undefined).windows).toEqual([]);
    expect(() => parseChaosEnv('{"durationS": 0, "recoveryS": -1, "windows": [{}], "clockUrl": "http://10.0.0.1:80/t0"}'))
      .toThrow(/durationS must be a positive number; recoveryS must be a number >= 0; windows\[0\] must be .*; clockUrl must be a loopback http URL/);
  });
});

describe('chaos thresholds', () => {
  const t = chaosThresholds(['entry', 'concession', 'funding', 'reentry', 'browse'], env);

  it('allow nothing outside fault windows, and never a wrong balance', () => {
    expect(t['http_req_failed{chaos:steady}']).toEqual(['rate==0']);
    expect(t['checks{chaos:steady}']).toEqual(['rate==1']);
    expect(t['success_rate{chaos:steady}']).toEqual(['rate==1']);
    expect(t['moshpit_order_duration{chaos:steady}']).toEqual(['p(95)<800', 'p(99)<1000']);
    expect(t['moshpit_entry_duration{chaos:steady}']).toEqual(['p(95)<500', 'p(99)<1000']);
    expect(t.balance_errors![0]).toBe('count<1');
    expect(t.moshpit_chaos_violations).toEqual(['count<1']);
    // no un-tagged latency SLO: inside a window latency is measured, not judged
    expect(t.moshpit_order_duration).toBeUndefined();
  });

  it('measure error rate and latency per phase and per fault', () => {
    expect(t['http_req_failed{chaos:fault,fault:db-latency+webhook-dup}']).toEqual(['rate<=1']);
    expect(t['http_req_duration{chaos:recovery,fault:webhook-dup}']).toEqual(['max>=0']);
    expect(t['http_req_failed{chaos:fault}']).toEqual(['rate<=1']);
    expect(t['moshpit_chaos_offline_orders{status:offline_shortfall}']).toEqual(['count>=0']);
  });
});

/** One load process's stream, as the bindings write it: samples fed to the aggregator, drained per second. */
function stream(source: string, feed: (a: StreamAggregator) => void): { name: string; records: StreamRecord[] } {
  const a = new StreamAggregator();
  feed(a);
  return {
    name: `${source}.jsonl`,
    records: [{ v: STREAM_VERSION, type: 'start', source, engine: 'artillery', runId: 'r', startedAt: BASE }, ...a.drain(), { v: STREAM_VERSION, type: 'end', endedAt: BASE + 3000 }],
  };
}

const BASE = 1_700_000_000_000;
const tag = (chaos: string, fault: string, extra: Record<string, string> = {}) => ({ chaos, fault, method: 'POST', ...extra });
/** A request as the Artillery port records it: its duration and whether it failed. */
function request(a: StreamAggregator, atMs: number, durationMs: number, failed: boolean, tags: Record<string, string>): void {
  a.trend(atMs, 'http_req_duration', durationMs, tags);
  a.rate(atMs, 'http_req_failed', failed, tags);
  a.counter(atMs, 'http_reqs', 1, tags);
}

/** Two processes: steady traffic in second 0, a db-reset fault in second 1 (half failing), a slow overlap in second 2. */
function twoProcesses(): MergedRun {
  return mergeStreams([
    stream('artillery-entry-s0', (a) => {
      for (let i = 0; i < 5; i++) request(a, BASE + i * 100, 10 + i, false, tag('steady', 'none', { status: '200' }));
      for (let i = 0; i < 5; i++) request(a, BASE + 1000 + i * 100, 100, i < 3, tag('fault', 'db-reset', { status: i < 3 ? '0' : '200' }));
      request(a, BASE + 2500, 400, false, tag('fault', 'db-latency+webhook-dup'));
      a.counter(BASE + 100, 'moshpit_chaos_offline_orders', 2, { status: 'completed' });
      a.counter(BASE + 1100, 'moshpit_chaos_offline_orders', 1, { status: 'offline_shortfall' });
      a.counter(BASE + 1100, 'moshpit_chaos_offline_shortfall_cents', 350, { op: 'order' });
      a.counter(BASE + 1200, 'moshpit_order_indeterminate', 1, { op: 'order' });
    }),
    stream('artillery-concession-s0', (a) => {
      for (let i = 0; i < 5; i++) request(a, BASE + 500 + i * 100, 15 + i, false, tag('steady', 'none', { status: '201' }));
      for (let i = 0; i < 5; i++) request(a, BASE + 1500 + i * 100, 100, i < 2, tag('fault', 'db-reset'));
      request(a, BASE + 2600, 40, false, tag('fault', 'webhook-dup'));
      a.counter(BASE + 2000, 'moshpit_chaos_webhook_deliveries', 3, { kind: 'duplicate_concurrent' });
      a.counter(BASE + 2100, 'moshpit_chaos_webhook_deliveries', 1, { kind: 'forged' });
      a.counter(BASE + 2200, 'moshpit_retries', 4, { op: 'order' });
      a.counter(BASE + 2300, 'moshpit_order_indeterminate', 1, { op: 'order' });
    }),
  ]);
}

/** Within the histogram's relative accuracy of the true value. */
const near = (v: number | null | undefined, want: number) => {
  expect(v).not.toBeNull();
  expect(Math.abs(v! - want)).toBeLessThanOrEqual(want * ACCURACY + 1e-9);
};

describe('samples from the merged metrics stream', () => {
  it('aggregates every process per second and per phase', () => {
    const s = summarizeSamples(twoProcesses());
    expect(s.rows).toBe(44); // 22 requests: a duration and a failed sample each
    expect(s.perSecond.map((x) => [x.t, x.errorRate])).toEqual([[BASE + 1000, 0], [BASE + 2000, 0.5], [BASE + 3000, 0]]);
    near(s.perSecond[0]!.p95, 19); // nearest rank over both processes' 10 samples: 10..14 and 15..19
    near(s.perSecond[1]!.p95, 100);
    expect(s.byPhase.steady).toMatchObject({ requests: 10, failed: 0, errorRate: 0, maxMs: 19 });
    near(s.byPhase.steady!.p50Ms, 14);
    expect(s.byFault['fault|db-reset']).toMatchObject({ requests: 10, failed: 5, errorRate: 0.5 });
    expect(Object.keys(s.byFault)).toEqual(['fault|db-latency+webhook-dup', 'fault|db-reset', 'fault|webhook-dup', 'steady|none']);
  });

  it('merges every tag group of one fault exactly (not the worst group)', () => {
    const s = summarizeSamples(twoProcesses());
    // webhook-dup: one 400 ms request alongside db-latency, one 40 ms alone
    expect(s.duringFault['webhook-dup']).toMatchObject({ requests: 2, failed: 0, maxMs: 400 });
    near(s.duringFault['webhook-dup']!.p50Ms, 40);
    expect(s.duringFault['db-latency']).toMatchObject({ requests: 1, maxMs: 400 });
    expect(s.duringFault['db-reset']).toMatchObject({ requests: 10, failed: 5 });
    expect(Object.keys(s.duringFault).sort()).toEqual(['db-latency', 'db-reset', 'webhook-dup']);
  });

  it('keeps two windows of one fault apart, from a margin before each start to its end', () => {
    const run = mergeStreams([stream('artillery-concession-s0', (a) => {
      for (let s = 0; s < 6; s++) request(a, BASE + s * 1000 + 200, 10 * (s + 1), s === 1, s === 1 || s === 4 ? tag('fault', 'concession-offline') : tag('steady', 'none'));
    })]);
    const s = summarizeSamples(run, { windows: [
      { fault: 'concession-offline', startMs: BASE + 1500, endMs: BASE + 2500 }, // its margin reaches back into second 0: no fault there
      { fault: 'concession-offline', startMs: BASE + 4100, endMs: BASE + 4900 },
      { fault: 'concession-offline', startMs: null, endMs: null }, // never started
    ] });
    expect(s.duringWindow.map((d) => d && [d.requests, d.failed, d.maxMs])).toEqual([[1, 1, 20], [1, 0, 50], null]);
    expect(s.duringFault['concession-offline']).toMatchObject({ requests: 2, failed: 1 }); // both windows
  });

  it('leaves out the seconds before t0', () => {
    const s = summarizeSamples(twoProcesses(), { fromMs: BASE + 1000 });
    expect(s.perSecond.map((x) => x.t)).toEqual([BASE + 2000, BASE + 3000]);
    expect(s.byPhase.steady).toBeUndefined();
    expect(summarizeSamples(twoProcesses(), { fromMs: BASE + 999 }).byPhase.steady!.requests).toBe(10); // the second t0 falls in counts
  });

  it('gives the report what the load saw, from the stream\'s counters', () => {
    const run = twoProcesses();
    const r = buildChaosReport({
      windows: { version: 1, runId: 'r', apiUrl: null, proxy: 'p', pid: 1, t0Ms: BASE, durationS: 3, outcome: 'completed', endedMs: BASE + 3000, windows: [record('db-reset', BASE + 1000, BASE + 2000)] },
      samples: summarizeSamples(run, { fromMs: BASE }),
      metrics: run.metrics,
      recoveryBoundS: 10,
      endMs: BASE + 3000,
    });
    expect(r.load).toMatchObject({
      indeterminate: { entry: 0, exit: 0, order: 2, funding_webhook: 0, recharge: 0 },
      retries: 4,
      violations: 0,
      offlineOrders: { total: 3, completed: 2, offline_shortfall: 1 },
      offlineShortfallCents: 350,
      webhookDeliveries: { duplicate_concurrent: 3, forged: 1 },
    });
    expect(r.windows[0]!.during).toMatchObject({ requests: 10, failed: 5, errorRate: 0.5 });
    expect(r.phases.steady!.requests).toBe(10);
    const text = formatChaosReport(r);
    expect(text).toMatch(/indeterminate writes \(reported to validation\): order 2; retries 4/);
    expect(text).toMatch(/money rules broken in front of the load: 0/);
    expect(text).toMatch(/inside: 10 req, 50.00% failed/);
  });
});

function record(fault: string, startMs: number | null, endMs: number | null, status: WindowRecord['status'] = 'done'): WindowRecord {
  const kind = fault === 'target-crash' ? 'process' : fault.startsWith('db-') ? 'toxic' : 'client';
  return { fault, kind, executor: kind === 'toxic' ? 'toxiproxy' : kind === 'process' ? 'hook' : 'external', params: {}, plannedStartMs: startMs ?? 0, plannedEndMs: endMs ?? 0, startMs, endMs, status };
}

describe('chaos report', () => {
  const doc = (windows: WindowRecord[]): ChaosWindowsFile => ({ version: 1, runId: 'r', apiUrl: null, proxy: 'p', pid: 1, t0Ms: 0, durationS: 100, outcome: 'completed', endedMs: 100_000, windows });
  const healthyFrom = (fromS: number, toS: number, sick: number[] = []) =>
    Array.from({ length: toS - fromS }, (_, i) => ({ t: (fromS + i + 1) * 1000, errorRate: sick.includes(fromS + i) ? 0.5 : 0, p95: 50 }));

  it('measures recovery per window and judges it against the bound', () => {
    const r = buildChaosReport({
      windows: doc([record('db-reset', 10_000, 12_000), record('target-crash', 40_000, 42_000), record('db-latency', 70_000, 72_000), record('db-down', null, null, 'failed')]),
      // sick: 12-13 s (db-reset), 42-53 s (target-crash), 72 s to the end (db-latency)
      samples: { perSecond: healthyFrom(0, 100, [12, 13, ...Array.from({ length: 12 }, (_, i) => 42 + i), ...Array.from({ length: 28 }, (_, i) => 72 + i)]), byPhase: {}, byFault: {}, duringFault: {}, duringWindow: [], rows: 0 },
      metrics: null,
      recoveryBoundS: 10,
      endMs: 100_000,
    });
    expect(r.windows.map((w) => [w.fault, w.recovery, w.recoveryMs, w.withinBound])).toEqual([
      ['db-reset', 'recovered', 3000, true],
      ['target-crash', 'recovered', 13_000, false], // healthy from 54 s (its sample ends at 55 s), bound 10 s
      ['db-latency', 'not-recovered', null, false],
      ['db-down', 'not-run', null, null],
    ]);
    expect(r.verdict.ok).toBe(false);
    expect(r.verdict.problems).toEqual([
      'target-crash: recovered after 13.0 s, over the 10 s bound',
      "db-latency: not back within thresholds 10 s after the window's end",
      'db-down: could not be applied (unknown error)',
    ]);
    expect(formatChaosReport(r)).toMatch(/chaos verdict: FAIL/);
  });

  it('measures a window overlapped at its end by a platform fault from when that fault ended', () => {
    const r = buildChaosReport({
      windows: doc([record('db-latency', 2000, 5000), record('webhook-dup', 2000, 6000), record('concession-offline', 10_000, 15_000), record('target-crash', 12_000, 20_000)]),
      samples: { perSecond: healthyFrom(0, 40, [12, 13, 14, 15, 16, 17, 18, 19, 20]), byPhase: {}, byFault: {}, duringFault: {}, duringWindow: [], rows: 0 },
      metrics: null, recoveryBoundS: 3, endMs: 40_000,
    });
    expect(r.windows.map((w) => [w.fault, w.recoveryFromMs, w.recoveryMs, w.withinBound])).toEqual([
      ['db-latency', 5000, 1000, true], // a client fault still on does not defer it
      ['webhook-dup', 6000, 1000, true],
      ['concession-offline', 20_000, 2000, true], // not charged for the crash still on at its end
      ['target-crash', 20_000, 2000, true],
    ]);
  });

  it('leaves a recovery unmeasured when the next fault comes first', () => {
    const r = buildChaosReport({
      windows: doc([record('db-reset', 10_000, 12_000), record('db-latency', 13_000, 14_000)]),
      samples: { perSecond: healthyFrom(0, 40, [12]), byPhase: {}, byFault: {}, duringFault: {}, duringWindow: [], rows: 0 },
      metrics: null, recoveryBoundS: 10, endMs: 40_000,
    });
    expect(r.windows.map((w) => w.recovery)).toEqual(['unmeasured', 'recovered']);
    expect(r.verdict).toEqual({ ok: true, problems: [] });
  });
});

describe('chaos plan', () => {
  it('sizes the default timeline to the pilot-shaped full load', () => {
    expect(loadDurationS('pilot', {})).toBe(1500);
    expect(loadDurationS('smoke', { MOSHPIT_DURATION_SCALE: '1.6' })).toBe(40);
    const plan = planChaos({ profile: 'pilot', external: false, env: {} });
    expect(plan.timeline.durationS).toBe(1500);
    expect(plan.timeline.windows).toHaveLength(11);
    expect(plan.timeline.windows[0]).toMatchObject({ fault: 'db-latency', startS: 150, durationS: 75 });
    expect(plan).toMatchObject({ recoveryBoundS: 30, needsDbProxy: true });
    expect(planChaos({ profile: 'pilot', external: false, env: {}, faults: 'webhook-dup,target-crash' }).needsDbProxy).toBe(false);
  });

  it('refuses what a user deployment cannot do', () => {
    expect(() => planChaos({ profile: 'smoke', external: true, env: {}, faults: 'db-latency' })).toThrow(UsageError);
    expect(() => planChaos({ profile: 'smoke', external: true, env: {}, faults: 'db-latency' })).toThrow(/--toxiproxy-url/);
    expect(() => planChaos({ profile: 'smoke', external: true, env: {}, faults: 'target-crash' })).toThrow(/cannot be run against your deployment/);
    const ok = planChaos({ profile: 'smoke', external: true, env: { TOXIPROXY_URL: 'http://127.0.0.1:8474' }, faults: 'db-latency,webhook-dup' });
    expect(ok).toMatchObject({ toxiproxy: { apiUrl: 'http://127.0.0.1:8474', proxy: 'moshpit_pg' }, needsDbProxy: false });
  });

  it('hands the load every window (t0 is the pipeline\'s: no clock endpoint)', () => {
    const plan = planChaos({ profile: 'smoke', external: false, env: {}, faults: 'db-latency@2s+3s,webhook-dup@1s+5s', recoveryBoundS: 7 });
    expect(chaosEnvFor(plan)).toEqual({
      durationS: 25, recoveryS: 7,
      windows: [
        { fault: 'webhook-dup', kind: 'client', startS: 1, durationS: 5, params: { rate: 0.2 } },
        { fault: 'db-latency', kind: 'toxic', startS: 2, durationS: 3, params: { latency: 500, jitter: 100, toxicity: 1, stream: 'downstream' } },
      ],
    });
  });
});

describe('annotations', () => {
  it('turn windows that happened into region annotations', () => {
    const t = validateTimeline([{ fault: 'db-latency', startS: 0, durationS: 1 }], 1);
    const w: WindowRecord = { ...record('db-latency', 1000, 2000), params: t.windows[0]!.params };
    expect(chaosAnnotation('run-1', w)).toEqual({
      runId: 'run-1', kind: 'chaos', title: 'db-latency', text: 'db-latency [toxic, toxiproxy] latency=500 jitter=100 toxicity=1 stream=downstream',
      start: 1000, end: 2000, tags: { fault: 'db-latency', fault_kind: 'toxic' },
    });
    expect(chaosAnnotation('run-1', record('db-down', null, null, 'skipped'))).toBeNull();
    expect(chaosAnnotations({ version: 1, runId: 'r', apiUrl: null, proxy: 'p', pid: 1, t0Ms: 0, durationS: 1, outcome: 'interrupted', endedMs: 1, windows: [{ ...w, status: 'interrupted' }] })[0]!.title).toBe('db-latency (interrupted)');
  });
});
