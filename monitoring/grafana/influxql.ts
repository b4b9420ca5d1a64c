// InfluxQL fragments shared by the dashboard definitions. Everything is scoped to one run
// through the `testid` dashboard variable: the load's points (database `k6`, written by k6's
// InfluxDB output or by the default engine's forwarder, with the same names) are tagged
// `testid`, moshpit's own points carry `run_id` (and `testid`).
import { K6_DATASOURCE, RUNS_DATASOURCE, type PanelQuery, type SampleField } from './panel-model.js';

/** Load points (database `k6`, either engine) of the selected run. */
export const K6_RUN = `"testid" = '$testid'`;
/** moshpit points (db monitor, verdicts, thresholds) of the selected run. */
export const MOSHPIT_RUN = `"run_id" = '$testid'`;

/** Requests of the scenarios themselves: setup()'s probes carry no flow tag. */
export const IN_FLOW = `"flow" != ''`;

/** Per-second rate of a sum over each time bucket. */
export function perSecond(aggregate: string): string {
  return `${aggregate} * 1000 / $__interval_ms`;
}

/** Per-minute rate of a sum over each time bucket. */
export function perMinute(aggregate: string): string {
  return `${aggregate} * 60000 / $__interval_ms`;
}

export function bucketed(groupBy: string[] = [], fill: 'none' | '0' = 'none'): string {
  return `GROUP BY ${['time($__interval)', ...groupBy.map((t) => `"${t}"`)].join(', ')} fill(${fill})`;
}

/** A query over one load measurement (or a /regex/) of the selected run (names are k6's). */
export function k6(select: string, from: string, opts: { where?: string[]; groupBy?: string[]; fill?: 'none' | '0'; alias?: string } = {}): PanelQuery {
  const where = [K6_RUN, ...(opts.where ?? []), '$timeFilter'].join(' AND ');
  return {
    datasource: K6_DATASOURCE,
    query: `SELECT ${select} FROM ${from} WHERE ${where} ${bucketed(opts.groupBy, opts.fill)}`,
    alias: opts.alias,
  };
}

/** A load total over the whole selected time range (stat and table panels). */
export function k6Total(select: string, from: string, opts: { where?: string[]; groupBy?: string[]; alias?: string; format?: 'table' } = {}): PanelQuery {
  const where = [K6_RUN, ...(opts.where ?? []), '$timeFilter'].join(' AND ');
  const group = opts.groupBy?.length ? ` GROUP BY ${opts.groupBy.map((t) => `"${t}"`).join(', ')}` : '';
  return { datasource: K6_DATASOURCE, query: `SELECT ${select} FROM ${from} WHERE ${where}${group}`, alias: opts.alias, format: opts.format };
}

/**
 * A counter that may never fire in a healthy run (dropped iterations, indeterminate writes,
 * duplicate scans in a scenario without them): the engine then writes no point at all, and the panel
 * would say "No data" where the truth is 0. The run's own `iterations` points, multiplied by
 * zero, give every bucket of the run a 0. InfluxDB keeps the two measurements apart as two
 * series, so the panel using this must set `sumSeries` (one query per such panel).
 */
export function k6CounterOrZero(rate: 'perSecond' | 'perMinute' | 'count', from: string, opts: { where?: string[]; alias: string }): PanelQuery {
  const counted = [K6_RUN, ...(opts.where ?? []), '$timeFilter'].join(' AND ');
  const baseline = `SELECT "value" * 0 AS "n" FROM "iterations" WHERE ${K6_RUN} AND $timeFilter`;
  const real = `SELECT "value" AS "n" FROM ${from} WHERE ${counted}`;
  const sum = 'sum("n")';
  const select = rate === 'perSecond' ? perSecond(sum) : rate === 'perMinute' ? perMinute(sum) : sum;
  return {
    datasource: K6_DATASOURCE,
    query: `SELECT ${select} AS "${opts.alias}" FROM (${baseline}), (${real}) WHERE $timeFilter ${bucketed([], '0')}`,
    alias: opts.alias,
  };
}

/**
 * A gauge every load process writes for itself (`vus`, `vus_max`): the default engine runs one
 * process per workload (tag `scenario`: the workload), k6 one for the whole run (no such
 * tag). Each process's maximum per bucket, summed over processes: the run's total either way.
 */
export function k6ProcessGaugeSum(measurement: string, alias: string): PanelQuery {
  const inner = `SELECT max("value") AS "v" FROM "${measurement}" WHERE ${K6_RUN} AND $timeFilter ${bucketed(['scenario'])}`;
  return {
    datasource: K6_DATASOURCE,
    query: `SELECT sum("v") AS "${alias}" FROM (${inner}) WHERE $timeFilter ${bucketed()}`,
    alias,
  };
}

/** Fields of one moshpit measurement (db monitor samples), per time bucket. */
export function moshpitFields(measurement: string, fields: Array<Omit<SampleField, 'aggregate'> & { aggregate?: SampleField['aggregate'] }>): PanelQuery {
  const full: SampleField[] = fields.map((f) => ({ ...f, aggregate: f.aggregate ?? 'mean' }));
  const select = full.map((f) => `${f.aggregate}("${f.field}")${f.divideBy ? ` / ${f.divideBy}` : ''} AS "${f.label}"`).join(', ');
  return {
    datasource: RUNS_DATASOURCE,
    query: `SELECT ${select} FROM "${measurement}" WHERE ${MOSHPIT_RUN} AND $timeFilter ${bucketed()}`,
    alias: '$col',
    sampleFields: { measurement, fields: full },
  };
}

/** The last value of fields of one moshpit measurement in the selected range. */
export function moshpitLast(measurement: string, select: string, opts: { groupBy?: string[]; format?: 'table'; timeFilter?: boolean } = {}): PanelQuery {
  const where = [MOSHPIT_RUN, ...(opts.timeFilter === false ? [] : ['$timeFilter'])].join(' AND ');
  const group = opts.groupBy?.length ? ` GROUP BY ${opts.groupBy.map((t) => `"${t}"`).join(', ')}` : '';
  return { datasource: RUNS_DATASOURCE, query: `SELECT ${select} FROM "${measurement}" WHERE ${where}${group}`, format: opts.format };
}
