// What a test can see of a scenario run in progress, from the files the run writes.
import { LATEST_FILE, RUN_DIRS } from '../../core/results-layout.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** True once a load process of the latest run under `resultsRoot` has written a second of samples. */
export function streamWindowWritten(resultsRoot: string): boolean {
  const latest = join(resultsRoot, LATEST_FILE);
  if (!existsSync(latest)) return false;
  const streams = join(resultsRoot, readFileSync(latest, 'utf8').trim(), RUN_DIRS.streams);
  return existsSync(streams) && readdirSync(streams).some((f) => readFileSync(join(streams, f), 'utf8').includes('"type":"window"'));
}
