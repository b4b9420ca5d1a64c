// monitoring/grafana/dashboards/*.json are generated from definitions/*.ts (the single source
// the run report shares). `moshpit grafana dashboards` rewrites them; `--check` (and a test)
// fails when a definition changed without regenerating.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../stack/paths.js';
import { DASHBOARDS } from './dashboards.js';
import { buildDashboard } from './build-dashboard.js';

export const DASHBOARD_DIR = join(projectRoot, 'monitoring', 'grafana', 'dashboards');

/** file name → JSON text, as it must be on disk. */
export function renderDashboardFiles(): Map<string, string> {
  return new Map(DASHBOARDS.map((d) => [d.file, `${JSON.stringify(buildDashboard(d), null, 2)}\n`]));
}

/** Files that are missing or differ from their definition. */
export function staleDashboardFiles(dir = DASHBOARD_DIR): string[] {
  const stale: string[] = [];
  for (const [file, text] of renderDashboardFiles()) {
    const path = join(dir, file);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(file);
  }
  return stale;
}

export function writeDashboardFiles(dir = DASHBOARD_DIR): string[] {
  const written: string[] = [];
  for (const [file, text] of renderDashboardFiles()) {
    writeFileSync(join(dir, file), text);
    written.push(join(dir, file));
  }
  return written;
}
