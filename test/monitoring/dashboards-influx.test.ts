// Proof without Grafana: a real smoke run of the full scenario through the CLI with --influx
// (into a private influxd) on the default engine, whose Artillery processes forward their
// samples (lib/bindings/artillery/influx-forwarder.ts), the db monitor sampling every second
// and a chaos window recorded mid-run; then every panel query of every dashboard, with the
// run's id, time range and interval substituted the way Grafana does, must return data. So
// must the run variable and each annotation layer. And the panels must agree with the run's
// own files (the merged metrics stream) and the database.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS, findPanel } from '../../monitoring/grafana/dashboards.js';
import { DATASOURCE_DATABASE, panelIdOf, panelsOf } from '../../monitoring/grafana/panel-model.js';
import { expandMacros, hasValues, runPanel, runQuery, type QueryWindow } from '../../monitoring/grafana/panel-queries.js';
import { rows } from '../../monitoring/influx/influx-client.js';
import type { DbMonitorFile } from '../../monitoring/db-monitor-influx.js';
import { buildDashboard } from '../../monitoring/grafana/build-dashboard.js';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir, runScenarioCli, type ScenarioRun } from '../support/scenario-run.js';
import { recordChaosWindowDuringRun, RECORDED_FAULT } from './chaos-window-recorder.js';
import { ALERT_RULE_PATH } from '../../monitoring/grafana/alert-rules/alert-rule-file.js';
import type { AlertRuleFile } from '../../monitoring/grafana/alert-rules/alert-rules.js';
import { evaluate } from './alert-rule-evaluator.js';
import { parse } from 'yaml';
import { startTestInflux, type TestInflux } from './influx-fixture.js';

const db = await useTestDatabase();
let influx: TestInflux;
let run: ScenarioRun;
let w: QueryWindow;
const work = newWorkDir();

beforeAll(async () => {
  influx = await startTestInflux();
  let done = false;
  const chaos = recordChaosWindowDuringRun(join(work, 'results'), () => done);
  run = await runScenarioCli({
    databaseUrl: db.url,
    scenario: 'full',
    workDir: work,
    args: ['--profile', 'smoke', '--wallets', '1000'],
    env: { MOSHPIT_INFLUX_URL: influx.influx.url, MOSHPIT_DURATION_SCALE: '0.4', MOSHPIT_DB_MONITOR_INTERVAL: '1' },
  });
  done = true;
  await chaos;
  // influx.json's `k6` key holds the load's window, whatever the engine.
  const load = JSON.parse(readFileSync(join(run.runDir!, 'influx.json'), 'utf8')).k6 as { startMs: number; endMs: number };
  // Grafana's view of the run: its time range, one-second buckets.
  w = { runId: run.runId!, fromMs: load.startMs - 5000, toMs: load.endMs + 5000, intervalMs: 1000 };
}, 300_000);

afterAll(async () => {
  await influx?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('dashboards against a real run in InfluxDB', () => {
  it('the run streamed to InfluxDB and passed', () => {
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stderr).toMatch(/streaming metrics to InfluxDB/);
    const monitor = JSON.parse(readFileSync(join(run.runDir!, 'db-monitor.json'), 'utf8')) as DbMonitorFile;
    expect(monitor.errors).toEqual([]);
    expect(monitor.samples.length).toBeGreaterThanOrEqual(5);
    expect(monitor.pointsWritten).toBe(monitor.samples.length * 2); // moshpit_db + moshpit_festival each
  });

  it('the default engine forwarded the whole stream: InfluxDB holds what summary.json counted', async () => {
    const meta = JSON.parse(readFileSync(join(run.runDir!, 'metadata.json'), 'utf8')) as { engine: { name: string } };
    expect(meta.engine.name).toBe('artillery');
    const k6 = influx.client(DATASOURCE_DATABASE['moshpit-k6']);
    const total = async (q: string) => Number(rows(await k6.query(q, { params: { id: run.runId! } }))[0]?.n ?? 0);
    const metric = (m: string) => run.summary!.metrics[m]!.values;
    expect(await total('SELECT sum("value") AS "n" FROM "http_reqs" WHERE "testid" = $id')).toBe(metric('http_reqs').count);
    expect(await total('SELECT count("value") AS "n" FROM "http_req_duration" WHERE "testid" = $id')).toBe(metric('http_reqs').count);
    expect(await total('SELECT sum("value") AS "n" FROM "iterations" WHERE "testid" = $id')).toBe(metric('iterations').count);
    expect(await total('SELECT sum("value") AS "n" FROM "moshpit_order_acked_cents" WHERE "testid" = $id')).toBe(metric('moshpit_order_acked_cents').count);
    const tagKeys = (await k6.query('SHOW TAG KEYS FROM "http_reqs"'))[0]!.values.flat();
    expect(tagKeys).toEqual(expect.arrayContaining(['testid', 'profile', 'target_kind', 'scenario', 'flow', 'op', 'name', 'status']));
    for (const k of ['vu', 'iter', 'url']) expect(tagKeys).not.toContain(k);
    // No load process lost a write.
    const engineDir = join(run.runDir!, 'engine');
    for (const f of readdirSync(engineDir).filter((n) => n.endsWith('.log'))) {
      expect(readFileSync(join(engineDir, f), 'utf8'), f).not.toMatch(/InfluxDB:/);
    }
  });

  it('every query of every panel returns data for the run', async () => {
    const empty: string[] = [];
    let queries = 0;
    for (const d of DASHBOARDS) {
      for (const p of panelsOf(d)) {
        for (const [i, q] of p.queries.entries()) {
          queries++;
          const series = await runQuery(influx.client(), q, w);
          if (!series.some(hasValues)) empty.push(`${d.uid}/${p.key} query ${i}: ${expandMacros(q.query, w)}`);
        }
      }
    }
    expect(queries).toBeGreaterThan(40);
    expect(empty).toEqual([]);
  });

  it('the JSON Grafana loads holds the same queries that were proven here', () => {
    for (const d of DASHBOARDS) {
      const json = JSON.parse(JSON.stringify(buildDashboard(d))) as { panels: Array<{ id: number; targets?: Array<{ query: string }> }> };
      for (const p of panelsOf(d)) {
        const panel = json.panels.find((x) => x.id === panelIdOf(d, p.key))!;
        expect(panel.targets!.map((t) => t.query)).toEqual(p.queries.map((q) => q.query));
      }
    }
  });

  it('every provisioned alert rule\'s query returns a value for the run', async () => {
    const rules = (parse(readFileSync(ALERT_RULE_PATH, 'utf8')) as AlertRuleFile).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const rule of rules) {
      // Evaluated as the load ends: the bucket before it holds the (shorter) smoke run.
      const value = (await evaluate(influx.client(), rule, w.toMs)).get(run.runId!)?.value;
      if (value === undefined || !Number.isFinite(value)) missing.push(`${rule.uid}: ${value}`);
    }
    expect(missing).toEqual([]);
  });

  it('the run variable lists the run, and panels of another run show nothing', async () => {
    const k6 = influx.client(DATASOURCE_DATABASE['moshpit-k6']);
    const variable = JSON.parse(JSON.stringify(buildDashboard(DASHBOARDS[0]!))).templating.list[0] as { query: { query: string } };
    const values = (await k6.query(variable.query.query))[0]!.values.map((v) => v[1]);
    expect(values).toContain(run.runId);
    const other = await runPanel(influx.client(), findPanel('moshpit-run-overview', 'request-rate'), { ...w, runId: 'some-other-run' });
    expect(other.filter(hasValues)).toEqual([]);
  });

  it('each annotation layer finds the run\'s annotations: chaos window, load phases, verdict', async () => {
    // The layers as Grafana loads them: each target's query, against its layer's datasource.
    const layers = JSON.parse(JSON.stringify(buildDashboard(DASHBOARDS[0]!))).annotations.list as Array<{ name: string; datasource: { uid: string }; target: { query: string } }>;
    const found = Object.fromEntries(await Promise.all(layers.map(async (a) => {
      const r = rows(await influx.client(DATASOURCE_DATABASE[a.datasource.uid]).query(expandMacros(a.target.query, w)));
      return [a.name, r] as const;
    })));
    expect(found['Chaos faults']).toHaveLength(1);
    expect(found['Chaos faults']![0]).toMatchObject({ title: RECORDED_FAULT.fault });
    expect(Number(found['Chaos faults']![0]!.end_ms) - Number(found['Chaos faults']![0]!.time)).toBe(RECORDED_FAULT.durationMs);
    expect(found['Run phases']!.map((r) => r.title)).toEqual(['load started', 'load finished']);
    expect(found['Validation verdict']!.map((r) => r.title)).toEqual(['validation passed']);
  });

  it('panels agree with summary.json, validation.json and the database', async () => {
    const summary = run.summary!;
    const one = async (dashboard: string, key: string) => {
      const [s] = (await runPanel(influx.client(), findPanel(dashboard, key), w)).filter(hasValues);
      return s!.points.find(([, v]) => v !== null)![1];
    };
    expect(await one('moshpit-money', 'revenue-total')).toBeCloseTo(summary.metrics.moshpit_order_acked_cents!.values.count! / 100, 6);
    const fees = (await db.pool.query<{ fee: string }>(`SELECT coalesce(sum(platform_fee_cents), 0) AS fee FROM orders WHERE idempotency_key LIKE $1`, [`${run.runId}:%`])).rows[0]!.fee;
    expect(await one('moshpit-money', 'platform-fee-total')).toBeCloseTo(Number(fees) / 100, 6);
    expect(await one('moshpit-run-overview', 'verdict')).toBe('passed');

    const thresholds = await runPanel(influx.client(), findPanel('moshpit-run-overview', 'thresholds'), w);
    const expected = Object.values(summary.metrics).reduce((n, m) => n + Object.keys((m as { thresholds?: object }).thresholds ?? {}).length, 0);
    // A table panel: one series (one row) per threshold, all of them passed.
    const ok = thresholds.filter((s) => s.name.endsWith('.ok'));
    expect(ok).toHaveLength(expected);
    expect(ok.every((s) => s.points[0]![1] === true)).toBe(true);
    const checkers = await runPanel(influx.client(), findPanel('moshpit-run-overview', 'checkers'), w);
    expect(checkers.filter((s) => s.name.endsWith('.violations'))).toHaveLength(run.validation!.results.length);
  });

  it('zero-baseline panels show 0 as one series, not "No data" and not two lines', async () => {
    for (const [d, key] of [['moshpit-run-overview', 'dropped-iterations'], ['moshpit-money', 'indeterminate'], ['moshpit-money', 'retries']] as const) {
      const series = await runPanel(influx.client(), findPanel(d, key), w);
      expect(series, key).toHaveLength(1);
      expect(series[0]!.points.length, key).toBeGreaterThan(5);
      expect(series[0]!.points.every(([, v]) => v === 0), key).toBe(true);
    }
    const duplicates = await runPanel(influx.client(), findPanel('moshpit-gates', 'duplicates'), w);
    expect(duplicates).toHaveLength(1);
    const total = duplicates[0]!.points.reduce((n, [, v]) => n + Number(v), 0) * (w.intervalMs / 60_000);
    expect(Math.round(total)).toBe((await db.pool.query(`SELECT count(*)::int AS n FROM nfc_scan_log WHERE idempotency_key LIKE $1 AND result = 'duplicate_entry'`, [`${run.runId}:%`])).rows[0].n);
  });
});
