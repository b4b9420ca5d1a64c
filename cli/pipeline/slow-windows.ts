// --slow-window AT+FOR:MS[,...]: the embedded target adds MS ms to requests arriving from AT to
// AT+FOR seconds after t0 (the instant the load's schedule starts). The windows are written,
// in wall-clock ms, to the file the target watches (platform/server/slow-windows.ts) once t0 is
// fixed, so they land in the same time buckets as the SLO tiers judge.
import { renameSync, writeFileSync } from 'node:fs';
import { UsageError } from '../../core/usage-error.js';

export interface RelativeSlowWindow { atS: number; forS: number; slowMs: number }

const SPEC = /^(\d+(?:\.\d+)?)s?\+(\d+(?:\.\d+)?)s?:(\d+)$/;
const MAX_SLOW_MS = 60_000;

export function parseSlowWindows(raw: string): RelativeSlowWindow[] {
  const out = raw.split(',').map((s) => s.trim()).filter(Boolean).map((spec) => {
    const m = SPEC.exec(spec);
    const w = m ? { atS: Number(m[1]), forS: Number(m[2]), slowMs: Number(m[3]) } : null;
    if (!w || w.forS <= 0 || w.slowMs < 1 || w.slowMs > MAX_SLOW_MS) {
      throw new UsageError(`--slow-window '${spec}' is not AT+FOR:MS (seconds after t0, seconds long, 1-${MAX_SLOW_MS} ms extra), e.g. 10+5:2500`);
    }
    return w;
  });
  if (out.length === 0) throw new UsageError('--slow-window needs at least one AT+FOR:MS window');
  return out;
}

/** Writes the windows on the run's clock (atomically: the target polls the file). */
export function writeSlowWindows(file: string, t0Ms: number, windows: RelativeSlowWindow[]): void {
  const abs = windows.map((w) => ({ fromMs: Math.round(t0Ms + w.atS * 1000), toMs: Math.round(t0Ms + (w.atS + w.forS) * 1000), slowMs: w.slowMs }));
  writeFileSync(`${file}.tmp`, `${JSON.stringify(abs, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
