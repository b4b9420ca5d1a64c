// Slow windows: extra latency for requests that arrive inside given wall-clock intervals, read
// from a JSON file the orchestrator writes once the run's clock (t0) is known, so a test can
// slow the target in exactly one time bucket of a run (MOSHPIT_SLOW_WINDOWS_FILE, platform/API.md).
// File: [{"fromMs": <epoch ms>, "toMs": <epoch ms>, "slowMs": <ms>}, ...]; absent = no window.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';

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

  private constructor(private readonly file: string | null, private readonly warn: (m: string, d: Record<string, unknown>) => void) {}

  /** Watches `file` (polling: it need not exist yet); null = never slow. */
  static watch(file: string | null, warn: (m: string, d: Record<string, unknown>) => void): SlowWindows {
    const w = new SlowWindows(file, warn);
    if (file) {
      w.reload();
      watchFile(file, { interval: POLL_MS, persistent: false }, () => w.reload());
    }
    return w;
  }

  private reload(): void {
    let text: string;
    try {
      text = readFileSync(this.file!, 'utf8');
    } catch {
      this.windows = [];
      return;
    }
    try {
      this.windows = parseSlowWindows(text);
    } catch (err) {
      // Kept as it was: a half-written or wrong file must not change the target's behaviour.
      this.warn('slow windows file ignored', { file: this.file, error: (err as Error).message });
    }
  }

  /** Extra delay for a request arriving at `nowMs`. */
  delayAt(nowMs: number): number {
    let ms = 0;
    for (const w of this.windows) if (nowMs >= w.fromMs && nowMs < w.toMs) ms = Math.max(ms, w.slowMs);
    return ms;
  }

  close(): void {
    if (this.file) unwatchFile(this.file);
  }
}
