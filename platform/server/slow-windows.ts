// Slow windows: extra latency for requests that arrive inside given wall-clock intervals, read
// from a JSON file the orchestrator writes once the run's clock (t0) is known, so a test can
// slow the target in exactly one time bucket of a run (MOSHPIT_SLOW_WINDOWS_FILE, platform/API.md).
// File: [{"fromMs": <epoch ms>, "toMs": <epoch ms>, "slowMs": <ms>}, ...]; absent = no window.
import { readFileSync, statSync } from 'node:fs';

export interface SlowWindow { fromMs: number; toMs: number; slowMs: number }

const POLL_MS = 100;
const MAX_SLOW_MS = 60_000;

export function parseSlowWindows(text: string): SlowWindow[] {
  const raw = JSON.parse(text) as unknown;
  if (!Array.isArray(raw)) throw new Error('slow windows file must hold a JSON array');
  return raw.map((w, i) => {
    const { fromMs, toMs, slowMs } = (w ?? {}) as Record<string, unknown>;
    const ok = [fromMs, toMs, slowMs].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
    if (!ok || (toMs as number) <= (fromMs as number) || (slowMs as number) > MAX_SLOW_MS) {
      throw new Error(`slow window ${i}: needs integer fromMs < toMs and slowMs from 0 to ${MAX_SLOW_MS}`);
    }
    return { fromMs: fromMs as number, toMs: toMs as number, slowMs: slowMs as number };
  });
}

export class SlowWindows {
  private windows: SlowWindow[] = [];
  private checkedAt = -Infinity;
  private mtimeMs: number | null = null;

  private constructor(private readonly file: string | null, private readonly warn: (m: string, d: Record<string, unknown>) => void) {}

  /** Follows `file` (it need not exist yet); null = never slow. */
  static watch(file: string | null, warn: (m: string, d: Record<string, unknown>) => void): SlowWindows {
    return new SlowWindows(file, warn);
  }

  // Re-read lazily, at most every POLL_MS, when the file changed: no watcher to leak or close.
  private refresh(nowMs: number): void {
    if (!this.file || nowMs - this.checkedAt < POLL_MS) return;
    this.checkedAt = nowMs;
    let mtimeMs: number | null = null;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch { /* absent: no window */ }
    if (mtimeMs === this.mtimeMs) return;
    this.mtimeMs = mtimeMs;
    if (mtimeMs === null) { this.windows = []; return; }
    try {
      this.windows = parseSlowWindows(readFileSync(this.file, 'utf8'));
    } catch (err) {
      // Kept as it was: a wrong file must not change the target's behaviour.
      this.warn('slow windows file ignored', { file: this.file, error: (err as Error).message });
    }
  }

  /** Extra delay for a request arriving at `nowMs` (wall clock). */
  delayAt(nowMs: number): number {
    this.refresh(Date.now());
    let ms = 0;
    for (const w of this.windows) if (nowMs >= w.fromMs && nowMs < w.toMs) ms = Math.max(ms, w.slowMs);
    return ms;
  }
}
