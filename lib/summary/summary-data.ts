// A typed view of what k6 v2 hands to handleSummary(). Default (legacy) format, confirmed on
// k6 v2.2.0: {state: {testRunDurationMs}, metrics: {<name or name{tag:v}>: {type, contains,
// values, thresholds?: {<expr>: {ok}}}}, root_group: {checks: [{name, path, passes, fails}],
// groups: [...]}}. With --new-machine-readable-summary k6 passes {version, metadata, config,
// results: {metrics: [...], checks: {results: [...]}}} instead, which carries no threshold
// results at all: the orchestrator must not pass that flag (readSummary still copes).

export interface MetricView {
  type: string;
  contains: string;
  values: Record<string, number>;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The aggregate the expression tests (e.g. "p(95)") and its value at the end, if known. */
  aggregate: string | null;
  observed: number | null;
}

export interface CheckResult {
  name: string;
  /** Group path, e.g. "::name" at top level. */
  path: string;
  passes: number;
  fails: number;
}

export interface SummaryView {
  format: 'legacy' | 'machine-readable';
  /** False with the machine-readable format, which drops threshold results. */
  thresholdsAvailable: boolean;
  durationMs: number | null;
  metrics: Record<string, MetricView>;
  thresholds: ThresholdResult[];
  checks: CheckResult[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const AGGREGATE = /^\s*(avg|min|max|med|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(?:<=|>=|===|==|!=|<|>)/;

/** "p(95)<500" -> "p(95)". */
export function thresholdAggregate(expression: string): string | null {
  return AGGREGATE.exec(expression)?.[1] ?? null;
}

function numericValues(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isObject(v)) for (const [k, n] of Object.entries(v)) if (typeof n === 'number') out[k] = n;
  return out;
}

function collectChecks(group: unknown, out: CheckResult[]): void {
  if (!isObject(group)) return;
  if (Array.isArray(group.checks)) {
    for (const c of group.checks) {
      if (isObject(c) && typeof c.name === 'string') {
        out.push({ name: c.name, path: typeof c.path === 'string' ? c.path : `::${c.name}`, passes: Number(c.passes) || 0, fails: Number(c.fails) || 0 });
      }
    }
  }
  if (Array.isArray(group.groups)) for (const g of group.groups) collectChecks(g, out);
}

function readLegacy(data: Json): SummaryView {
  const metrics: Record<string, MetricView> = {};
  const thresholds: ThresholdResult[] = [];
  for (const [name, m] of Object.entries(isObject(data.metrics) ? data.metrics : {})) {
    if (!isObject(m)) continue;
    const view = { type: String(m.type ?? ''), contains: String(m.contains ?? ''), values: numericValues(m.values) };
    metrics[name] = view;
    if (!isObject(m.thresholds)) continue;
    for (const [expression, result] of Object.entries(m.thresholds)) {
      const aggregate = thresholdAggregate(expression);
      const observed = aggregate !== null && aggregate in view.values ? (view.values[aggregate] as number) : null;
      thresholds.push({ metric: name, expression, ok: isObject(result) && result.ok === true, aggregate, observed });
    }
  }
  const checks: CheckResult[] = [];
  collectChecks(data.root_group, checks);
  const state = isObject(data.state) ? data.state : {};
  return {
    format: 'legacy',
    thresholdsAvailable: true,
    durationMs: typeof state.testRunDurationMs === 'number' ? state.testRunDurationMs : null,
    metrics,
    thresholds,
    checks,
  };
}

/** The machine-readable format names percentiles "p95"; the rest of moshpit says "p(95)". */
function legacyStatName(key: string): string {
  const m = /^p(\d+(?:\.\d+)?)$/.exec(key);
  return m ? `p(${m[1]})` : key;
}

function readMachineReadable(data: Json): SummaryView {
  const results = isObject(data.results) ? data.results : {};
  const metrics: Record<string, MetricView> = {};
  for (const m of Array.isArray(results.metrics) ? results.metrics : []) {
    if (!isObject(m) || typeof m.name !== 'string') continue;
    const values: Record<string, number> = {};
    for (const [k, n] of Object.entries(numericValues(m.values))) values[legacyStatName(k)] = n;
    metrics[m.name] = { type: String(m.type ?? ''), contains: String(m.contains ?? ''), values };
  }
  const checkBlock = isObject(results.checks) ? results.checks : {};
  const checks: CheckResult[] = [];
  for (const c of Array.isArray(checkBlock.results) ? checkBlock.results : []) {
    if (isObject(c) && typeof c.name === 'string') checks.push({ name: c.name, path: `::${c.name}`, passes: Number(c.passes) || 0, fails: Number(c.fails) || 0 });
  }
  const config = isObject(data.config) ? data.config : {};
  return {
    format: 'machine-readable',
    thresholdsAvailable: false,
    durationMs: typeof config.duration === 'number' ? config.duration * 1000 : null,
    metrics,
    thresholds: [],
    checks,
  };
}

export function readSummary(data: unknown): SummaryView {
  const d = isObject(data) ? data : {};
  return 'results' in d && 'version' in d ? readMachineReadable(d) : readLegacy(d);
}

/** All thresholds held (and k6 told us about them). */
export function passed(view: SummaryView): boolean {
  return view.thresholds.every((t) => t.ok);
}
