// Stands in for the chaos controller in monitoring tests: once a run's load has started (its
// influx.json exists), records one fault window in results/<run-id>/chaos-windows.json the way
// the controller does (chaos/windows-file.ts), so annotations and shaded windows can be checked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic, type ChaosWindowsFile } from '../../chaos/windows-file.js';
import { eventually } from '../support/eventually.js';

export const RECORDED_FAULT = { fault: 'db-latency', durationMs: 2000 } as const;

export async function recordChaosWindowDuringRun(resultsDir: string, stop: () => boolean): Promise<void> {
  const STOPPED = '';
  const runId = await eventually(() => {
    if (stop()) return STOPPED;
    const latest = join(resultsDir, 'LATEST');
    const id = existsSync(latest) ? readFileSync(latest, 'utf8').trim() : '';
    return id && existsSync(join(resultsDir, id, 'influx.json')) ? id : null;
  }, { what: "the run's load to start (influx.json)", until: (id) => id !== null, timeoutMs: 15 * 60_000 });
  if (runId === STOPPED || runId === null) return;
  const start = Date.now() + 1000;
  const end = start + RECORDED_FAULT.durationMs;
  const file: ChaosWindowsFile = {
    version: 1, runId, apiUrl: 'http://127.0.0.1:1', proxy: 'db', pid: process.pid, t0Ms: start, durationS: 3, outcome: 'completed', endedMs: end + 1000,
    windows: [{
      fault: RECORDED_FAULT.fault, kind: 'toxic', executor: 'toxiproxy', params: { latency: 200 },
      plannedStartMs: start, plannedEndMs: end, startMs: start, endMs: end, status: 'done',
    }],
  };
  writeJsonAtomic(join(resultsDir, runId, 'chaos-windows.json'), file);
}
