// Chaos windows as dashboard annotations: after a chaos run, the run's telemetry
// (monitoring/telemetry/run-telemetry.ts) reads results/<run-id>/chaos-windows.json and writes
// one region annotation per window that ran (done or interrupted) to InfluxDB.
import type { Annotation } from '../monitoring/influx/annotations.js';
import type { ChaosWindowsFile, WindowRecord } from './windows-file.js';

/** A region annotation (kind chaos, tag fault) for one window that took effect; null otherwise. */
export function chaosAnnotation(runId: string, w: WindowRecord): Annotation | null {
  if (w.startMs === null) return null;
  const params = Object.entries(w.params).map(([k, v]) => `${k}=${v}`).join(' ');
  return {
    runId,
    kind: 'chaos',
    title: `${w.fault}${w.status === 'done' ? '' : ` (${w.status})`}`,
    text: `${w.fault} [${w.kind}, ${w.executor}] ${params}`.trim(),
    start: w.startMs,
    end: w.endMs ?? w.plannedEndMs,
    tags: { fault: w.fault, fault_kind: w.kind },
  };
}

export function chaosAnnotations(doc: ChaosWindowsFile): Annotation[] {
  const runId = doc.runId ?? 'unknown';
  return doc.windows.map((w) => chaosAnnotation(runId, w)).filter((a): a is Annotation => a !== null);
}
