// The CI step summary: when $GITHUB_STEP_SUMMARY names a file (GitHub Actions sets it for every
// step), a run appends its report.md there (summary.md when no report was written), so the
// verdict shows on the job's page. Appending, never truncating: other steps write there too.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { progress } from '../../stack/progress.js';
import { RUN_FILES } from '../../core/results-layout.js';

export const STEP_SUMMARY_ENV = 'GITHUB_STEP_SUMMARY';
/** Preferred first: the full report, else the threshold summary. */
const SOURCES = [RUN_FILES.reportMarkdown, RUN_FILES.summaryMarkdown] as const;

/** Which file was appended, or null when the variable is unset or the run wrote neither file. */
export function appendStepSummary(resultsDir: string, env: Record<string, string | undefined> = process.env): string | null {
  const target = env[STEP_SUMMARY_ENV]?.trim();
  if (!target) return null;
  const source = SOURCES.map((name) => join(resultsDir, name)).find((path) => existsSync(path));
  if (!source) {
    progress(`${STEP_SUMMARY_ENV} is set but ${resultsDir} has no ${SOURCES.join(' or ')}: nothing appended`);
    return null;
  }
  try {
    const body = readFileSync(source, 'utf8');
    appendFileSync(target, body.endsWith('\n') ? `${body}\n` : `${body}\n\n`);
  } catch (err) {
    // A summary that cannot be written never changes the run's verdict.
    progress(`could not append to ${STEP_SUMMARY_ENV}: ${(err as Error).message}`);
    return null;
  }
  return source;
}
