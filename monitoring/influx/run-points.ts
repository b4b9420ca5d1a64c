// A run's validation outcome as points next to the load's metrics, so a dashboard can show the
// money-invariant verdict and each checker's violations for the run being looked at.
import { MEASUREMENTS } from '../../core/metric-names.js';
import type { CheckerResult } from '../../validate/types.js';
import { annotationPoint } from './annotations.js';
import type { InfluxClient } from './influx-client.js';
import { int, type Point } from './line-protocol.js';

export type Verdict = 'passed' | 'failed' | 'skipped';

export interface RunOutcome {
  runId: string;
  scenario?: string;
  profile?: string;
  /** The money validation's verdict (as in results/<run>/metadata.json exit.validation). */
  verdict: Verdict;
  checkers: CheckerResult[];
  /** When validation finished: epoch ms or Date. */
  at: number | Date;
  k6Exit?: number | null;
  exitCode?: number;
}

/** One verdict point, one point per checker (tag `checker`), and a `verdict` annotation. */
export function runPoints(o: RunOutcome): Point[] {
  const runTags = { run_id: o.runId, scenario: o.scenario, profile: o.profile };
  const failed = o.checkers.filter((c) => !c.ok);
  const verdict: Point = {
    measurement: MEASUREMENTS.verdict,
    tags: runTags,
    fields: {
      verdict: o.verdict,
      passed: o.verdict === 'passed',
      checkers: int(o.checkers.length),
      failed_checkers: int(failed.length),
      skipped_checkers: int(o.checkers.filter((c) => c.skipped).length),
      violations: int(o.checkers.reduce((n, c) => n + c.violations, 0)),
      k6_exit: o.k6Exit === undefined || o.k6Exit === null ? undefined : int(o.k6Exit),
      exit_code: o.exitCode === undefined ? undefined : int(o.exitCode),
    },
    time: o.at,
  };
  const checks: Point[] = o.checkers.map((c) => ({
    measurement: MEASUREMENTS.checks,
    tags: { ...runTags, checker: c.name, anomaly: c.anomaly },
    fields: {
      ok: c.ok,
      violations: int(c.violations),
      witnesses: int(c.witnesses.length),
      duration_ms: c.durationMs,
      skipped: c.skipped !== undefined,
      skip_reason: c.skipped,
      error: c.error ?? undefined,
    },
    time: o.at,
  }));
  const summary = failed.length
    ? `failed: ${failed.map((c) => `${c.name} (${c.error ? 'error' : `${c.violations} violations`})`).join(', ')}`
    : `${o.checkers.length} checkers ok`;
  const annotation = annotationPoint({
    runId: o.runId,
    kind: 'verdict',
    title: `validation ${o.verdict}`,
    text: `validation ${o.verdict}: ${summary}`,
    start: o.at,
    tags: o.scenario ? { scenario: o.scenario } : undefined,
  });
  return [verdict, ...checks, annotation];
}

export async function writeRunOutcome(client: InfluxClient, o: RunOutcome, database = 'moshpit'): Promise<void> {
  await client.write(runPoints(o), { database });
}
