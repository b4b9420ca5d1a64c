// results/<run-id>/chaos-windows.json: what the chaos controller actually did and when.
// Rewritten atomically on every change, so a crash leaves the last true state on disk.
import { RUN_FILES } from '../core/results-layout.js';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resultsDir } from '../stack/paths.js';
import type { FaultKind, Params } from '../core/faults.js';

export type WindowStatus = 'pending' | 'active' | 'done' | 'interrupted' | 'failed' | 'skipped';

/**
 * Who carried the window out: toxiproxy (the controller), hook (an executor the caller
 * registered, e.g. target-crash), external (the load processes; times are the schedule).
 */
export type WindowExecutor = 'toxiproxy' | 'hook' | 'external';

export interface WindowRecord {
  fault: string;
  kind: FaultKind;
  executor: WindowExecutor;
  params: Params;
  plannedStartMs: number;
  plannedEndMs: number;
  /** ms epoch when the fault took effect; null if it never did */
  startMs: number | null;
  /** ms epoch when the fault was removed; null while active or if it never started */
  endMs: number | null;
  status: WindowStatus;
  error?: string;
}

export type RunOutcome = 'running' | 'completed' | 'interrupted' | 'error' | 'crashed';

export interface ChaosWindowsFile {
  version: 1;
  runId: string | null;
  apiUrl: string | null;
  proxy: string;
  pid: number;
  /** ms epoch of timeline second 0 */
  t0Ms: number;
  durationS: number;
  outcome: RunOutcome;
  endedMs: number | null;
  error?: string;
  windows: WindowRecord[];
}

/** Where a run's windows go: results/<run-id>/chaos-windows.json */
export function chaosWindowsPath(runId: string): string {
  return join(resultsDir, runId, RUN_FILES.chaosWindows);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readWindowsFile(path: string): ChaosWindowsFile {
  return JSON.parse(readFileSync(path, 'utf8')) as ChaosWindowsFile;
}
