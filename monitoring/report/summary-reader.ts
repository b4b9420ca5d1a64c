// The parts of results/<run-id>/summary.json (k6 handleSummary data, lib/summary) a report
// and a comparison need: metric values by name, and every threshold with the value it tested.
// Read on the Node side from the file; never imports lib/ (that folder is k6's runtime).

export interface SummaryMetric {
  type: string;
  contains: string;
  values: Record<string, number>;
}

export interface ThresholdOutcome {
  metric: string;
  expression: string;
  ok: boolean;
  /** e.g. "p(95)"; null when the expression tests something the summary does not carry. */
  aggregate: string | null;
  observed: number | null;
}

export interface RunSummaryData {
  durationMs: number | null;
  metrics: Record<string, SummaryMetric>;
  thresholds: ThresholdOutcome[];
  /** Checks (name, passes, fails), flattened across groups. */
  checks: Array<{ name: string; passes: number; fails: number }>;
  moshpit: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const AGGREGATE = /^\s*(avg|min|max|med|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(?:<=|>=|===|==|!=|<|>)/;

function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isObject(v)) for (const [k, n] of Object.entries(v)) if (typeof n === 'number' && Number.isFinite(n)) out[k] = n;
  return out;
}

function collectChecks(group: unknown, out: RunSummaryData['checks']): void {
  if (!isObject(group)) return;
  for (const c of Array.isArray(group.checks) ? group.checks : []) {
    if (isObject(c) && typeof c.name === 'string') out.push({ name: c.name, passes: Number(c.passes) || 0, fails: Number(c.fails) || 0 });
  }
  for (const g of Array.isArray(group.groups) ? group.groups : []) collectChecks(g, out);
}

export function readSummaryData(json: unknown): RunSummaryData {
  if (!isObject(json) || !isObject(json.metrics)) throw new Error('summary.json has no "metrics" (not k6 handleSummary data)');
  const metrics: Record<string, SummaryMetric> = {};
  const thresholds: ThresholdOutcome[] = [];
  for (const [name, m] of Object.entries(json.metrics)) {
    if (!isObject(m)) continue;
    const values = numbers(m.values);
    metrics[name] = { type: String(m.type ?? ''), contains: String(m.contains ?? ''), values };
    if (!isObject(m.thresholds)) continue;
    for (const [expression, result] of Object.entries(m.thresholds)) {
      const aggregate = AGGREGATE.exec(expression)?.[1] ?? null;
      thresholds.push({
        metric: name,
        expression,
        ok: isObject(result) && result.ok === true,
        aggregate,
        observed: aggregate !== null && aggregate in values ? values[aggregate]! : null,
      });
    }
  }
  const checks: RunSummaryData['checks'] = [];
  collectChecks(json.root_group, checks);
  const state = isObject(json.state) ? json.state : {};
  return {
    durationMs: typeof state.testRunDurationMs === 'number' ? state.testRunDurationMs : null,
    metrics,
    thresholds: thresholds.sort((a, b) => a.metric.localeCompare(b.metric) || a.expression.localeCompare(b.expression)),
    checks,
    moshpit: isObject(json.moshpit) ? json.moshpit : {},
  };
}

/** A metric's value (0 for counters k6 never incremented, which are absent from the file). */
export function metricValue(s: RunSummaryData, metric: string, key: string): number | null {
  const m = s.metrics[metric];
  if (!m) return key === 'count' ? 0 : null;
  return m.values[key] ?? null;
}
