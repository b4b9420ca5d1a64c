// The InfluxQL behind each tier metric: one value per run (tag `testid`) over the rule's
// window, from the load's points (database `k6`, k6's names: k6's own InfluxDB output and the
// default engine's forwarder write the same). Scenario requests only, as on the dashboards:
// setup()'s probes carry no flow tag.
import { IN_FLOW } from '../influxql.js';
import type { TierMetric } from './alert-tier.js';

interface TierMetricQuery {
  select: string;
  measurement: string;
  /** Grafana unit id and how a value reads in an alert's text. */
  unit: 'ms' | 'percentunit';
  label: string;
}

export const TIER_METRICS: Record<TierMetric, TierMetricQuery> = {
  p95: { select: 'percentile("value", 95)', measurement: 'http_req_duration', unit: 'ms', label: 'p95 latency' },
  p99: { select: 'percentile("value", 99)', measurement: 'http_req_duration', unit: 'ms', label: 'p99 latency' },
  // http_req_failed is 1 for a failed request, 0 otherwise: its mean is the failure rate.
  error_rate: { select: 'mean("value")', measurement: 'http_req_failed', unit: 'percentunit', label: 'HTTP failure rate' },
};

/** Grafana's $timeFilter is the rule's relative time range: the bucket that just ended. */
export function tierQuery(metric: TierMetric): string {
  const m = TIER_METRICS[metric];
  return `SELECT ${m.select} AS "${metric}" FROM "${m.measurement}" WHERE ${IN_FLOW} AND $timeFilter GROUP BY "testid"`;
}
