// One chaos timeline per run: which fault, when, for how long, with what parameters.
// Three input forms, all ending in validateTimeline:
//   compact  `db-latency,db-reset`        named faults, windows taken from the default timeline
//            `db-latency@30+20,db-down@1m+10s`  a fault with its own window (start+duration)
//            `default` (everything)  `none` (no faults)
//   JSON     `{"durationS": 300, "windows": [{"fault": "db-latency", "startS": 30, "durationS": 20, "params": {"latency": 800}}]}`
//            or just the windows array
//   a .json file holding the JSON form
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/usage-error.js';
import { DEFAULT_TIMELINE, DEFAULT_TIMELINE_DURATION_S, type TimelineEntry } from './default-timeline.js';
import { FAULTS, faultNames, type FaultDefinition, type FaultKind, type ParamValue, type Params } from '../core/faults.js';

export interface TimelineWindow {
  fault: string;
  kind: FaultKind;
  startS: number;
  durationS: number;
  /** effective parameters: defaults filled in */
  params: Params;
}

export interface Timeline {
  /** the run's length; every window ends within it */
  durationS: number;
  windows: TimelineWindow[];
}

/** A bad timeline; a UsageError, so the CLI prints it with usage and exits 2. */
export class TimelineError extends UsageError {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? `chaos timeline: ${problems[0]}` : `chaos timeline has ${problems.length} problems:\n  - ${problems.join('\n  - ')}`);
  }
}

const WINDOW_KEYS = new Set(['fault', 'kind', 'startS', 'durationS', 'params']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkParam(def: FaultDefinition, key: string, value: unknown): string | null {
  const spec = def.params[key];
  if (!spec) {
    if (def.kind === 'toxic') return `unknown param '${key}' (known: ${Object.keys(def.params).join(', ') || 'none'})`;
    // client/process faults: their executors own extra params; we only insist on plain values
    return ['number', 'string', 'boolean'].includes(typeof value) ? null : `param '${key}' must be a number, string or boolean`;
  }
  if (spec.type === 'number') {
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max && (!spec.integer || Number.isInteger(value));
    return ok ? null : `param '${key}' must be ${spec.integer ? 'an integer' : 'a number'} between ${spec.min} and ${spec.max} (${spec.doc}), got ${JSON.stringify(value)}`;
  }
  if (spec.type === 'enum') {
    return spec.values.includes(value as string) ? null : `param '${key}' must be one of ${spec.values.join(', ')}, got ${JSON.stringify(value)}`;
  }
  return typeof value === 'boolean' ? null : `param '${key}' must be true or false, got ${JSON.stringify(value)}`;
}

function resolveParams(def: FaultDefinition, raw: unknown, where: string, problems: string[]): Params {
  const params: Params = {};
  for (const [k, spec] of Object.entries(def.params)) params[k] = spec.default;
  if (raw === undefined) return params;
  if (!isPlainObject(raw)) {
    problems.push(`${where}: params must be an object`);
    return params;
  }
  let ok = true;
  for (const [k, v] of Object.entries(raw)) {
    const problem = checkParam(def, k, v);
    if (problem) {
      problems.push(`${where}: ${problem}`);
      ok = false;
    } else params[k] = v as ParamValue;
  }
  const cross = ok ? def.check?.(params) : null;
  if (cross) problems.push(`${where}: ${cross}`);
  return params;
}

const fmt = (s: number) => `${Number(s.toFixed(3))}s`;

/** Checks a timeline (from any source) against the catalogue and the run's duration. */
export function validateTimeline(raw: readonly unknown[], durationS: number): Timeline {
  const problems: string[] = [];
  if (!(typeof durationS === 'number' && Number.isFinite(durationS) && durationS > 0)) {
    throw new TimelineError([`the run's duration must be a positive number of seconds, got ${JSON.stringify(durationS)}`]);
  }
  const windows: TimelineWindow[] = [];
  raw.forEach((w, i) => {
    if (!isPlainObject(w)) {
      problems.push(`window ${i + 1}: must be an object like {"fault": "db-latency", "startS": 30, "durationS": 20}`);
      return;
    }
    const where = `window ${i + 1} (${typeof w.fault === 'string' ? w.fault : '?'})`;
    for (const k of Object.keys(w)) if (!WINDOW_KEYS.has(k)) problems.push(`${where}: unknown field '${k}' (fields: fault, startS, durationS, params)`);
    const def = typeof w.fault === 'string' ? FAULTS.get(w.fault) : undefined;
    if (!def) {
      problems.push(typeof w.fault === 'string'
        ? `unknown fault '${w.fault}' (known: ${faultNames().join(', ')})`
        : `window ${i + 1}: 'fault' must be a fault name`);
      return;
    }
    if (w.kind !== undefined && w.kind !== def.kind) problems.push(`${where}: kind is '${def.kind}' for this fault, not ${JSON.stringify(w.kind)}`);
    const { startS, durationS: len } = w;
    let timesOk = true;
    if (typeof startS !== 'number' || !Number.isFinite(startS) || startS < 0) {
      problems.push(`${where}: startS must be a number >= 0, got ${JSON.stringify(startS)}`);
      timesOk = false;
    }
    if (typeof len !== 'number' || !Number.isFinite(len) || len <= 0) {
      problems.push(`${where}: durationS must be a number > 0, got ${JSON.stringify(len)}`);
      timesOk = false;
    }
    if (timesOk && (startS as number) + (len as number) > durationS + 1e-9) {
      problems.push(`${where}: ends at ${fmt((startS as number) + (len as number))}, after the run's end (${fmt(durationS)})`);
    }
    const params = resolveParams(def, w.params, where, problems);
    if (timesOk) windows.push({ fault: def.name, kind: def.kind, startS: startS as number, durationS: len as number, params });
  });
  windows.sort((a, b) => a.startS - b.startS || a.fault.localeCompare(b.fault));
  // One fault cannot be applied twice at once: its toxic (or proxy state) is a single thing.
  const lastEnd = new Map<string, TimelineWindow>();
  for (const w of windows) {
    const prev = lastEnd.get(w.fault);
    if (prev && w.startS < prev.startS + prev.durationS - 1e-9) {
      problems.push(`fault '${w.fault}': windows ${fmt(prev.startS)}+${fmt(prev.durationS)} and ${fmt(w.startS)}+${fmt(w.durationS)} overlap`);
    }
    if (!prev || w.startS + w.durationS > prev.startS + prev.durationS) lastEnd.set(w.fault, w);
  }
  if (problems.length) throw new TimelineError(problems);
  return { durationS, windows };
}

/** The default timeline stretched or squeezed to a run of durationS (ms precision). */
export function scaleEntries(entries: readonly TimelineEntry[], fromS: number, toS: number): TimelineEntry[] {
  const f = toS / fromS;
  const r = (s: number) => Math.round(s * f * 1000) / 1000;
  return entries.map((e) => ({ ...e, startS: r(e.startS), durationS: r(e.durationS) }));
}

export function defaultTimeline(durationS: number = DEFAULT_TIMELINE_DURATION_S): Timeline {
  return validateTimeline(scaleEntries(DEFAULT_TIMELINE, DEFAULT_TIMELINE_DURATION_S, durationS), durationS);
}

function parseTime(text: string, what: string, problems: string[]): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) {
    problems.push(`${what}: '${text}' is not a time (examples: 30, 30s, 1.5m, 500ms)`);
    return null;
  }
  const n = Number(m[1]);
  return m[2] === 'm' ? n * 60 : m[2] === 'ms' ? n / 1000 : n;
}

/**
 * The compact form of --faults. Plain names take their windows from the default timeline,
 * scaled to the run; `name@START+DURATION` gives a window of its own with default params.
 */
export function parseFaultList(spec: string, runDurationS: number): Timeline {
  const items = spec.split(',').map((s) => s.trim());
  if (items.every((s) => s === '')) throw new TimelineError(['--faults is empty (use a list like db-latency,db-reset, or none)']);
  if (items.includes('none')) {
    if (items.length > 1) throw new TimelineError(["'none' cannot be combined with other faults"]);
    return validateTimeline([], runDurationS);
  }
  const base = scaleEntries(DEFAULT_TIMELINE, DEFAULT_TIMELINE_DURATION_S, runDurationS);
  const problems: string[] = [];
  const picked: TimelineEntry[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item === '') {
      problems.push(`empty entry in '${spec}'`);
      continue;
    }
    if (seen.has(item)) {
      problems.push(`'${item}' is listed twice`);
      continue;
    }
    seen.add(item);
    if (item === 'default') {
      picked.push(...base);
      continue;
    }
    const at = item.indexOf('@');
    const name = at < 0 ? item : item.slice(0, at);
    if (!FAULTS.has(name)) {
      problems.push(`unknown fault '${name}' (known: ${faultNames().join(', ')})`);
      continue;
    }
    if (at < 0) {
      const fromDefault = base.filter((e) => e.fault === name);
      if (!fromDefault.length) problems.push(`fault '${name}' has no window in the default timeline; give it one: ${name}@START+DURATION (e.g. ${name}@30s+20s)`);
      picked.push(...fromDefault);
      continue;
    }
    const [start, len, ...extra] = item.slice(at + 1).split('+');
    if (start === undefined || len === undefined || extra.length) {
      problems.push(`'${item}': expected ${name}@START+DURATION, e.g. ${name}@30s+20s`);
      continue;
    }
    const startS = parseTime(start, `'${item}' start`, problems);
    const durationS = parseTime(len, `'${item}' duration`, problems);
    if (startS !== null && durationS !== null) picked.push({ fault: name, startS, durationS });
  }
  if (problems.length) throw new TimelineError(problems);
  return validateTimeline(picked, runDurationS);
}

/** The JSON form: a windows array, or {durationS?, windows}. runDurationS wins when given. */
export function parseTimelineJson(text: string, runDurationS?: number): Timeline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TimelineError([`not valid JSON: ${(err as Error).message}`]);
  }
  const windows = Array.isArray(doc) ? doc : isPlainObject(doc) ? doc.windows : undefined;
  if (!Array.isArray(windows)) throw new TimelineError(['expected a JSON array of windows, or an object {"durationS": N, "windows": [...]}']);
  if (isPlainObject(doc)) {
    const extra = Object.keys(doc).filter((k) => k !== 'durationS' && k !== 'windows');
    if (extra.length) throw new TimelineError([`unknown top-level field(s) ${extra.join(', ')} (fields: durationS, windows)`]);
  }
  const declared = isPlainObject(doc) ? doc.durationS : undefined;
  if (declared !== undefined && runDurationS !== undefined && declared !== runDurationS) {
    throw new TimelineError([`the timeline is for a ${JSON.stringify(declared)}s run but this run lasts ${runDurationS}s (drop durationS from the timeline to use it with any run that fits it)`]);
  }
  const durationS = runDurationS ?? declared;
  if (durationS === undefined) throw new TimelineError(['durationS is missing: give it in the timeline or as the run duration']);
  return validateTimeline(windows, durationS as number);
}

export function loadTimelineFile(path: string, runDurationS?: number): Timeline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TimelineError([`cannot read timeline file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  try {
    return parseTimelineJson(text, runDurationS);
  } catch (err) {
    if (err instanceof TimelineError) throw new TimelineError(err.problems.map((p) => `${path}: ${p}`));
    throw err;
  }
}

/** One --faults value in any form: inline JSON, a .json file, or the compact list. */
export function timelineFromOption(value: string, runDurationS: number): Timeline {
  const v = value.trim();
  if (v.startsWith('{') || v.startsWith('[')) return parseTimelineJson(v, runDurationS);
  if (v.endsWith('.json')) return loadTimelineFile(v, runDurationS);
  return parseFaultList(v, runDurationS);
}

export function windowsOfKind(t: Timeline, kind: FaultKind): TimelineWindow[] {
  return t.windows.filter((w) => w.kind === kind);
}
