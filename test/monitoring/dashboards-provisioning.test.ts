// The Grafana provisioning as files: dashboard JSON generated from its definitions, every
// panel query scoped to the selected run and pointed at a provisioned datasource, the
// annotation layers and the run variable in place, docker-compose mounting what exists.
// (That every query returns data from a real run: dashboards-influx.test.ts.)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../monitoring/grafana/dashboards.js';
import { DASHBOARD_DIR, staleDashboardFiles } from '../../monitoring/grafana/dashboard-files.js';
import { DATASOURCE_DATABASE, panelIdOf, panelsOf } from '../../monitoring/grafana/panel-model.js';
import { defaultDashboard } from '@grafana/schema';
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

  it('has the four dashboards at the schemaVersion of Grafana\'s schema package', () => {
    expect(DASHBOARDS.map((d) => d.uid)).toEqual(['moshpit-run-overview', 'moshpit-money', 'moshpit-gates', 'moshpit-database']);
    for (const d of DASHBOARDS) {
      const json = load(d.file);
      expect(json.uid).toBe(d.uid);
      expect(json.schemaVersion, d.uid).toBe(defaultDashboard.schemaVersion);
    }
  });

  it('each has the run variable, with a current value Grafana can hold', () => {
    for (const d of DASHBOARDS) {
      const [variable, ...others] = load(d.file).templating.list;
      expect(others).toEqual([]);
      expect(variable).toMatchObject({ name: 'testid', type: 'query', datasource: { uid: 'moshpit-k6' }, multi: false, includeAll: false, options: [] });
      expect(variable.query).toEqual({ refId: expect.any(String), query: 'SHOW TAG VALUES FROM "vus" WITH KEY = "testid"' });
      // {} is what a hand-written file had; Grafana's VariableOption needs text and value.
      expect(variable.current).toEqual({ selected: false, text: '', value: '' });
    }
  });

  it('each has the three annotation layers as current InfluxDB annotation queries (datasource + target)', () => {
    const legacy = ['query', 'titleColumn', 'textColumn', 'tagsColumn', 'timeEndColumn'];
    for (const d of DASHBOARDS) {
      const list = load(d.file).annotations.list as Json[];
      expect(list.map((a) => a.name)).toEqual(['Chaos faults', 'Run phases', 'Validation verdict']);
      for (const a of list) {
        for (const key of legacy) expect(a, `${d.uid}/${a.name}: legacy top-level ${key}`).not.toHaveProperty(key);
        expect(a).toMatchObject({ datasource: { type: 'influxdb', uid: 'moshpit-runs' }, enable: true });
        expect(a.target).toMatchObject({ refId: 'Anno', rawQuery: true, fromAnnotations: true, titleColumn: 'title', textColumn: 'text', tagsColumn: 'kind', timeEndColumn: 'end_ms' });
        expect(a.target.query).toContain('$testid');
        expect(a.target.query).toContain('$timeFilter');
      }
    }
  });

  it('panels carry only the keys of Grafana\'s panel schema, and their ids stand for the report\'s panel keys', () => {
    // dashboard.Panel / RowPanel of the schema (foundation SDK types): anything else is a key
    // Grafana may drop when a user saves the dashboard.
    const panelKeys = new Set(['type', 'id', 'pluginVersion', 'targets', 'title', 'description', 'transparent', 'datasource', 'gridPos', 'links', 'repeat',
      'repeatDirection', 'maxPerRow', 'maxDataPoints', 'transformations', 'interval', 'timeFrom', 'timeShift', 'hideTimeOverride', 'timeCompare',
      'libraryPanel', 'cacheTimeout', 'queryCachingTTL', 'options', 'fieldConfig']);
    const rowKeys = new Set(['type', 'collapsed', 'title', 'datasource', 'gridPos', 'id', 'panels', 'repeat']);
    for (const d of DASHBOARDS) {
      const panels = load(d.file).panels as Json[];
      for (const p of panels) {
        const allowed = p.type === 'row' ? rowKeys : panelKeys;
        expect(Object.keys(p).filter((k) => !allowed.has(k)), `${d.uid}/${p.title}`).toEqual([]);
      }
      expect(new Set(panels.map((p) => p.id)).size, `${d.uid}: panel ids unique`).toBe(panels.length);
      for (const def of panelsOf(d)) {
        const p = panels.find((x) => x.id === panelIdOf(d, def.key));
        expect(p?.title, `${d.uid}/${def.key}`).toBe(def.title);
      }
    }
  });

  it('scopes every panel query to the selected run and a provisioned datasource', () => {
    for (const d of DASHBOARDS) {
      const json = load(d.file);
      const panels = json.panels.filter((p: Json) => p.type !== 'row');
      expect(panels.map((p: Json) => p.id)).toEqual(panelsOf(d).map((p) => panelIdOf(d, p.key)));
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
    const byKey = (key: string) => overview.panels.find((p: Json) => p.id === panelIdOf(DASHBOARDS[0]!, key));
    const gate = byKey('gate-p95');
    expect(gate.fieldConfig.defaults.thresholds.steps.map((s: Json) => s.value)).toEqual([null, 500]);
    expect(gate.fieldConfig.defaults.custom.thresholdsStyle.mode).toBe('dashed');
    const concession = byKey('concession-p95');
    expect(concession.fieldConfig.defaults.thresholds.steps.at(-1).value).toBe(800);
  });

  it('docker-compose provisions Grafana from these files, on loopback ports', () => {
    const compose = readFileSync(join(projectRoot, 'monitoring', 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/image: influxdb:1\.8/);
    // The Grafana the dashboards are typed for: the version of the installed @grafana/schema.
    const schemaVersion = (JSON.parse(readFileSync(join(projectRoot, 'node_modules', '@grafana', 'schema', 'package.json'), 'utf8')) as { version: string }).version;
    expect(compose).toContain(`image: grafana/grafana:${schemaVersion}\n`);
    expect(compose).toMatch(/\.\/grafana\/provisioning:\/etc\/grafana\/provisioning:ro/);
    expect(compose).toMatch(/\.\/grafana\/dashboards:\/var\/lib\/grafana\/dashboards\/moshpit:ro/);
    expect(compose).toMatch(/MOSHPIT_GRAFANA_DASHBOARDS: \/var\/lib\/grafana\/dashboards\/moshpit/);
    for (const port of compose.match(/- "[^"]*:\d+:\d+"/g) ?? []) expect(port).toMatch(/"127\.0\.0\.1:/);
    for (const dir of ['provisioning', 'dashboards']) expect(existsSync(join(grafanaDir, dir))).toBe(true);
  });
});
