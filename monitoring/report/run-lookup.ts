// Which run a command means: a run id under the results directory, a path to a run directory,
// `latest` (results/LATEST, else the newest run) or `previous` (the one before the newest).
import { LATEST_FILE, RUN_FILES } from '../../core/results-layout.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Run directories (with metadata.json or summary.json), newest first. */
export function listRuns(resultsDir: string): string[] {
  if (!existsSync(resultsDir)) return [];
  const runs: Array<{ id: string; at: number }> = [];
  for (const e of readdirSync(resultsDir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const meta = join(resultsDir, e.name, RUN_FILES.metadata);
    const summary = join(resultsDir, e.name, RUN_FILES.summary);
    if (existsSync(meta)) {
      let at = statSync(meta).mtimeMs;
      try {
        at = Date.parse((JSON.parse(readFileSync(meta, 'utf8')) as { startedAt: string }).startedAt) || at;
      } catch { /* unreadable metadata: its mtime will do */ }
      runs.push({ id: e.name, at });
    } else if (existsSync(summary)) {
      runs.push({ id: e.name, at: statSync(summary).mtimeMs });
    }
  }
  return runs.sort((a, b) => b.at - a.at || b.id.localeCompare(a.id)).map((r) => r.id);
}

export function resolveRunDir(ref: string, resultsDir: string): string {
  if (ref === 'latest' || ref === 'previous') {
    const runs = listRuns(resultsDir);
    const latestFile = join(resultsDir, LATEST_FILE);
    const pinned = existsSync(latestFile) ? readFileSync(latestFile, 'utf8').trim() : '';
    const ordered = pinned && runs.includes(pinned) ? [pinned, ...runs.filter((r) => r !== pinned)] : runs;
    const id = ordered[ref === 'latest' ? 0 : 1];
    if (!id) throw new Error(`no ${ref} run in ${resultsDir}`);
    return join(resultsDir, id);
  }
  if (ref.includes('/') || isAbsolute(ref)) {
    const dir = resolve(ref);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a run directory`);
    return dir;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(ref)) throw new Error(`'${ref}' is not a run id (nor latest, previous or a path)`);
  const dir = join(resultsDir, ref);
  if (!existsSync(dir)) throw new Error(`no run ${ref} in ${resultsDir}`);
  return dir;
}
