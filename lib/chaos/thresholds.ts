// Pass/fail criteria of a chaos run, separate from the load scenarios' (core/thresholds.ts):
//   steady state (outside every fault window and its recovery period): no failed request, no
//     failed check, no unexpected outcome, and the usual latency SLOs;
//   always, inside windows too: the money is never wrong (balance observations, and the money
//     rules the chaos flows check: lib/chaos/metrics.ts invariant());
//   inside windows and recoveries: errors are expected; their rate and latency are measured
//     (sub-metrics per phase and per fault, so the summary compares them), never judged;
//   recovery time after each window (Node side, cli/pipeline/chaos-run.ts): within a bound.
import { CHAOS_METRICS, ENGINE_METRICS, latencyMetric, METRICS } from '../../core/metric-names.js';
import { defaultThresholds, type ThresholdRule, type Thresholds } from '../../core/thresholds.js';
import type { Workload } from '../../core/profiles.js';
import { CHAOS_TAG, FAULT_TAG, type ChaosEnv } from './contract.js';
import { allPhaseTags } from './schedule.js';

/** A sub-metric selector k6 accepts: metric{tag:value,...}. */
export function selector(metric: string, tags: Record<string, string>): string {
  return `${metric}{${Object.entries(tags).map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

/** Whole-run sanity bounds (faults included): a target this broken is not "degraded". */
export const WHOLE_RUN = { maxFailureRate: 0.5, minSuccessRate: 0.5 } as const;

export function chaosThresholds(workloads: readonly Workload[], env: Pick<ChaosEnv, 'windows' | 'recoveryS' | 'durationS'>): Thresholds {
  const base = defaultThresholds(workloads, { abortOnSloBreach: false });
  const steady = (metric: string) => selector(metric, { [CHAOS_TAG]: 'steady' });
  const t: Thresholds = {
    http_req_failed: [`rate<${WHOLE_RUN.maxFailureRate}`],
    checks: [`rate>${WHOLE_RUN.minSuccessRate}`],
    [METRICS.successRate]: [`rate>${WHOLE_RUN.minSuccessRate}`],
    [steady(ENGINE_METRICS.httpReqFailed)]: ['rate==0'],
    [steady(ENGINE_METRICS.checks)]: ['rate==1'],
    [steady(METRICS.successRate)]: ['rate==1'],
    // The money: never wrong, in or out of a window.
    [METRICS.balanceIntegrityRate]: base[METRICS.balanceIntegrityRate]!,
    [METRICS.balanceErrors]: base[METRICS.balanceErrors]!,
    [CHAOS_METRICS.violations]: ['count<1'],
    [METRICS.flowErrors]: base[METRICS.flowErrors]!,
    http_reqs: base.http_reqs!,
  };
  // Latency SLOs hold in steady state.
  for (const [metric, rules] of Object.entries(base)) {
    if (/^moshpit_.*_duration$/.test(metric) || metric === METRICS.fundingE2e) t[steady(metric)] = rules;
  }
  // Measured, not judged: error rate and latency per phase and per fault (always-true rules
  // make k6 compute the sub-metrics, so summary.json holds the comparison).
  const measure = (tags: Record<string, string>) => {
    t[selector(ENGINE_METRICS.httpReqFailed, tags)] ??= ['rate<=1']; // never over a real rule (steady's)
    t[selector(ENGINE_METRICS.httpReqDuration, tags)] ??= ['max>=0'];
  };
  for (const phase of ['steady', 'fault', 'recovery']) measure({ [CHAOS_TAG]: phase });
  for (const p of allPhaseTags(env)) if (p.chaos !== 'steady') measure({ [CHAOS_TAG]: p.chaos, [FAULT_TAG]: p.fault });
  // Counts by tag for the chaos report (k6 only keeps tagged counts for thresholded sub-metrics).
  for (const status of ['completed', 'offline_shortfall']) t[selector(CHAOS_METRICS.offlineOrders, { status })] = ['count>=0'];
  for (const kind of ['delayed', 'duplicate_concurrent', 'duplicate_late', 'reordered', 'forged']) t[selector(CHAOS_METRICS.webhookDeliveries, { kind })] = ['count>=0'];
  for (const op of ['order', 'entry', 'funding_webhook'] as const) {
    const m = latencyMetric(op);
    if (t[steady(m)]) t[selector(m, { [CHAOS_TAG]: 'fault' })] = ['max>=0'];
  }
  return t;
}

export type { ThresholdRule };
