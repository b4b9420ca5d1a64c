// Chaos windows as dashboard annotations. The hook for the InfluxDB wiring: a chaos run calls
// `onWindow(record, runId)` (cli/pipeline/chaos-run.ts ChaosPlan.onWindow) whenever a window
// closes (done, or interrupted); turning it into a region annotation is:
//
//   onWindow: (w, runId) => writeAnnotations(influx, [chaosAnnotation(runId, w)])
//
// or, after the run, all of them at once from results/<run-id>/chaos-windows.json:
//
//   writeAnnotations(influx, chaosAnnotations(readWindowsFile(path)))
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
