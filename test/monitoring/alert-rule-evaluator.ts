// Grafana's evaluation of a provisioned alert rule, replayed against a real InfluxDB so a test
// can say when a rule would fire without a Grafana: query A over the rule's relative time
// range ($timeFilter as Grafana's InfluxQL backend renders it), B reduces each series
// (dropping non-numbers), C compares; an instance fires once C held for the pending period
// (`for`), on consecutive evaluations. Only what moshpit's rules use is supported; anything
// else throws, so a rule that changes shape cannot be judged by a wrong replay.
import type { InfluxClient } from '../../monitoring/influx/influx-client.js';
import type { ProvisionedQuery, ProvisionedRule } from '../../monitoring/grafana/alert-rules/alert-rules.js';
import { DATASOURCE_DATABASE } from '../../monitoring/grafana/panel-model.js';

export interface InstanceResult {
  /** B: the reduced value of the series. */
  value: number;
  /** C: the threshold held. */
  breached: boolean;
}

function byRef(rule: ProvisionedRule, refId: string): ProvisionedQuery {
  const q = rule.data.find((d) => d.refId === refId);
  if (!q) throw new Error(`${rule.uid}: no query ${refId}`);
  return q;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };
export function durationSeconds(d: string): number {
  const m = /^(\d+)([smh])$/.exec(d);
  if (!m) throw new Error(`duration ${JSON.stringify(d)} not understood`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

function reduce(reducer: string, values: number[]): number {
  if (values.length === 0) return Number.NaN;
  switch (reducer) {
    case 'last': return values.at(-1)!;
    case 'max': return Math.max(...values);
    case 'min': return Math.min(...values);
    case 'mean': return values.reduce((a, b) => a + b, 0) / values.length;
    default: throw new Error(`reducer ${reducer} not replayed`);
  }
}

function holds(evaluator: { type: string; params: number[] }, v: number): boolean {
  if (Number.isNaN(v)) return false;
  switch (evaluator.type) {
    case 'gt': return v > evaluator.params[0]!;
    case 'lt': return v < evaluator.params[0]!;
    default: throw new Error(`evaluator ${evaluator.type} not replayed`);
  }
}

/** The InfluxQL query A sends for an evaluation at `atMs`. */
export function renderedQuery(rule: ProvisionedRule, atMs: number): string {
  const a = byRef(rule, 'A');
  const from = atMs - a.relativeTimeRange.from * 1000;
  const to = atMs - a.relativeTimeRange.to * 1000;
  return String(a.model.query).replaceAll('$timeFilter', `time >= ${from}ms and time <= ${to}ms`);
}

/** One evaluation: per alert instance (the series' testid), B's value and whether C held. */
export async function evaluate(client: InfluxClient, rule: ProvisionedRule, atMs: number): Promise<Map<string, InstanceResult>> {
  const a = byRef(rule, 'A');
  const b = byRef(rule, 'B');
  const c = byRef(rule, rule.condition);
  if (b.model.type !== 'reduce' || b.model.expression !== 'A' || c.model.type !== 'threshold' || c.model.expression !== 'B') {
    throw new Error(`${rule.uid}: not the A → reduce B → threshold C shape this replay knows`);
  }
  const database = DATASOURCE_DATABASE[a.datasourceUid];
  if (!database) throw new Error(`${rule.uid}: unknown datasource ${a.datasourceUid}`);
  const [condition, ...more] = c.model.conditions as Array<{ evaluator: { type: string; params: number[] } }>;
  if (!condition || more.length) throw new Error(`${rule.uid}: one threshold condition expected`);
  const out = new Map<string, InstanceResult>();
  for (const s of await client.query(renderedQuery(rule, atMs), { database })) {
    const numbers = s.values.map((row) => row[1]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const value = reduce(String(b.model.reducer), numbers);
    out.set(s.tags?.testid ?? '', { value, breached: holds(condition.evaluator, value) });
  }
  return out;
}

/**
 * Evaluations at each time of `evalTimesMs` (one per group interval): for each, the instances
 * firing. Pending starts at the first breach; firing once pending lasted `for`; a miss (or no
 * data, the rules' noDataState being OK) returns the instance to normal.
 */
export async function firingTimeline(client: InfluxClient, rule: ProvisionedRule, evalTimesMs: number[]): Promise<Array<{ atMs: number; firing: string[]; values: Map<string, InstanceResult> }>> {
  if (rule.noDataState !== 'OK') throw new Error(`${rule.uid}: replay assumes noDataState OK`);
  const forMs = durationSeconds(rule.for) * 1000;
  const pendingSince = new Map<string, number>();
  const timeline = [];
  for (const at of evalTimesMs) {
    const values = await evaluate(client, rule, at);
    const firing: string[] = [];
    for (const id of new Set([...pendingSince.keys(), ...values.keys()])) {
      if (!values.get(id)?.breached) {
        pendingSince.delete(id);
        continue;
      }
      const since = pendingSince.get(id) ?? at;
      pendingSince.set(id, since);
      if (at - since >= forMs) firing.push(id);
    }
    timeline.push({ atMs: at, firing: firing.sort(), values });
  }
  return timeline;
}
