// TO BE REPLACED by core/thresholds.ts SLO_TIERS when merged: the same tiers, owned there.
// Until then this is the alert rules' copy of the runbook's tiers over 5-minute buckets.
import type { AlertTier } from './alert-tier.js';

export const DEFAULT_ALERT_TIERS: readonly AlertTier[] = [
  // Warn: p95 > 600 ms for 2 buckets.
  { name: 'warn-p95', severity: 'warn', metric: 'p95', op: '>', value: 600, buckets: 2 },
  // Page: p99 > 1,200 ms, or error rate > 2 %, for 2 buckets.
  { name: 'page-p99', severity: 'page', metric: 'p99', op: '>', value: 1200, buckets: 2 },
  { name: 'page-error-rate', severity: 'page', metric: 'error_rate', op: '>', value: 0.02, buckets: 2 },
  // Critical: p99 > 2,000 ms, or error rate > 5 %, for 1 bucket.
  { name: 'critical-p99', severity: 'critical', metric: 'p99', op: '>', value: 2000, buckets: 1 },
  { name: 'critical-error-rate', severity: 'critical', metric: 'error_rate', op: '>', value: 0.05, buckets: 1 },
  // Rollback triggers: error rate > 1 % or p99 > 1.2 s, for 2 consecutive buckets.
  { name: 'rollback-error-rate', severity: 'rollback', metric: 'error_rate', op: '>', value: 0.01, buckets: 2 },
  { name: 'rollback-p99', severity: 'rollback', metric: 'p99', op: '>', value: 1200, buckets: 2 },
];

/** Bucket length of the tiers (short profiles scale theirs; a Grafana watching real runs keeps 5 minutes). */
export const DEFAULT_BUCKET_SECONDS = 300;
