// DashboardDef → the dashboard Grafana provisions, built with Grafana's foundation SDK (its
// types are generated from Grafana's own dashboard schema, at the SDK's schemaVersion).
// Panels flow left to right in rows of 24 grid units; a panel's id is its place in the
// definition (panelIds), so ids stay stable and the report and tests find panels by them.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { InfluxQLAnnotationTargetBuilder, InfluxQLTargetBuilder } from './influxql-target.js';
import { isRow, K6_DATASOURCE, panelIds, type AnnotationDef, type DashboardDef, type PanelDef } from './panel-model.js';

const MIXED: common.DataSourceRef = { type: 'datasource', uid: '-- Mixed --' };
const DEFAULT_HEIGHT = 8;
const GRID_WIDTH = 24;

/** The calls every panel kind's builder shares (timeseries, stat and table builders all have them). */
interface PanelBuilderBase {
  id(id: number): this;
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: common.DataSourceRef): this;
  gridPos(gridPos: dashboard.GridPos): this;
  interval(interval: string): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
  transformations(transformations: dashboard.DataTransformerConfig[]): this;
  unit(unit: string): this;
  decimals(decimals: number): this;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): this;
  mappings(mappings: dashboard.ValueMapping[]): this;
  colorScheme(color: cog.Builder<dashboard.FieldColor>): this;
}

function thresholds(p: PanelDef): dashboard.ThresholdsConfigBuilder {
  const steps: dashboard.Threshold[] = [{ color: 'green', value: null }];
  for (const t of p.thresholds ?? []) steps.push({ color: 'red', value: t.value });
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

function transformations(p: PanelDef): dashboard.DataTransformerConfig[] {
  const out: dashboard.DataTransformerConfig[] = [];
  if (p.sumSeries) {
    // The real counter and its zero baseline arrive as two series: one line, their sum.
    out.push({ id: 'joinByField', options: { byField: 'Time', mode: 'outer' } });
    out.push({ id: 'calculateField', options: { mode: 'reduceRow', reduce: { reducer: 'sum' }, alias: p.sumSeries, replaceFields: true } });
  }
  if (p.rename) out.push({ id: 'renameByRegex', options: { regex: p.rename.regex, renamePattern: p.rename.replacement } });
  if (p.kind === 'table') out.push({ id: 'merge', options: {} });
  return out;
}

function withCommon<B extends PanelBuilderBase>(b: B, p: PanelDef, id: number, gridPos: dashboard.GridPos): B {
  const sources = new Set(p.queries.map((q) => q.datasource.uid));
  b.id(id)
    .title(p.title)
    .description(p.description)
    .datasource(sources.size > 1 ? MIXED : p.queries[0]!.datasource)
    .gridPos(gridPos)
    .interval('1s')
    .transformations(transformations(p))
    .unit(p.unit)
    .thresholds(thresholds(p));
  p.queries.forEach((q, i) => b.withTarget(new InfluxQLTargetBuilder(q, i)));
  if (p.decimals !== undefined) b.decimals(p.decimals);
  if (p.valueColors) {
    const options = Object.fromEntries(Object.entries(p.valueColors).map(([value, color], index) => [value, { color, index }]));
    b.mappings([{ type: dashboard.MappingType.ValueToText, options }]);
    b.colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds));
  }
  return b;
}

function timeseriesPanel(p: PanelDef): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .drawStyle(common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(8)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(true)
    // The SLO budgets as dashed lines, so a breach is visible at a glance.
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(p.thresholds?.length ? common.GraphThresholdsStyleMode.Dashed : common.GraphThresholdsStyleMode.Off))
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic))
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Bottom).calcs(['mean', 'max', 'lastNotNull']))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

function statPanel(p: PanelDef): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('/.*/').values(false))
    .colorMode(p.valueColors ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Value);
}

function tablePanel(): table.PanelBuilder {
  return new table.PanelBuilder().showHeader(true).cellHeight(common.TableCellHeight.Sm);
}

function panel(p: PanelDef, id: number, gridPos: dashboard.GridPos): cog.Builder<dashboard.Panel> {
  switch (p.kind) {
    case 'timeseries': return withCommon(timeseriesPanel(p), p, id, gridPos);
    case 'stat': return withCommon(statPanel(p), p, id, gridPos);
    case 'table': return withCommon(tablePanel(), p, id, gridPos);
  }
}

/** An annotation layer over moshpit_annotations. The SDK's builder defaults `placement` to the
 *  controls menu; these layers are toggles on the dashboard itself, so they are built here. */
class RunAnnotationBuilder implements cog.Builder<dashboard.AnnotationQuery> {
  constructor(private readonly a: AnnotationDef) {}

  build(): dashboard.AnnotationQuery {
    return {
      name: this.a.name,
      datasource: this.a.datasource,
      enable: true,
      hide: false,
      iconColor: this.a.color,
      target: new InfluxQLAnnotationTargetBuilder(this.a.query).build(),
    };
  }
}

/** A dropdown of every moshpit dashboard, carrying the run and the time range along. Built
 *  here for the same reason as the annotations: the SDK's builder moves it into the controls menu. */
class DashboardsLinkBuilder implements cog.Builder<dashboard.DashboardLink> {
  build(): dashboard.DashboardLink {
    return {
      title: 'moshpit dashboards',
      type: dashboard.DashboardLinkType.Dashboards,
      icon: 'external link',
      tooltip: '',
      tags: ['moshpit'],
      asDropdown: true,
      targetBlank: false,
      includeVars: true,
      keepTime: true,
    };
  }
}

export const RUN_VARIABLE_QUERY = 'SHOW TAG VALUES FROM "vus" WITH KEY = "testid"';

/**
 * The run-id variable: every run that streamed load points (either engine), newest first (run
 * ids sort by time). No run is chosen in the file: on load Grafana refreshes the list and,
 * the empty current value being none of its options, selects the first one, the newest run.
 */
function runVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('testid')
    .label('Run')
    .datasource(K6_DATASOURCE)
    // The InfluxDB variable editor's current form (an object; a bare string is the legacy one).
    .query({ refId: 'InfluxVariableQueryEditor-VariableQuery', query: RUN_VARIABLE_QUERY })
    .definition(RUN_VARIABLE_QUERY)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalDesc)
    .multi(false)
    .includeAll(false)
    .allowCustomValue(false)
    .current({ selected: false, text: '', value: '' })
    .options([]);
}

export function buildDashboard(d: DashboardDef): dashboard.Dashboard {
  const ids = panelIds(d);
  const b = new dashboard.DashboardBuilder(d.title)
    .uid(d.uid)
    .description(d.description)
    .tags(['moshpit'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .version(1)
    .timezone('browser')
    .time({ from: 'now-30m', to: 'now' })
    .refresh('10s')
    .withVariable(runVariable())
    .annotations(d.annotations.map((a) => new RunAnnotationBuilder(a)))
    .link(new DashboardsLinkBuilder());

  // Our own layout: a panel that does not fit on the line starts the next one (the SDK's
  // automatic placement would let it overflow), and every gridPos is explicit.
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const newLine = () => {
    y += rowHeight;
    x = 0;
    rowHeight = 0;
  };
  d.items.forEach((item, index) => {
    const id = ids.byIndex[index]!;
    if (isRow(item)) {
      newLine();
      b.withRow(new dashboard.RowBuilder(item.row).id(id).collapsed(false).gridPos({ h: 1, w: GRID_WIDTH, x: 0, y }));
      y += 1;
      return;
    }
    const w = item.width ?? 12;
    const h = item.height ?? DEFAULT_HEIGHT;
    if (x + w > GRID_WIDTH) newLine();
    b.withPanel(panel(item, id, { h, w, x, y }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  });
  return b.build();
}
