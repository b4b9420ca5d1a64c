// The SLO-tier alert rules as a Grafana provisioning file: generated from the tiers, in the
// shape Grafana's file provisioning reads (apiVersion 1, groups of rules with their queries),
// in the dashboards' folder, pointing at provisioned datasources and at dashboard panels that
// exist, and nothing Grafana would silently rewrite. (What the rules do against data:
// alert-rules-influx.test.ts.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ALERT_RULE_PATH, alertRuleFileIsStale, renderAlertRuleFile, writeAlertRuleFile } from '../../monitoring/grafana/alert-rules/alert-rule-file.js';
import grafanaCommand from '../../cli/commands/grafana.js';
import { AlertTierError, type AlertTier } from '../../monitoring/grafana/alert-rules/alert-tier.js';
import { alertRuleFile, type AlertRuleFile } from '../../monitoring/grafana/alert-rules/alert-rules.js';
import { DEFAULT_ALERT_TIERS, DEFAULT_BUCKET_SECONDS } from '../../monitoring/grafana/alert-rules/default-alert-tiers.js';
import { TIER_METRICS } from '../../monitoring/grafana/alert-rules/tier-queries.js';
import { DASHBOARDS } from '../../monitoring/grafana/dashboards.js';
import { DASHBOARD_DIR } from '../../monitoring/grafana/dashboard-files.js';
import { projectRoot } from '../../stack/paths.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const provisioning = join(projectRoot, 'monitoring', 'grafana', 'provisioning');
const file = parse(readFileSync(ALERT_RULE_PATH, 'utf8')) as AlertRuleFile;
const [group] = file.groups;
const rules = group!.rules as unknown as Json[];

// Grafana's AlertRuleV1 / QueryV1 fields (pkg/services/provisioning/alerting/rules_types.go).
const RULE_FIELDS = new Set(['uid', 'title', 'condition', 'data', 'dasboardUid', 'dashboardUid', 'panelId', 'noDataState', 'execErrState', 'for',
  'keepFiringFor', 'missing_series_evals_to_resolve', 'annotations', 'labels', 'isPaused', 'notification_settings', 'record']);
const QUERY_FIELDS = new Set(['refId', 'queryType', 'relativeTimeRange', 'datasourceUid', 'model']);

const tier = (over: Partial<AlertTier>): AlertTier => ({ name: 'x', severity: 'warn', metric: 'p95', op: '>', value: 600, buckets: 2, ...over });

describe('SLO-tier alert rule provisioning', () => {
  it('the file is exactly what the tiers generate', () => {
    expect(alertRuleFileIsStale(), "run 'moshpit grafana dashboards'").toBe(false);
  });

  it('a file that differs from the tiers is stale, and `grafana dashboards --check` covers it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'moshpit-alerts-'));
    try {
      const path = join(dir, 'rules.yml');
      expect(alertRuleFileIsStale(path)).toBe(true);
      writeAlertRuleFile(path);
      expect(alertRuleFileIsStale(path)).toBe(false);
      writeFileSync(path, renderAlertRuleFile().replace('params:\n                      - 600', 'params:\n                      - 700'));
      expect(alertRuleFileIsStale(path)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await grafanaCommand.run(['dashboards', '--check'])).toBe(0);
  });

  it('is one group, evaluated once per 5-minute bucket, in the dashboards\' folder', () => {
    expect(file.apiVersion).toBe(1);
    expect(file.groups).toHaveLength(1);
    const folder = /folder: (\S+)/.exec(readFileSync(join(provisioning, 'dashboards', 'moshpit.yml'), 'utf8'))![1];
    expect(group).toMatchObject({ orgId: 1, name: 'moshpit SLO tiers', folder, interval: '5m' });
    expect(DEFAULT_BUCKET_SECONDS).toBe(300);
  });

  it('has one rule per tier, with Grafana\'s rule and query fields only', () => {
    expect(rules.map((r) => r.uid)).toEqual(DEFAULT_ALERT_TIERS.map((t) => `moshpit-${t.name}`));
    for (const r of rules) {
      expect(Object.keys(r).filter((k) => !RULE_FIELDS.has(k)), r.uid).toEqual([]);
      expect(r.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(['NoData', 'Alerting', 'OK', 'KeepLast']).toContain(r.noDataState);
      expect(['Error', 'Alerting', 'OK', 'KeepLast']).toContain(r.execErrState);
      expect(r.data.map((d: Json) => d.refId)).toEqual(['A', 'B', 'C']);
      expect(r.condition).toBe('C');
      for (const d of r.data as Json[]) {
        expect(Object.keys(d).filter((k) => !QUERY_FIELDS.has(k)), `${r.uid}/${d.refId}`).toEqual([]);
        expect(d.model.refId).toBe(d.refId);
        expect(d.relativeTimeRange).toEqual(expect.objectContaining({ from: expect.any(Number), to: expect.any(Number) }));
      }
    }
    expect(new Set(rules.map((r) => r.title)).size).toBe(rules.length);
  });

  it('each rule holds its tier: metric query over one bucket, last value, threshold, consecutive buckets', () => {
    DEFAULT_ALERT_TIERS.forEach((t, i) => {
      const r = rules[i]!;
      const [a, b, c] = r.data as Json[];
      const m = TIER_METRICS[t.metric];
      expect(a).toMatchObject({ datasourceUid: 'moshpit-k6', relativeTimeRange: { from: 300, to: 0 }, model: { rawQuery: true, resultFormat: 'time_series', datasource: { type: 'influxdb', uid: 'moshpit-k6' } } });
      expect(a!.model.query).toContain(`${m.select} AS "${t.metric}" FROM "${m.measurement}"`);
      // One series per run, scenario requests only, the window Grafana gives the rule.
      expect(a!.model.query).toMatch(/WHERE "flow" != '' AND \$timeFilter GROUP BY "testid"$/);
      expect(b).toMatchObject({ datasourceUid: '__expr__', model: { type: 'reduce', expression: 'A', reducer: 'last', settings: { mode: 'dropNN' }, datasource: { uid: '__expr__' } } });
      expect(c).toMatchObject({ datasourceUid: '__expr__', model: { type: 'threshold', expression: 'B', conditions: [{ evaluator: { type: 'gt', params: [t.value] } }] } });
      // Pending for buckets - 1 evaluations: fires on the `buckets`-th consecutive one.
      expect(r.for).toBe(t.buckets === 1 ? '0s' : `${(t.buckets - 1) * 5}m`);
      expect(r.labels).toEqual({ moshpit: 'slo-tier', severity: t.severity, tier: t.name, metric: t.metric });
      expect(r).toMatchObject({ noDataState: 'OK', execErrState: 'Error', isPaused: false });
    });
  });

  it('carries the runbook\'s tiers and rollback triggers', () => {
    const rows = DEFAULT_ALERT_TIERS.map((t) => `${t.severity} ${t.metric} > ${t.value} x${t.buckets}`);
    expect(rows).toEqual([
      'warn p95 > 600 x2',
      'page p99 > 1200 x2', 'page error_rate > 0.02 x2',
      'critical p99 > 2000 x1', 'critical error_rate > 0.05 x1',
      'rollback error_rate > 0.01 x2', 'rollback p99 > 1200 x2',
    ]);
  });

  it('leaves nothing for Grafana\'s environment expansion to eat', () => {
    // Grafana expands $VAR in every field but the query models and annotations (which keep
    // {{ $labels.testid }} for the alert template) and expands ${VAR} in annotations too.
    const expanded = [group!.name, group!.folder, group!.interval, ...rules.flatMap((r) => [r.uid, r.title, r.condition, r.for, ...Object.values(r.labels as object)])];
    for (const v of expanded) expect(String(v), String(v)).not.toContain('$');
    for (const r of rules) for (const v of Object.values(r.annotations as Record<string, string>)) expect(v).not.toContain('${');
    expect(rules[0]!.annotations.summary).toContain('{{ $labels.testid }}');
  });

  it('points at provisioned datasources and at dashboard panels that draw the same measurement', () => {
    const datasources = readFileSync(join(provisioning, 'datasources', 'moshpit.yml'), 'utf8');
    for (const r of rules) {
      const a = r.data[0] as Json;
      expect(datasources).toContain(`uid: ${a.datasourceUid}`);
      const d = DASHBOARDS.find((x) => x.uid === r.dashboardUid)!;
      const panel = (JSON.parse(readFileSync(join(DASHBOARD_DIR, d.file), 'utf8')) as Json).panels.find((p: Json) => p.id === r.panelId);
      const measurement = /FROM "([^"]+)"/.exec(a.model.query)![1];
      expect(panel?.targets.some((t: Json) => t.query.includes(`FROM "${measurement}"`)), `${r.uid} → panel ${r.panelId}`).toBe(true);
    }
  });

  it('follows the bucket length and the number of buckets it is given', () => {
    const short = alertRuleFile([tier({ name: 'three', buckets: 3 }), tier({ name: 'one', metric: 'error_rate', value: 0.05, buckets: 1 })], 60);
    expect(short.groups[0]!.interval).toBe('1m');
    expect(short.groups[0]!.rules.map((r) => [r.for, r.data[0]!.relativeTimeRange.from])).toEqual([['2m', 60], ['0s', 60]]);
    expect(short.groups[0]!.rules[1]!.title).toBe('moshpit warn: HTTP failure rate > 5 % in one 1m bucket');
  });

  it('refuses tiers Grafana would reject or that could never fire, naming the entry', () => {
    const refused = (tiers: AlertTier[], bucket = 300) => {
      try {
        alertRuleFile(tiers, bucket);
      } catch (e) {
        expect(e).toBeInstanceOf(AlertTierError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused([])).toMatch(/no alert tiers/);
    expect(refused([tier({ name: 'a' }), tier({ name: 'a' })])).toMatch(/"a": the name is used twice/);
    expect(refused([tier({ name: 'Page P99' })])).toMatch(/"Page P99": the name must be/);
    expect(refused([tier({ name: 'x'.repeat(33) })])).toMatch(/at most 32 characters/);
    expect(refused([tier({ op: '<' as '>' })])).toMatch(/only '>'/);
    expect(refused([tier({ metric: 'p50' as 'p95' })])).toMatch(/unknown metric "p50"/);
    expect(refused([tier({ severity: 'info' as 'warn' })])).toMatch(/unknown severity "info"/);
    expect(refused([tier({ metric: 'error_rate', value: 2 })])).toMatch(/a fraction \(0\.02 = 2 %\), got 2/);
    expect(refused([tier({ value: 0 })])).toMatch(/positive number/);
    expect(refused([tier({ buckets: 0 })])).toMatch(/buckets must be a whole number >= 1, got 0/);
    expect(refused([tier({ buckets: 1.5 })])).toMatch(/got 1\.5/);
    expect(refused([tier({})], 45)).toMatch(/multiple of 10 s.*got 45/);
    expect(refused([tier({})], 300)).toBe('accepted');
  });
});
