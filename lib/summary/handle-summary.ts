// k6 handleSummary(): the normal text summary on stdout, and in RESULTS_DIR (which must exist:
// k6 does not create directories) summary.json (k6's raw data plus a "moshpit" block),
// summary.txt, junit.xml and summary.md.
import { runtime } from '../runtime.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { RunInfo } from './report.js';
import { readSummary } from './summary-data.js';
import { renderText } from './text.js';

export function handleSummary(data: Record<string, unknown>): Record<string, string> {
  const { config, scenario } = runtime();
  const run: RunInfo = { runId: config.runId, scenario, profile: config.profile, targetKind: config.targetKind, targetUrl: config.targetUrl };
  const view = readSummary(data);
  const text = renderText(view, run);
  const files: Record<string, string> = { stdout: text };
  if (config.resultsDir === null) return files;
  const dir = config.resultsDir;
  const moshpit = { ...run, summaryFormat: view.format, durationScale: config.durationScale, rateScale: config.rateScale };
  files[`${dir}/summary.json`] = JSON.stringify({ ...data, moshpit }, null, 2);
  files[`${dir}/summary.txt`] = text;
  files[`${dir}/junit.xml`] = renderJunit(view, run);
  files[`${dir}/summary.md`] = renderMarkdown(view, run);
  return files;
}
