// The target's pool saturation over the load's window, from its pool log
// (platform/server/pool-stats.ts writes one line per busy second).
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { PoolLogLine } from '../../platform/server/pool-stats.js';
import type { PoolPart } from './types.js';

/** Reads the lines appended after byte `fromByte` that fall in [fromMs, toMs + 1 s]. */
export function summarisePoolLog(file: string | null, window: { fromMs: number; toMs: number }, fromByte = 0): PoolPart {
  if (!file) return { available: false, reason: "the target is not moshpit's embedded one: its connection pool cannot be seen from here (pg_stat_activity's connections by state are in the Database section)" };
  if (!existsSync(file)) return { available: false, reason: `no pool log at ${file} (a target started before pool logging: restart the stack)` };
  const size = statSync(file).size;
  const text = readFileSync(file, 'utf8').slice(fromByte <= size ? fromByte : 0);
  const lines: PoolLogLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    try {
      const l = JSON.parse(raw) as PoolLogLine;
      // A line describes the second before its ts.
      if (l.ts > window.fromMs && l.ts <= window.toMs + 1000) lines.push(l);
    } catch { /* a line being written */ }
  }
  if (lines.length === 0) return { available: false, reason: 'the target wrote no pool readings during the load (it was idle, or started before pool logging: restart the stack)' };
  const seconds = Math.max(1, Math.round((window.toMs - window.fromMs) / 1000));
  return {
    available: true,
    size: Math.max(...lines.map((l) => l.size)),
    seconds,
    inUseMax: Math.max(...lines.map((l) => l.inUseMax)),
    // Seconds without a line were idle: they count as zero in the mean.
    inUseAvg: Math.round((lines.reduce((s, l) => s + l.inUseAvg, 0) / seconds) * 100) / 100,
    waitingMax: Math.max(...lines.map((l) => l.waitingMax)),
    saturatedSeconds: lines.filter((l) => l.waitingMax > 0).length,
  };
}
