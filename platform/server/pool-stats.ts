// The pool's saturation, for the run report (monitoring/bottleneck/pool-log.ts reads it):
// MOSHPIT_POOL_LOG names a JSON-lines file that gets one line per second: how many pooled
// connections were in use (max and mean) and how many requests queued for one (max), from a
// reading every 50 ms, plus the share of readings with a queue (every connection busy).
// Kept apart from the request path: a timer reads the pool's counters, nothing else.
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import type pg from 'pg';

export const POOL_LOG_ENV = 'MOSHPIT_POOL_LOG';
const READ_EVERY_MS = 50;
const LINE_EVERY_MS = 1000;

/** One line of the pool log. */
export interface PoolLogLine {
  /** ms since epoch, end of the second it describes */
  ts: number;
  size: number;
  inUseMax: number;
  inUseAvg: number;
  waitingMax: number;
  /** Share of the second's readings that found requests queued for a connection. */
  saturated: number;
}

export interface PoolStatsLog { close(): Promise<void> }

export function startPoolStatsLog(pool: pg.Pool, size: number, env: NodeJS.ProcessEnv): PoolStatsLog {
  const path = env[POOL_LOG_ENV]?.trim();
  if (!path) return { close: async () => {} };
  const stream: WriteStream = createWriteStream(path, { fd: openSync(path, 'a') });
  let readings = 0;
  let inUseSum = 0;
  let inUseMax = 0;
  let waitingMax = 0;
  let queued = 0;
  let lineStart = Date.now();
  const timer = setInterval(() => {
    const inUse = pool.totalCount - pool.idleCount;
    readings++;
    inUseSum += inUse;
    inUseMax = Math.max(inUseMax, inUse);
    waitingMax = Math.max(waitingMax, pool.waitingCount);
    if (pool.waitingCount > 0) queued++;
    const now = Date.now();
    if (now - lineStart < LINE_EVERY_MS) return;
    // Idle seconds are not written: an idle target leaves the file alone.
    if (inUseMax > 0 || waitingMax > 0) {
      const line: PoolLogLine = { ts: now, size, inUseMax, inUseAvg: Math.round((inUseSum / readings) * 100) / 100, waitingMax, saturated: Math.round((queued / readings) * 1000) / 1000 };
      stream.write(`${JSON.stringify(line)}\n`);
    }
    readings = inUseSum = inUseMax = waitingMax = queued = 0;
    lineStart = now;
  }, READ_EVERY_MS);
  timer.unref();
  return {
    close: () => new Promise<void>((resolve) => {
      clearInterval(timer);
      stream.end(() => resolve());
    }),
  };
}
