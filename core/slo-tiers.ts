// The SLO tiers and rollback triggers of core/thresholds.ts judged bucket by bucket, and the
// policy that turns the highest tier into a verdict: critical fails a run, page fails it in CI
// mode, warn is reported only; rollback triggers are reported (the runbook's call, not ours).
import type { SloBucket } from './metrics-stream/slo-buckets.js';
import { ROLLBACK_TRIGGERS, SLO_TIERS, type SloMetric, type SloRule, type SloSeverity } from './thresholds.js';

export interface SloFiring {
  rule: string;
  severity: SloSeverity;
  metric: SloMetric;
  /** the rule's bound */
  threshold: number;
  /** the bucket's value */
  value: number;
  /** first bucket of the streak that made it fire (== bucket for a 1-bucket rule) */
  sinceBucket: number;
}

export interface SloTimelineEntry extends SloBucket {
  /** highest alert tier firing in this bucket (rollback triggers are not a tier) */
  tier: Exclude<SloSeverity, 'rollback'> | null;
  fired: SloFiring[];
}

export interface SloTimeline {
  t0Ms: number;
  bucketSeconds: number;
  rules: readonly SloRule[];
  buckets: SloTimelineEntry[];
}

const TIER_RANK: Record<Exclude<SloSeverity, 'rollback'>, number> = { warn: 1, page: 2, critical: 3 };

function metricValue(b: SloBucket, metric: SloMetric): number | null {
  return metric === 'p95' ? b.p95 : metric === 'p99' ? b.p99 : b.errorRate;
}

/** Each rule fires in every bucket that ends a streak of `rule.buckets` breached buckets in a row. */
export function evaluateSloTiers(buckets: SloBucket[], t0Ms: number, bucketSeconds: number, rules: readonly SloRule[] = [...SLO_TIERS, ...ROLLBACK_TRIGGERS]): SloTimeline {
  const streak = new Map<string, number>();
  const out: SloTimelineEntry[] = buckets.map((b) => {
    const fired: SloFiring[] = [];
    for (const r of rules) {
      const v = metricValue(b, r.metric);
      // An empty bucket breaks a streak: no evidence either way.
      const breached = v !== null && v > r.value;
      const n = breached ? (streak.get(r.name) ?? 0) + 1 : 0;
      streak.set(r.name, n);
      if (breached && n >= r.buckets) fired.push({ rule: r.name, severity: r.severity, metric: r.metric, threshold: r.value, value: v, sinceBucket: b.index - r.buckets + 1 });
    }
    let tier: SloTimelineEntry['tier'] = null;
    for (const f of fired) if (f.severity !== 'rollback' && (tier === null || TIER_RANK[f.severity] > TIER_RANK[tier])) tier = f.severity;
    return { ...b, tier, fired };
  });
  return { t0Ms, bucketSeconds, rules, buckets: out };
}

export interface SloPolicy {
  /** CI mode (--ci or CI=true): a page fails the run too. */
  ci: boolean;
  /** false: tiers are reported and never fail the run (chaos runs, MOSHPIT_SLO_POLICY=report). */
  enforce: boolean;
}

export interface SloVerdict {
  highest: SloTimelineEntry['tier'];
  ok: boolean;
  rollback: boolean;
  /** one line for the console and the report */
  text: string;
}

export function sloVerdict(t: SloTimeline, policy: SloPolicy): SloVerdict {
  let highest: SloTimelineEntry['tier'] = null;
  for (const b of t.buckets) if (b.tier && (highest === null || TIER_RANK[b.tier] > TIER_RANK[highest])) highest = b.tier;
  const rollbackAt = t.buckets.filter((b) => b.fired.some((f) => f.severity === 'rollback')).map((b) => b.index);
  const failing = policy.enforce && (highest === 'critical' || (highest === 'page' && policy.ci));
  const at = (tier: string) => t.buckets.filter((b) => b.tier === tier).map((b) => b.index).join(', ');
  const parts: string[] = [];
  if (highest === null) parts.push(`no SLO tier fired (${t.buckets.length} buckets of ${t.bucketSeconds} s)`);
  else {
    const policyText = !policy.enforce ? 'reported only (policy: report)'
      : highest === 'critical' ? 'critical fails the run'
      : highest === 'page' ? (policy.ci ? 'page fails the run in CI mode' : 'page is reported (it fails the run in CI mode: --ci or CI=true)')
      : 'warn is reported only';
    parts.push(`highest SLO tier ${highest} in bucket(s) ${at(highest)} of ${t.bucketSeconds} s: ${policyText}`);
  }
  if (rollbackAt.length) parts.push(`rollback trigger fired in bucket(s) ${rollbackAt.join(', ')}: the runbook calls for a rollback (reported, not enforced)`);
  return { highest, ok: !failing, rollback: rollbackAt.length > 0, text: parts.join('; ') };
}
