// Pass/fail criteria of a run, in one place, over the metric names of core/metric-names.ts.
// The pilot's targets: entry scans < 500 ms, concession < 800 ms, funding 3-5 s on average,
// < 0.5 % failures, zero corruption; every other API call p95 < 500 ms, every operation p99
// < 1 s; success_rate, and balance_integrity_rate >= 99.999 %. Users override them with
// THRESHOLDS_JSON (see below).
import { ENGINE_METRICS, latencyMetric, METRICS, rejectionMetric, type TimedOperation } from './metric-names.js';
import { AUDITED_REJECTIONS } from './operations.js';
import type { Workload } from './profiles.js';

// ---- thresholds --------------------------------------------------------------------------

/** Same shape as k6's threshold entries. */
export type ThresholdRule = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };
export type Thresholds = Record<string, ThresholdRule[]>;

/** What the adversarial client share sends (lib/flows/adversarial.ts). */
export const ADVERSARIAL_KINDS = [
  'hostile_amount', 'concurrent_duplicate', 'conflicting_replay', 'extra_fields', 'out_of_order_scan',
  'replayed_recharge', 'replayed_order', 'replayed_scan',
] as const;
export type AdversarialKind = (typeof ADVERSARIAL_KINDS)[number];

/** The answer each misbehaviour must get (summary.md shows it beside what was sent). */
export const ADVERSARIAL_EXPECTED: Record<AdversarialKind, string> = {
  hostile_amount: 'recharge of 0, -500, 12.5, 100.0, 1e2 or 10^20 cents: 400 validation_failed, no money moves',
  concurrent_duplicate: 'the same recharge twice at once, one key: applied once (the other replays or gets 409 in flight)',
  conflicting_replay: 'a key reused with another amount: 422 idempotency_key_reused, the first amount only',
  extra_fields: 'an order carrying its own total, fee and balance: charged at fixture prices, or 400',
  out_of_order_scan: 'an exit while outside or an entry while inside: 409, no money moves',
  replayed_recharge: 'a credited recharge resent with its key: the first answer again, flagged replayed; credited once',
  replayed_order: 'a paid order resent with its key: the same order id and balance, flagged replayed; charged once',
  replayed_scan: 'an exit or entry resent with its key: the first answer again, flagged replayed; a re-entry fee charged once',
};

export const SLO = {
  gateP95Ms: 500, // entry/exit scans (seeds 003)
  concessionP95Ms: 800, // orders and checkpoint recharges (seeds 003)
  apiP95Ms: 500, // everything else (seeds 004)
  p99Ms: 1000, // every operation (seeds 004)
  fundingE2eAvgMs: 5000, // request -> credited, incl. Stripe (seeds 003: 3-5 s average)
  maxFailureRate: 0.005, // < 0.5 % failures (seeds 003)
  minCheckRate: 0.995,
  minBalanceIntegrity: 0.99999, // seeds 000
} as const;

/** Catastrophe guards: stop burning a target that is clearly broken. */
const ABORT = {
  httpFailureRate: 0.1,
  successRate: 0.9,
  balanceErrors: 25,
  delay: '30s',
  sloDelay: '1m', // breakpoint: let a new plateau settle before judging it
} as const;

const OPERATIONS_BY_WORKLOAD: Record<Workload, TimedOperation[]> = {
  entry: ['entry', 'exit', 'wallet_read'],
  reentry: ['entry', 'exit', 'wallet_read'],
  concession: ['order', 'recharge', 'wallet_read'],
  funding: ['funding_intent', 'funding_webhook', 'wallet_read', 'funding_intent_read'],
  browse: ['wallet_read'],
};

function p95Budget(op: TimedOperation): number {
  if (op === 'entry' || op === 'exit') return SLO.gateP95Ms;
  if (op === 'order' || op === 'recharge') return SLO.concessionP95Ms;
  return SLO.apiP95Ms;
}

export interface ThresholdOptions {
  /** Latency thresholds abort the run when crossed (breakpoint profile). */
  abortOnSloBreach: boolean;
}

export function defaultThresholds(workloads: readonly Workload[], opts: ThresholdOptions): Thresholds {
  const slo = (expr: string): ThresholdRule => (opts.abortOnSloBreach ? { threshold: expr, abortOnFail: true, delayAbortEval: ABORT.sloDelay } : expr);
  const t: Thresholds = {
    // Business rejections (402/409) are expected statuses per request, so they are not failures.
    http_req_failed: [`rate<${SLO.maxFailureRate}`, { threshold: `rate<${ABORT.httpFailureRate}`, abortOnFail: true, delayAbortEval: ABORT.delay }],
    checks: [`rate>${SLO.minCheckRate}`],
    [METRICS.successRate]: [`rate>${1 - SLO.maxFailureRate}`, { threshold: `rate>${ABORT.successRate}`, abortOnFail: true, delayAbortEval: ABORT.delay }],
    [METRICS.balanceIntegrityRate]: [`rate>=${SLO.minBalanceIntegrity}`],
    // Zero corruption (seeds 003); a run that keeps corrupting is stopped.
    [METRICS.balanceErrors]: ['count<1', { threshold: `count<${ABORT.balanceErrors}`, abortOnFail: true, delayAbortEval: '10s' }],
    // A flow that throws judged nothing: never a pass. And a run that sent nothing proves nothing.
    [METRICS.flowErrors]: ['count<1'],
    http_reqs: ['count>0'],
    // Hostile and misbehaving clients must get their expected answer, and no money may move.
    [METRICS.adversarialMismatches]: ['count<1'],
  };
  // Rejections by code, so validation can hold the audit trail to what the clients were told.
  for (const r of AUDITED_REJECTIONS) t[rejectionMetric(r.op, r.code)] = ['count>=0'];
  // Counted by kind in summary.json (a sub-metric shows there once it has a rule).
  for (const kind of ADVERSARIAL_KINDS) {
    t[`${METRICS.adversarial}{kind:${kind}}`] = ['count>=0'];
    t[`${METRICS.adversarialMismatches}{kind:${kind}}`] = ['count<1'];
  }
  const ops = new Set<TimedOperation>();
  for (const w of workloads) for (const op of OPERATIONS_BY_WORKLOAD[w]) ops.add(op);
  for (const op of ops) t[latencyMetric(op)] = [slo(`p(95)<${p95Budget(op)}`), slo(`p(99)<${SLO.p99Ms}`)];
  if (workloads.includes('funding')) t[METRICS.fundingE2e] = [slo(`avg<=${SLO.fundingE2eAvgMs}`)];
  return t;
}

// ---- user overrides ------------------------------------------------------------------------

/** metric expression -> rules that replace the default ones; null or [] removes the metric's thresholds. */
export type ThresholdOverrides = Record<string, ThresholdRule[] | null>;

function isRule(v: unknown): v is ThresholdRule {
  if (typeof v === 'string') return v.trim().length > 0;
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.threshold === 'string'
    && (r.abortOnFail === undefined || typeof r.abortOnFail === 'boolean')
    && (r.delayAbortEval === undefined || typeof r.delayAbortEval === 'string')
    && Object.keys(r).every((k) => k === 'threshold' || k === 'abortOnFail' || k === 'delayAbortEval');
}

/** Parses THRESHOLDS_JSON, e.g. {"moshpit_order_duration":["p(95)<300"],"checks":null}. */
export function parseThresholdOverrides(json: string): ThresholdOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new Error(`THRESHOLDS_JSON is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('THRESHOLDS_JSON must be an object: {"<metric>": ["<expr>", ...] | null}');
  }
  const out: ThresholdOverrides = {};
  for (const [metric, rules] of Object.entries(parsed as Record<string, unknown>)) {
    if (rules === null) { out[metric] = null; continue; }
    const list = typeof rules === 'string' ? [rules] : rules;
    if (!Array.isArray(list) || !list.every(isRule)) {
      throw new Error(`THRESHOLDS_JSON["${metric}"] must be null, an expression, or a list of expressions / {threshold, abortOnFail?, delayAbortEval?}`);
    }
    out[metric] = list as ThresholdRule[];
  }
  return out;
}

export function applyThresholdOverrides(base: Thresholds, overrides: ThresholdOverrides): Thresholds {
  const out: Thresholds = { ...base };
  for (const [metric, rules] of Object.entries(overrides)) {
    if (rules === null || rules.length === 0) delete out[metric];
    else out[metric] = rules;
  }
  return out;
}

// ---- SLO tiers over time buckets -----------------------------------------------------------
// The runbook's alert tiers and rollback triggers (seeds: runbook, pilot protocol), judged per
// time bucket of the run (core/slo-tiers.ts) rather than once over the whole run. A rule fires
// in a bucket when its condition held in that bucket and the `buckets - 1` before it, in a row.

export type SloSeverity = 'warn' | 'page' | 'critical' | 'rollback';
/** p95/p99: of http_req_duration over every request (ms); error_rate: of http_req_failed (0..1). */
export type SloMetric = 'p95' | 'p99' | 'error_rate';

export interface SloRule {
  name: string;
  severity: SloSeverity;
  metric: SloMetric;
  op: '>';
  /** ms for p95/p99, a fraction for error_rate */
  value: number;
  /** consecutive buckets the condition must hold */
  buckets: number;
}

export const SLO_TIERS: readonly SloRule[] = [
  { name: 'warn p95 > 600 ms', severity: 'warn', metric: 'p95', op: '>', value: 600, buckets: 2 },
  { name: 'page p99 > 1200 ms', severity: 'page', metric: 'p99', op: '>', value: 1200, buckets: 2 },
  { name: 'page error rate > 2 %', severity: 'page', metric: 'error_rate', op: '>', value: 0.02, buckets: 2 },
  { name: 'critical p99 > 2000 ms', severity: 'critical', metric: 'p99', op: '>', value: 2000, buckets: 1 },
  { name: 'critical error rate > 5 %', severity: 'critical', metric: 'error_rate', op: '>', value: 0.05, buckets: 1 },
];

export const ROLLBACK_TRIGGERS: readonly SloRule[] = [
  { name: 'rollback error rate > 1 %', severity: 'rollback', metric: 'error_rate', op: '>', value: 0.01, buckets: 2 },
  { name: 'rollback p99 > 1200 ms', severity: 'rollback', metric: 'p99', op: '>', value: 1200, buckets: 2 },
];

/** What the tier metrics are read from in the merged stream. */
export const SLO_SOURCE = {
  latency: ENGINE_METRICS.httpReqDuration,
  errors: ENGINE_METRICS.httpReqFailed,
  // The adversarial share's refusals are its expected answers, and its wrong answers are judged by
  // moshpit_adversarial_mismatches: the error rate is the legitimate traffic's.
  excludeFromErrors: { tag: 'adversarial', value: 'true' },
} as const;

/** The runbook's bucket: 5 minutes. */
export const SLO_BUCKET_SECONDS = 300;

/**
 * Bucket length for a run planned to last `runSeconds`: the runbook's 5 minutes, unless the run
 * is shorter than two of those (smoke, scaled runs), which then gets five buckets.
 */
export function sloBucketSecondsFor(runSeconds: number): number {
  if (runSeconds >= 2 * SLO_BUCKET_SECONDS) return SLO_BUCKET_SECONDS;
  return Math.max(1, Math.round(runSeconds / 5));
}
