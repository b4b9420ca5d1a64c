// results/<run-id>/: where a run's summary.json is read and validation reports are written.
import { RUN_FILES } from '../core/results-layout.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Run ids become directory names: no separators, no dot-dot. */
export function assertSafeRunId(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(runId) || runId.includes('..') || runId.length > 200) {
    throw new Error(`invalid run id '${runId}': letters, digits, '.', '_', ':' and '-' only`);
  }
  return runId;
}

/** The most recent run in resultsDir (by its metadata.json or summary.json time), or null. */
export function latestRunId(resultsDir: string): string | null {
  if (!existsSync(resultsDir)) return null;
  let best: { id: string; time: number } | null = null;
  for (const entry of readdirSync(resultsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const marker of [RUN_FILES.metadata, RUN_FILES.summary]) {
      const file = join(resultsDir, entry.name, marker);
      if (!existsSync(file)) continue;
      const time = statSync(file).mtimeMs;
      if (!best || time > best.time || (time === best.time && entry.name > best.id)) best = { id: entry.name, time };
      break;
    }
  }
  return best?.id ?? null;
}
