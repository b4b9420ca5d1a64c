// The provisioned SLO-tier alert rules against a real InfluxDB: two runs written as the load
// engines write them (measurements http_req_duration / http_req_failed, tags testid and flow),
// six 5-minute buckets each. One run is slow and failing in chosen buckets, the other is clean
// but has setup() probes (no flow tag) slow and failing enough to trip every rule if the rules
// counted them. Every rule of the provisioning file is replayed the way Grafana evaluates it,
// once per bucket: each must fire exactly in the buckets its tier names, and only for the run
// that earned it. (That the queries also return data for a real Artillery run:
// dashboards-influx.test.ts.)
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_RULE_PATH } from '../../monitoring/grafana/alert-rules/alert-rule-file.js';
import type { AlertRuleFile, ProvisionedRule } from '../../monitoring/grafana/alert-rules/alert-rules.js';
import { DEFAULT_ALERT_TIERS, DEFAULT_BUCKET_SECONDS } from '../../monitoring/grafana/alert-rules/default-alert-tiers.js';
import type { Point } from '../../monitoring/influx/line-protocol.js';
import { durationSeconds, evaluate, firingTimeline } from './alert-rule-evaluator.js';
import { startTestInflux, type TestInflux } from './influx-fixture.js';

const BUCKET_MS = DEFAULT_BUCKET_SECONDS * 1000;
// A past instant on a bucket boundary: the rules only ever see the window they are given.
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const TROUBLED = 'run-troubled';
const CLEAN = 'run-clean';
const REQUESTS = 200;

interface Bucket { p95Ms: number; p99Ms: number; failed: number }
const OK: Bucket = { p95Ms: 50, p99Ms: 50, failed: 0 };

// InfluxDB's percentile is nearest rank: of 200 values, p95 is the 190th, p99 the 198th. So
// 188 fast requests, 9 at the p95 value and 3 at the p99 value give exactly those percentiles.
function durations(b: Bucket): number[] {
  return [...Array<number>(188).fill(40), ...Array<number>(9).fill(b.p95Ms), ...Array<number>(3).fill(b.p99Ms)];
}

const TROUBLED_BUCKETS: Bucket[] = [
  OK,
  { p95Ms: 700, p99Ms: 900, failed: 0 }, //                warn condition, 1st bucket
  { p95Ms: 700, p99Ms: 1300, failed: 6 }, //               warn fires; p99 > 1.2 s and 3 % errors, 1st bucket
  { p95Ms: 700, p99Ms: 2500, failed: 12 }, //              6 % errors, p99 2.5 s: critical now, page and rollback on their 2nd bucket
  OK,
  { p95Ms: 50, p99Ms: 50, failed: 3 }, //                  1.5 % errors for one bucket only: nothing fires
];

function bucketPoints(runId: string, index: number, b: Bucket): Point[] {
  const start = T0 + index * BUCKET_MS;
  const tags = { testid: runId, flow: 'concession', scenario: 'concession', name: 'order' };
  // Spread over the bucket, never on its edges (which two windows would share).
  const at = (i: number) => start + 1000 + Math.floor((i * (BUCKET_MS - 2000)) / REQUESTS);
  return durations(b).flatMap((ms, i) => [
    { measurement: 'http_req_duration', tags, fields: { value: ms }, time: at(i) },
    { measurement: 'http_req_failed', tags, fields: { value: i < b.failed ? 1 : 0 }, time: at(i) },
  ]);
}

/** setup()'s probes: no flow tag. Slow and failing: the rules must leave them out. */
function probePoints(runId: string, index: number): Point[] {
  const start = T0 + index * BUCKET_MS + 500;
  return Array.from({ length: 20 }, (_, i) => [
    { measurement: 'http_req_duration', tags: { testid: runId, name: 'probe' }, fields: { value: 5000 }, time: start + i },
    { measurement: 'http_req_failed', tags: { testid: runId, name: 'probe' }, fields: { value: 1 }, time: start + i },
  ]).flat();
}

let influx: TestInflux;
let rules: ProvisionedRule[];
/** Evaluation at the end of each bucket: its window is that bucket. */
const evalTimes = TROUBLED_BUCKETS.map((_, i) => T0 + (i + 1) * BUCKET_MS);

beforeAll(async () => {
  influx = await startTestInflux();
  const file = parse(readFileSync(ALERT_RULE_PATH, 'utf8')) as AlertRuleFile;
  rules = file.groups.flatMap((g) => g.rules);
  const points = [
    ...TROUBLED_BUCKETS.flatMap((b, i) => bucketPoints(TROUBLED, i, b)),
    ...TROUBLED_BUCKETS.flatMap((_, i) => [...bucketPoints(CLEAN, i, OK), ...probePoints(CLEAN, i)]),
  ];
  await influx.client('k6').write(points);
}, 300_000);

afterAll(async () => {
  await influx?.stop();
});

describe('SLO-tier alert rules against a real InfluxDB', () => {
  it('every rule\'s query returns a value for each run in every bucket that has data', async () => {
    expect(rules.map((r) => r.uid)).toEqual(DEFAULT_ALERT_TIERS.map((t) => `moshpit-${t.name}`));
    for (const rule of rules) {
      expect(rule.data.find((d) => d.refId === 'A')!.relativeTimeRange, rule.uid).toEqual({ from: DEFAULT_BUCKET_SECONDS, to: 0 });
      for (const at of evalTimes) {
        const values = await evaluate(influx.client(), rule, at);
        expect([...values.keys()].sort(), `${rule.uid} @ ${at}`).toEqual([CLEAN, TROUBLED]);
        for (const [run, v] of values) expect(Number.isFinite(v.value), `${rule.uid} ${run}`).toBe(true);
      }
    }
  });

  it('measures what the tiers name: p95, p99 and the error rate of one bucket', async () => {
    const byMetric = (m: string) => rules.find((r) => r.labels.metric === m)!;
    const at = evalTimes[3]!;
    expect((await evaluate(influx.client(), byMetric('p95'), at)).get(TROUBLED)!.value).toBe(700);
    expect((await evaluate(influx.client(), byMetric('p99'), at)).get(TROUBLED)!.value).toBe(2500);
    expect((await evaluate(influx.client(), byMetric('error_rate'), at)).get(TROUBLED)!.value).toBeCloseTo(12 / REQUESTS, 10);
    // The clean run's probes (5 s, all failed) are not scenario requests.
    expect((await evaluate(influx.client(), byMetric('p99'), at)).get(CLEAN)!.value).toBe(50);
    expect((await evaluate(influx.client(), byMetric('error_rate'), at)).get(CLEAN)!.value).toBe(0);
  });

  it('each rule fires in exactly the buckets its tier names, for the troubled run only', async () => {
    const expected: Record<string, number[]> = {
      'warn-p95': [2, 3], //               p95 > 600 ms in buckets 1-3: from the 2nd consecutive one
      'page-p99': [3], //                  p99 > 1.2 s in buckets 2-3
      'page-error-rate': [3], //           3 % then 6 %
      'critical-p99': [3], //              p99 > 2 s in bucket 3: at once
      'critical-error-rate': [3], //       6 % in bucket 3: at once
      'rollback-error-rate': [3], //       > 1 % in buckets 2-3 (and alone in bucket 5: not enough)
      'rollback-p99': [3],
    };
    const fired: Record<string, number[]> = {};
    for (const rule of rules) {
      const timeline = await firingTimeline(influx.client(), rule, evalTimes);
      for (const step of timeline) expect(step.firing, `${rule.uid}: the clean run never fires`).not.toContain(CLEAN);
      fired[rule.labels.tier!] = timeline.flatMap((step, i) => (step.firing.includes(TROUBLED) ? [i] : []));
    }
    expect(fired).toEqual(expected);
  });

  it('a rule whose condition held for fewer buckets than its tier asks stays silent', async () => {
    // Bucket 2 alone: page-p99's condition holds (p99 1.3 s) but a second bucket is needed.
    const page = rules.find((r) => r.labels.tier === 'page-p99')!;
    expect(durationSeconds(page.for)).toBe(DEFAULT_BUCKET_SECONDS);
    const [only] = await firingTimeline(influx.client(), page, [evalTimes[2]!]);
    expect(only!.values.get(TROUBLED)!.breached).toBe(true);
    expect(only!.firing).toEqual([]);
  });
});
