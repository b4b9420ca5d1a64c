// Pass/fail criteria of a run, in one place, over the metric names of core/metric-names.ts.
// The pilot's targets: entry scans < 500 ms, concession < 800 ms, funding 3-5 s on average,
// < 0.5 % failures, zero corruption; every other API call p95 < 500 ms, every operation p99
// < 1 s; success_rate, and balance_integrity_rate >= 99.999 %. Users override them with
// THRESHOLDS_JSON (see below).
import { latencyMetric, METRICS, rejectionMetric, type TimedOperation } from './metric-names.js';
import { AUDITED_REJECTIONS, type Operation } from './operations.js';
import type { Workload } from './profiles.js';

// ---- thresholds --------------------------------------------------------------------------

/** Same shape as k6's threshold entries. */
export type ThresholdRule = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };
export type Thresholds = Record<string, ThresholdRule[]>;

/** What the adversarial client share sends (lib/flows/adversarial.ts). */
export const ADVERSARIAL_KINDS = ['hostile_amount', 'concurrent_duplicate', 'conflicting_replay', 'extra_fields', 'out_of_order_scan'] as const;
export type AdversarialKind = (typeof ADVERSARIAL_KINDS)[number];

/** The answer each misbehaviour must get (summary.md shows it beside what was sent). */
export const ADVERSARIAL_EXPECTED: Record<AdversarialKind, string> = {
  hostile_amount: 'recharge of 0, -500, 12.5, 100.0, 1e2 or 10^20 cents: 400 validation_failed, no money moves',
  concurrent_duplicate: 'the same recharge twice at once, one key: applied once (the other replays or gets 409 in flight)',
  conflicting_replay: 'a key reused with another amount: 422 idempotency_key_reused, the first amount only',
  extra_fields: 'an order carrying its own total, fee and balance: charged at fixture prices, or 400',
  out_of_order_scan: 'an exit while outside or an entry while inside: 409, no money moves',
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
