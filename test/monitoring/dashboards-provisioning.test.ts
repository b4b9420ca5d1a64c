// The Grafana provisioning as files: dashboard JSON generated from its definitions, every
// panel query scoped to the selected run and pointed at a provisioned datasource, the
// annotation layers and the run variable in place, docker-compose mounting what exists.
// (That every query returns data from a real run: dashboards-influx.test.ts.)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../monitoring/grafana/dashboards.js';
import { DASHBOARD_DIR, staleDashboardFiles } from '../../monitoring/grafana/dashboard-files.js';
import { DATASOURCE_DATABASE, panelsOf } from '../../monitoring/grafana/panel-model.js';
import { projectRoot } from '../../stack/paths.js';

const grafanaDir = join(projectRoot, 'monitoring', 'grafana');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (file: string): Json => JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Json;

describe('Grafana provisioning files', () => {
  it('dashboard JSON is exactly what the definitions generate', () => {
    expect(staleDashboardFiles(), "run 'moshpit grafana dashboards'").toEqual([]);
  });

  it('provisions both datasources with the uids and databases the panels use', () => {
    const yml = readFileSync(join(grafanaDir, 'provisioning', 'datasources', 'moshpit.yml'), 'utf8');
    for (const [uid, db] of Object.entries(DATASOURCE_DATABASE)) {
      expect(yml).toMatch(new RegExp(`uid: ${uid}\\n(?:.*\\n)*?\\s+dbName: ${db}\\n`));
    }
    const provider = readFileSync(join(grafanaDir, 'provisioning', 'dashboards', 'moshpit.yml'), 'utf8');
    expect(provider).toMatch(/type: file/);
    expect(provider).toMatch(/path: \$MOSHPIT_GRAFANA_DASHBOARDS/);
  });

  it('has the four dashboards, each with the run variable and the three annotation layers', () => {
    expect(DASHBOARDS.map((d) => d.uid)).toEqual(['moshpit-run-overview', 'moshpit-money', 'moshpit-gates', 'moshpit-database']);
    for (const d of DASHBOARDS) {
      const json = load(d.file);
      expect(json.uid).toBe(d.uid);
      const [variable] = json.templating.list;
      expect(variable).toMatchObject({ name: 'testid', type: 'query', datasource: { uid: 'moshpit-k6' } });
      expect(json.annotations.list.map((a: Json) => a.name)).toEqual(['Chaos faults', 'Run phases', 'Validation verdict']);
      for (const a of json.annotations.list) {
        expect(a.query).toContain('$testid');
        expect(a.query).toContain('$timeFilter');
        expect(a).toMatchObject({ datasource: { uid: 'moshpit-runs' }, textColumn: 'text', timeEndColumn: 'end_ms' });
      }
    }
  });

  it('scopes every panel query to the selected run and a provisioned datasource', () => {
    for (const d of DASHBOARDS) {
      const json = load(d.file);
      const panels = json.panels.filter((p: Json) => p.type !== 'row');
      expect(panels.map((p: Json) => p.moshpitKey)).toEqual(panelsOf(d).map((p) => p.key));
      for (const p of panels) {
        expect(p.targets.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(Object.keys(DATASOURCE_DATABASE), `${d.uid}/${p.title}`).toContain(t.datasource.uid);
          expect(t.rawQuery).toBe(true);
          // k6 points carry testid, moshpit's own run_id: either way, one run only.
          expect(t.query, `${d.uid}/${p.title}`).toMatch(/"(testid|run_id)" = '\$testid'/);
          if (p.type === 'timeseries') expect(t.query, `${d.uid}/${p.title}`).toMatch(/\$timeFilter[\s\S]*GROUP BY time\(\$__interval\)/);
        }
      }
    }
  });

  it('lays panels out inside the 24-column grid without overlaps', () => {
    for (const d of DASHBOARDS) {
      const cells = new Set<string>();
      for (const p of load(d.file).panels as Json[]) {
        const { x, y, w, h } = p.gridPos;
        expect(x + w, `${d.uid}/${p.title}`).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${d.uid}/${p.title} overlaps`).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
    }
  });

  it('draws the SLO budgets of core/thresholds.ts as threshold lines', () => {
    const overview = load('run-overview.json');
    const gate = overview.panels.find((p: Json) => p.moshpitKey === 'gate-p95');
    expect(gate.fieldConfig.defaults.thresholds.steps.map((s: Json) => s.value)).toEqual([null, 500]);
    expect(gate.fieldConfig.defaults.custom.thresholdsStyle.mode).toBe('dashed');
    const concession = overview.panels.find((p: Json) => p.moshpitKey === 'concession-p95');
    expect(concession.fieldConfig.defaults.thresholds.steps.at(-1).value).toBe(800);
  });

  it('docker-compose provisions Grafana from these files, on loopback ports', () => {
    const compose = readFileSync(join(projectRoot, 'monitoring', 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/image: influxdb:1\.8/);
    expect(compose).toMatch(/\.\/grafana\/provisioning:\/etc\/grafana\/provisioning:ro/);
    expect(compose).toMatch(/\.\/grafana\/dashboards:\/var\/lib\/grafana\/dashboards\/moshpit:ro/);
    expect(compose).toMatch(/MOSHPIT_GRAFANA_DASHBOARDS: \/var\/lib\/grafana\/dashboards\/moshpit/);
    for (const port of compose.match(/- "[^"]*:\d+:\d+"/g) ?? []) expect(port).toMatch(/"127\.0\.0\.1:/);
    for (const dir of ['provisioning', 'dashboards']) expect(existsSync(join(grafanaDir, dir))).toBe(true);
  });
});
