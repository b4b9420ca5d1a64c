// results/<run-id>/influx.json: where a run streamed its metrics, so a report generated later
// (`moshpit generate-report --run <id>`) finds the same InfluxDB and the run's time window.
import { RUN_FILES } from '../../core/results-layout.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface InfluxRunFile {
  version: 1;
  /** HTTP API base the run wrote to. */
  url: string;
  /** This checkout's own influxd (stack/influxdb.ts), which can be started again to read it. */
  local: { instanceId: string | null } | null;
  databases: { k6: string; moshpit: string };
  /** When the load ran (epoch ms; either engine: the key keeps its first name); endMs null until it finished. */
  k6: { startMs: number; endMs: number | null };
}

export function writeInfluxRunFile(resultsDir: string, f: InfluxRunFile): void {
  writeFileSync(join(resultsDir, RUN_FILES.influx), `${JSON.stringify(f, null, 2)}\n`);
}
