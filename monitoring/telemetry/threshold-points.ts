// The run's threshold results (summary.json, moshpit's verdict on the merged stream) as points,
// so Grafana's Run overview shows the same pass/fail table as the report.
import { MEASUREMENTS } from '../../core/metric-names.js';
import type { Point } from '../influx/line-protocol.js';
import type { ThresholdOutcome } from '../report/summary-reader.js';

export function thresholdPoints(runId: string, thresholds: ThresholdOutcome[], at: number): Point[] {
  return thresholds.map((t) => ({
    measurement: MEASUREMENTS.thresholds,
    tags: { run_id: runId, metric: t.metric, expression: t.expression },
    fields: { ok: t.ok, observed: t.observed ?? undefined, aggregate: t.aggregate ?? '' },
    time: at,
  }));
}
