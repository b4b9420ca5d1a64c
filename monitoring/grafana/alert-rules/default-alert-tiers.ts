// The alert rules' tiers are core/thresholds.ts's SLO tiers and rollback triggers (the same
// rules moshpit judges a run's buckets by), renamed into rule-uid form: 'page-error-rate'.
import { ROLLBACK_TRIGGERS, SLO_BUCKET_SECONDS, SLO_TIERS, type SloRule } from '../../../core/thresholds.js';
import type { AlertTier } from './alert-tier.js';

function asAlertTier(rule: SloRule): AlertTier {
  return { name: `${rule.severity}-${rule.metric.replace(/_/g, '-')}`, severity: rule.severity, metric: rule.metric, op: rule.op, value: rule.value, buckets: rule.buckets };
}

export const DEFAULT_ALERT_TIERS: readonly AlertTier[] = [...SLO_TIERS, ...ROLLBACK_TRIGGERS].map(asAlertTier);

/** Bucket length of the tiers (short profiles scale theirs; a Grafana watching real runs keeps 5 minutes). */
export const DEFAULT_BUCKET_SECONDS = SLO_BUCKET_SECONDS;
