// What a test can see of a scenario run in progress, from the files the run writes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STREAMS_DIR } from '../../core/metrics-stream/records.js';

/** True once a load process of the latest run under `resultsRoot` has written a second of samples. */
export function streamWindowWritten(resultsRoot: string): boolean {
  const latest = join(resultsRoot, 'LATEST');
  if (!existsSync(latest)) return false;
  const streams = join(resultsRoot, readFileSync(latest, 'utf8').trim(), STREAMS_DIR);
  return existsSync(streams) && readdirSync(streams).some((f) => readFileSync(join(streams, f), 'utf8').includes('"type":"window"'));
}
