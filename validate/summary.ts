// Reads what the load generator saw: results/<run-id>/summary.json as lib/summary writes it
// (k6 handleSummary data plus a "moshpit" block: Counter values at metrics.<name>.values.count).
// Also accepted: k6 --summary-export output (metrics.<name>.count) and k6's machine-readable
// summary (results.metrics[] with name and values.count). Only counters are read; a counter
// k6 never added to is absent from the file and reads as 0.
import { RUN_FILES } from '../core/results-layout.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type SummaryFormat = 'handleSummary' | 'summary-export' | 'machine-readable';

export interface RunSummary {
  path: string;
  format: SummaryFormat;
  /** Counter value by metric name; absent metrics read as 0. */
  counter(name: string): number;
  has(name: string): boolean;
  /** When the run's load ended (the last load process's end), if the summary says. */
  endedAt: Date | null;
}

export class SummaryError extends Error {}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function summaryPath(resultsDir: string, runId: string): string {
  return join(resultsDir, runId, RUN_FILES.summary);
}

/** metric name -> its raw count field, whatever the file's shape. */
function rawCounts(json: unknown, path: string): { format: SummaryFormat; counts: Map<string, unknown> } {
  const counts = new Map<string, unknown>();
  if (isObject(json) && isObject(json.results) && Array.isArray(json.results.metrics)) {
    for (const m of json.results.metrics) {
      if (isObject(m) && typeof m.name === 'string') counts.set(m.name, isObject(m.values) ? m.values.count : undefined);
    }
    return { format: 'machine-readable', counts };
  }
  if (!isObject(json) || !isObject(json.metrics)) throw new SummaryError(`${path}: no "metrics" (not k6 summary data)`);
  const entries = Object.entries(json.metrics).filter((e): e is [string, Json] => isObject(e[1]));
  const format: SummaryFormat = entries.some(([, m]) => isObject(m.values)) ? 'handleSummary' : 'summary-export';
  for (const [name, m] of entries) counts.set(name, isObject(m.values) ? m.values.count : m.count);
  return { format, counts };
}

export function parseRunSummary(json: unknown, path: string): RunSummary {
  const { format, counts } = rawCounts(json, path);
  const counter = (name: string): number => {
    if (!counts.has(name)) return 0;
    const raw = counts.get(name);
    // Counts of events and of cents must be exact integers; anything else is a bug upstream.
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
      throw new SummaryError(`${path}: metric ${name} count is not a non-negative integer: ${JSON.stringify(raw)}`);
    }
    return raw;
  };
  return { path, format, counter, has: (name) => counts.has(name), endedAt: loadEnd(json) };
}

/** moshpit's summary lists its load processes with their end (ms epoch). */
function loadEnd(json: unknown): Date | null {
  if (!isObject(json) || !isObject(json.moshpit) || !Array.isArray(json.moshpit.sources)) return null;
  const ends = json.moshpit.sources.map((s) => (isObject(s) && typeof s.endedAt === 'number' ? s.endedAt : null)).filter((e): e is number => e !== null);
  return ends.length ? new Date(Math.max(...ends)) : null;
}

/** A summary that could not be read: every checker that reads it fails with the reason. */
export function unreadableSummary(path: string, reason: string): RunSummary {
  const fail = (): never => {
    throw new SummaryError(reason);
  };
  return { path, format: 'handleSummary', counter: fail, has: fail, endedAt: null };
}

/** The run's summary, or null when the run has none. Throws SummaryError on an unreadable file. */
export function readRunSummary(resultsDir: string, runId: string): RunSummary | null {
  const path = summaryPath(resultsDir, runId);
  if (!existsSync(path)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SummaryError(`${path}: ${(err as Error).message}`);
  }
  return parseRunSummary(json, path);
}
