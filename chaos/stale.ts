// Crash safety for chaos runs. A running controller leaves a marker file naming itself; a
// SIGKILLed one cannot remove its toxics, so the next run (or `cleanupStale`) finds the
// marker of a dead owner, resets Toxiproxy, and closes the dead run's windows file.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../stack/paths.js';
import { isAlive, procStartTicks } from '../stack/processes.js';
import { ToxiproxyClient, ToxiproxyUnreachable } from './toxiproxy-client.js';
import { readWindowsFile, writeJsonAtomic } from './windows-file.js';

export interface ChaosMarker {
  pid: number;
  startTicks: number | null;
  apiUrl: string | null;
  proxy: string;
  runId: string | null;
  windowsFile: string;
  startedMs: number;
  deadlineMs: number;
}

export const defaultMarkerFile = (): string => join(stateDir, 'chaos', 'in-progress.json');

/** Marker files held by controllers running in this very process. */
const heldHere = new Set<string>();

export class ChaosBusy extends Error {}

export function writeMarker(file: string, m: Omit<ChaosMarker, 'pid' | 'startTicks'>): void {
  writeJsonAtomic(file, { pid: process.pid, startTicks: procStartTicks(process.pid), ...m } satisfies ChaosMarker);
  heldHere.add(file);
}

export function removeMarker(file: string): void {
  rmSync(file, { force: true });
  heldHere.delete(file);
}

export function readMarker(file: string): ChaosMarker | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ChaosMarker;
  } catch {
    return null; // half-written by a crash: nothing to learn from it, still stale
  }
}

function readWindowsFileOrNull(path: string) {
  try {
    return readWindowsFile(path);
  } catch {
    return null; // unreadable: the toxics still get reset, only the record stays as it is
  }
}

export interface StaleCleanup {
  /** the crashed run's marker, or null if the last run ended cleanly */
  stale: ChaosMarker | null;
  /** APIs that were reset */
  reset: string[];
  /** windows of the crashed run that were still open and are now closed as interrupted */
  windowsClosed: number;
}

/**
 * POST /reset on apiUrl (all toxics gone, all proxies enabled), plus the crashed run's own
 * Toxiproxy if that was another one. Refuses while the marker's owner is still running.
 */
export async function cleanupStale(apiUrl: string | null, opts: { markerFile?: string } = {}): Promise<StaleCleanup> {
  const file = opts.markerFile ?? defaultMarkerFile();
  const raw = existsSync(file);
  const marker = readMarker(file);
  const ownerRunning = marker !== null && (marker.pid === process.pid ? heldHere.has(file) : isAlive(marker));
  if (ownerRunning) {
    throw new ChaosBusy(`a chaos run (pid ${marker.pid}, run ${marker.runId ?? '?'}) is in progress (marker ${file}); stop it first`);
  }
  const reset: string[] = [];
  if (apiUrl !== null) {
    await new ToxiproxyClient(apiUrl).reset();
    reset.push(apiUrl);
  }
  if (marker && marker.apiUrl && marker.apiUrl !== apiUrl) {
    try {
      await new ToxiproxyClient(marker.apiUrl).reset();
      reset.push(marker.apiUrl);
    } catch (err) {
      if (!(err instanceof ToxiproxyUnreachable)) throw err; // a server that is gone took its toxics with it
    }
  }
  let windowsClosed = 0;
  const doc = marker && existsSync(marker.windowsFile) ? readWindowsFileOrNull(marker.windowsFile) : null;
  if (marker && doc) {
    const now = Date.now();
    for (const w of doc.windows) {
      if (w.status === 'active') {
        w.status = 'interrupted';
        w.endMs = now; // the real end is unknown: the fault lasted until this cleanup at most
        w.error = 'controller died; fault removed by cleanupStale';
        windowsClosed++;
      } else if (w.status === 'pending') w.status = 'skipped';
    }
    if (doc.outcome === 'running') {
      doc.outcome = 'crashed';
      doc.endedMs = now;
    }
    writeJsonAtomic(marker.windowsFile, doc);
  }
  if (raw) removeMarker(file);
  return { stale: raw ? marker : null, reset, windowsClosed };
}
