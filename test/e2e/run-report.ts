// What an e2e assertion prints when it fails: enough of the run to see why without rerunning.
import type { ScenarioRun } from '../support/scenario-run.js';

const tail = (text: string, lines: number) => text.split('\n').slice(-lines).join('\n');

export function describeRun(run: ScenarioRun): string {
  return [
    `exit ${run.code}, run ${run.runId ?? '(none)'}, failed checkers: [${run.failedCheckers.join(', ')}]`,
    '--- stderr (tail) ---',
    tail(run.stderr, 15),
    '--- stdout (tail) ---',
    tail(run.stdout, 40),
  ].join('\n');
}

/** A counter from summary.json (absent = never added to = 0). */
export function counter(run: ScenarioRun, metric: string): number {
  return run.summary?.metrics[metric]?.values.count ?? 0;
}
