// The dashboards as data: what each panel shows and the InfluxQL behind it. Grafana's JSON is
// built from these (build-dashboard.ts, with Grafana's foundation SDK), and the run report draws its charts from the same
// queries, so a dashboard and a report can never disagree about what a number means.

/** A provisioned datasource (provisioning/datasources/moshpit.yml) and the database it reads. */
export interface DatasourceRef { type: 'influxdb'; uid: string }

/** The load's metrics, database `k6`: k6's built-in InfluxDB output or the default engine's
 *  forwarder (lib/bindings/artillery/influx-forwarder.ts) write it, with the same names. */
export const K6_DATASOURCE: DatasourceRef = { type: 'influxdb', uid: 'moshpit-k6' };
/** moshpit's own points (database `moshpit`): db monitor, annotations, verdicts, thresholds. */
export const RUNS_DATASOURCE: DatasourceRef = { type: 'influxdb', uid: 'moshpit-runs' };

export const DATASOURCE_DATABASE: Record<string, string> = {
  [K6_DATASOURCE.uid]: 'k6',
  [RUNS_DATASOURCE.uid]: 'moshpit',
};

export interface PanelQuery {
  datasource: DatasourceRef;
  /** Raw InfluxQL with Grafana's macros: $testid, $timeFilter, $__interval, $__interval_ms. */
  query: string;
  /** Grafana alias pattern, e.g. "$tag_flow p95"; the report reads the same pattern. */
  alias?: string;
  format?: 'time_series' | 'table';
  /** Set for queries over moshpit's own sample fields: lets the report draw the same series
   *  from results/<run-id>/db-monitor.json when InfluxDB is not there. */
  sampleFields?: { measurement: string; fields: SampleField[] };
}

export interface SampleField { field: string; label: string; aggregate: 'mean' | 'max' | 'last' | 'sum'; divideBy?: number }

export type PanelKind = 'timeseries' | 'stat' | 'table';

/** A horizontal line on a time series: an SLO budget. */
export interface ThresholdLine { value: number; label: string }

export interface PanelDef {
  /** Stable name within its dashboard; the report picks panels by it. It is not written into
   *  the dashboard JSON (Grafana drops keys it does not know): there, the panel's id stands
   *  for it (panelIds). */
  key: string;
  title: string;
  /** Shown as the panel's (i) text: what is counted and where it comes from. */
  description: string;
  kind: PanelKind;
  /** Grafana unit id: ms, reqps, percentunit, short, s, bytes, Bps, ... */
  unit: string;
  decimals?: number;
  queries: PanelQuery[];
  thresholds?: ThresholdLine[];
  /**
   * Sum every series of the panel into one with this name, per timestamp (Grafana: outer join
   * on time, then a row sum). For counters that may never fire: see k6CounterOrZero.
   */
  sumSeries?: string;
  /** Series names: Grafana's renameByRegex transformation (and the report) applies it. */
  rename?: { regex: string; replacement: string };
  /** Grid width out of 24 (default 12). */
  width?: number;
  height?: number;
  /** Value → colour for stat panels that show a word (e.g. the verdict). */
  valueColors?: Record<string, string>;
}

export interface RowDef { row: string }

export interface AnnotationDef {
  name: string;
  datasource: DatasourceRef;
  query: string;
  color: string;
}

export interface DashboardDef {
  uid: string;
  title: string;
  /** File name under monitoring/grafana/dashboards/. */
  file: string;
  description: string;
  items: Array<PanelDef | RowDef>;
  annotations: AnnotationDef[];
}

export function isRow(item: PanelDef | RowDef): item is RowDef {
  return 'row' in item;
}

export function panelsOf(d: DashboardDef): PanelDef[] {
  return d.items.filter((i): i is PanelDef => !isRow(i));
}

export interface PanelIds {
  /** Grafana panel id of each item (rows included), in definition order. */
  byIndex: number[];
  /** Grafana panel id of each panel, by its key. */
  byKey: Map<string, number>;
}

/** Panel ids as the dashboard JSON carries them: an item's place in the definition, from 1. */
export function panelIds(d: DashboardDef): PanelIds {
  const byIndex = d.items.map((_, i) => i + 1);
  const byKey = new Map<string, number>();
  d.items.forEach((item, i) => {
    if (isRow(item)) return;
    if (byKey.has(item.key)) throw new Error(`${d.uid}: two panels with key ${item.key}`);
    byKey.set(item.key, byIndex[i]!);
  });
  return { byIndex, byKey };
}

/** The Grafana panel id of a panel key; throws on an unknown key. */
export function panelIdOf(d: DashboardDef, key: string): number {
  const id = panelIds(d).byKey.get(key);
  if (id === undefined) throw new Error(`no panel ${d.uid}/${key}`);
  return id;
}
