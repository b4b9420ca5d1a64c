// SLO tiers → Grafana's alert-rule file provisioning (apiVersion 1): one rule group in the
// dashboards' folder, evaluated once per bucket, one rule per tier. Each rule: A = the tier
// metric's InfluxQL over the bucket that just ended (one series per run, label `testid`),
// B = its last value, C = B > the tier's value. The rule fires when C held on `buckets`
// consecutive evaluations: Grafana's pending period (`for`) of buckets - 1 intervals.
import * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as expr from '@grafana/grafana-foundation-sdk/expr';
import { RUN_OVERVIEW } from '../definitions/run-overview.js';
import { InfluxQLTargetBuilder } from '../influxql-target.js';
import { K6_DATASOURCE, panelIdOf } from '../panel-model.js';
import { AlertTierError, checkAlertTiers, type AlertTier, type TierMetric } from './alert-tier.js';
import { TIER_METRICS, tierQuery } from './tier-queries.js';

// The file format, as Grafana reads it (pkg/services/provisioning/alerting: AlertRuleGroupV1,
// AlertRuleV1, QueryV1). The SDK's alerting.Rule is the HTTP API's shape (folderUID, orgID and
// ruleGroup per rule), so the file has its own types; the queries are the SDK's.

export interface ProvisionedQuery {
  refId: string;
  queryType: string;
  /** Seconds before the evaluation time: from = start of the window, to = its end. */
  relativeTimeRange: { from: number; to: number };
  datasourceUid: string;
  model: Record<string, unknown>;
}

export type NoDataState = 'NoData' | 'Alerting' | 'OK' | 'KeepLast';
export type ExecErrState = 'Error' | 'Alerting' | 'OK' | 'KeepLast';

export interface ProvisionedRule {
  uid: string;
  title: string;
  condition: string;
  data: ProvisionedQuery[];
  dashboardUid: string;
  panelId: number;
  noDataState: NoDataState;
  execErrState: ExecErrState;
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
}

export interface ProvisionedRuleGroup {
  orgId: number;
  name: string;
  /** Folder title: the dashboards' folder (provisioning/dashboards/moshpit.yml). */
  folder: string;
  interval: string;
  rules: ProvisionedRule[];
}

export interface AlertRuleFile {
  apiVersion: 1;
  groups: ProvisionedRuleGroup[];
}

export const ALERT_FOLDER = 'moshpit';
export const ALERT_GROUP = 'moshpit SLO tiers';
const EXPRESSION = { type: '__expr__', uid: '__expr__' } as const;
// Grafana's scheduler ticks every 10 s: a group's interval must be a multiple of it.
const SCHEDULER_TICK_S = 10;

/** Seconds as a Prometheus duration Grafana parses ("5m", "90s", "0s"). */
export function duration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** A dataquery model as plain JSON (what the YAML holds). */
function plain(model: cog.Dataquery): Record<string, unknown> {
  return JSON.parse(JSON.stringify(model)) as Record<string, unknown>;
}

function provisioned(q: alerting.Query): ProvisionedQuery {
  return {
    refId: q.refId!,
    queryType: q.queryType ?? '',
    relativeTimeRange: { from: q.relativeTimeRange?.from ?? 0, to: q.relativeTimeRange?.to ?? 0 },
    datasourceUid: q.datasourceUid!,
    model: plain(q.model!),
  };
}

function metricQuery(metric: TierMetric, bucketSeconds: number): alerting.Query {
  return new alerting.QueryBuilder('A')
    .datasourceUid(K6_DATASOURCE.uid)
    .queryType('')
    .relativeTimeRange({ from: bucketSeconds, to: 0 })
    .model(new InfluxQLTargetBuilder({ datasource: K6_DATASOURCE, query: tierQuery(metric) }, 0))
    .build();
}

function lastValue(): alerting.Query {
  return new alerting.QueryBuilder('B')
    .datasourceUid(EXPRESSION.uid)
    .queryType('')
    .relativeTimeRange({ from: 0, to: 0 })
    .model(new expr.TypeReduceBuilder().refId('B').datasource(EXPRESSION).expression('A').reducer('last').settings({ mode: 'dropNN' }))
    .build();
}

function above(value: number): alerting.Query {
  return new alerting.QueryBuilder('C')
    .datasourceUid(EXPRESSION.uid)
    .queryType('')
    .relativeTimeRange({ from: 0, to: 0 })
    .model(new expr.TypeThresholdBuilder().refId('C').datasource(EXPRESSION).expression('B').conditions([{ evaluator: { type: 'gt', params: [value] } }]))
    .build();
}

/** The tier's limit as a reader writes it: 600 ms, 2 %. */
export function formatLimit(t: AlertTier): string {
  return TIER_METRICS[t.metric].unit === 'ms' ? `${t.value} ms` : `${+(t.value * 100).toFixed(4)} %`;
}

function rule(t: AlertTier, bucketSeconds: number): ProvisionedRule {
  const m = TIER_METRICS[t.metric];
  const bucket = duration(bucketSeconds);
  const span = t.buckets === 1 ? `in one ${bucket} bucket` : `for ${t.buckets} consecutive ${bucket} buckets`;
  const shown = m.unit === 'ms' ? '{{ humanize $values.B.Value }} ms' : '{{ humanizePercentage $values.B.Value }}';
  return {
    uid: `moshpit-${t.name}`,
    // Grafana expands $VAR in titles and labels from its environment: none here.
    title: `moshpit ${t.severity}: ${m.label} > ${formatLimit(t)} ${span}`,
    condition: 'C',
    data: [metricQuery(t.metric, bucketSeconds), lastValue(), above(t.value)].map(provisioned),
    dashboardUid: RUN_OVERVIEW.uid,
    panelId: panelIdOf(RUN_OVERVIEW, t.metric === 'error_rate' ? 'error-rate' : 'latency-by-flow'),
    // No load points in the bucket: no run going on, nothing to judge.
    noDataState: 'OK',
    execErrState: 'Error',
    for: duration((t.buckets - 1) * bucketSeconds),
    annotations: {
      summary: `Run {{ $labels.testid }}: ${m.label} ${shown} > ${formatLimit(t)} ${span}`,
      description: `SLO tier ${t.name} (${t.severity}): ${m.label} of the scenario requests (${m.measurement}) over each ${bucket} bucket, ` +
        `above ${formatLimit(t)} ${span}.`,
    },
    labels: { moshpit: 'slo-tier', severity: t.severity, tier: t.name, metric: t.metric },
    isPaused: false,
  };
}

export function alertRuleFile(tiers: readonly AlertTier[], bucketSeconds: number): AlertRuleFile {
  if (!Number.isSafeInteger(bucketSeconds) || bucketSeconds < SCHEDULER_TICK_S || bucketSeconds % SCHEDULER_TICK_S !== 0) {
    throw new AlertTierError(`bucket length must be a whole multiple of ${SCHEDULER_TICK_S} s (Grafana's evaluation tick), got ${bucketSeconds}`);
  }
  checkAlertTiers(tiers);
  return {
    apiVersion: 1,
    groups: [{
      orgId: 1,
      name: ALERT_GROUP,
      folder: ALERT_FOLDER,
      // One evaluation per bucket: consecutive evaluations judge consecutive buckets.
      interval: duration(bucketSeconds),
      rules: tiers.map((t) => rule(t, bucketSeconds)),
    }],
  };
}
