// DashboardDef → the dashboard JSON Grafana provisions (schema of Grafana 10/11). Panels flow
// left to right in rows of 24 grid units; ids are assigned in order, so the output is stable.
import { isRow, K6_DATASOURCE, type AnnotationDef, type DashboardDef, type PanelDef, type PanelQuery } from './panel-model.js';

type Json = Record<string, unknown>;

const MIXED = { type: 'datasource', uid: '-- Mixed --' };
const DEFAULT_HEIGHT = 8;

function target(q: PanelQuery, i: number): Json {
  return {
    refId: String.fromCharCode(65 + i),
    datasource: q.datasource,
    rawQuery: true,
    query: q.query,
    resultFormat: q.format ?? 'time_series',
    ...(q.alias ? { alias: q.alias } : {}),
  };
}

function thresholdSteps(p: PanelDef): Json {
  const steps: Json[] = [{ color: 'green', value: null }];
  for (const t of p.thresholds ?? []) steps.push({ color: 'red', value: t.value });
  return { mode: 'absolute', steps };
}

function fieldConfig(p: PanelDef): Json {
  const defaults: Json = { unit: p.unit, thresholds: thresholdSteps(p) };
  if (p.decimals !== undefined) defaults.decimals = p.decimals;
  if (p.kind === 'timeseries') {
    defaults.custom = {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: 8,
      showPoints: 'never',
      spanNulls: true,
      // The SLO budgets as dashed lines, so a breach is visible at a glance.
      thresholdsStyle: { mode: p.thresholds?.length ? 'dashed' : 'off' },
    };
    defaults.color = { mode: 'palette-classic' };
  }
  if (p.valueColors) {
    defaults.mappings = [{
      type: 'value',
      options: Object.fromEntries(Object.entries(p.valueColors).map(([value, color], index) => [value, { color, index }])),
    }];
    defaults.color = { mode: 'thresholds' };
  }
  return { defaults, overrides: [] };
}

function options(p: PanelDef): Json {
  switch (p.kind) {
    case 'timeseries':
      return { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max', 'lastNotNull'] }, tooltip: { mode: 'multi', sort: 'desc' } };
    case 'stat':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '/.*/', values: false }, colorMode: p.valueColors ? 'background' : 'value', graphMode: 'none', textMode: 'value' };
    case 'table':
      return { showHeader: true, cellHeight: 'sm' };
  }
}

function panelJson(p: PanelDef, id: number, gridPos: Json): Json {
  const sources = new Set(p.queries.map((q) => q.datasource.uid));
  const transformations: Json[] = [];
  if (p.sumSeries) {
    // The real counter and its zero baseline arrive as two series: one line, their sum.
    transformations.push({ id: 'joinByField', options: { byField: 'Time', mode: 'outer' } });
    transformations.push({ id: 'calculateField', options: { mode: 'reduceRow', reduce: { reducer: 'sum' }, alias: p.sumSeries, replaceFields: true } });
  }
  if (p.rename) transformations.push({ id: 'renameByRegex', options: { regex: p.rename.regex, renamePattern: p.rename.replacement } });
  if (p.kind === 'table') transformations.push({ id: 'merge', options: {} });
  return {
    id,
    type: p.kind,
    title: p.title,
    description: p.description,
    datasource: sources.size > 1 ? MIXED : p.queries[0]!.datasource,
    gridPos,
    interval: '1s',
    fieldConfig: fieldConfig(p),
    options: options(p),
    targets: p.queries.map(target),
    transformations,
    // Lets a reader of the JSON (or a test) find a panel by the key the report uses.
    moshpitKey: p.key,
  };
}

function annotationJson(a: AnnotationDef): Json {
  return {
    name: a.name,
    datasource: a.datasource,
    enable: true,
    hide: false,
    iconColor: a.color,
    query: a.query,
    titleColumn: 'title',
    textColumn: 'text',
    tagsColumn: 'kind',
    timeEndColumn: 'end_ms',
  };
}

/** The run-id variable: every run that streamed load points (either engine), newest first (run ids sort by time). */
function runVariable(): Json {
  return {
    name: 'testid',
    label: 'Run',
    type: 'query',
    datasource: K6_DATASOURCE,
    query: 'SHOW TAG VALUES FROM "vus" WITH KEY = "testid"',
    definition: 'SHOW TAG VALUES FROM "vus" WITH KEY = "testid"',
    refresh: 2,
    sort: 2,
    multi: false,
    includeAll: false,
    current: {},
  };
}

export function dashboardJson(d: DashboardDef): Json {
  const panels: Json[] = [];
  let id = 1;
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const newLine = () => {
    y += rowHeight;
    x = 0;
    rowHeight = 0;
  };
  for (const item of d.items) {
    if (isRow(item)) {
      newLine();
      panels.push({ id: id++, type: 'row', title: item.row, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
      y += 1;
      continue;
    }
    const w = item.width ?? 12;
    const h = item.height ?? DEFAULT_HEIGHT;
    if (x + w > 24) newLine();
    panels.push(panelJson(item, id++, { h, w, x, y }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['moshpit'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    timezone: 'browser',
    time: { from: 'now-30m', to: 'now' },
    refresh: '10s',
    templating: { list: [runVariable()] },
    annotations: { list: d.annotations.map(annotationJson) },
    links: [{ title: 'moshpit dashboards', type: 'dashboards', tags: ['moshpit'], asDropdown: true, includeVars: true, keepTime: true }],
    panels,
  };
}
