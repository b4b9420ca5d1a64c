// Chaos fault windows (results/<run-id>/chaos-windows.json, chaos/windows-file.ts) as the
// intervals the report shades on its charts (Grafana's annotations: chaos/annotations.ts).
// Only windows whose fault took effect count; one still active when the file was last
// written runs to the run's end.
import type { ChaosWindowsFile } from '../../chaos/windows-file.js';

export interface FaultWindow {
  label: string;
  startMs: number;
  endMs: number;
  /** e.g. "done", "interrupted". */
  status: string;
  detail: string;
}

export function faultWindows(file: ChaosWindowsFile, runEndMs: number): FaultWindow[] {
  const out: FaultWindow[] = [];
  for (const w of file.windows ?? []) {
    if (w.startMs === null || w.startMs === undefined) continue;
    const end = w.endMs ?? file.endedMs ?? runEndMs;
    const params = Object.entries(w.params ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
    out.push({
      label: w.fault,
      startMs: w.startMs,
      endMs: Math.max(w.startMs, end),
      status: w.status,
      detail: `${w.kind}${params ? ` ${params}` : ''} (${w.executor}, ${w.status}${w.error ? `: ${w.error}` : ''})`,
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}
