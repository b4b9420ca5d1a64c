// results/<run-id>/metadata.json: enough to reproduce and compare a run later.
import { RUN_FILES } from '../../core/results-layout.js';
import type { RunMetadata } from '../../core/run-metadata.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';

export async function gitRevision(): Promise<string | null> {
  const r = await exec('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, check: false }).catch(() => null);
  if (!r || r.code !== 0) return null;
  const dirty = await exec('git', ['status', '--porcelain'], { cwd: projectRoot, check: false });
  return `${r.stdout.trim()}${dirty.stdout.trim() ? '-dirty' : ''}`;
}

export function writeMetadata(resultsDir: string, meta: RunMetadata): void {
  writeFileSync(join(resultsDir, RUN_FILES.metadata), `${JSON.stringify(meta, null, 2)}\n`);
}
