// The default chaos timeline, shaped for the 20-minute pilot run: a quiet warm-up, then one
// fault at a time with a recovery gap after each, so every recovery is attributable to one
// fault. Shorter runs get it scaled (scaleTimeline); `--faults NAME` picks windows from here.
import type { Params } from '../core/faults.js';

export interface TimelineEntry { fault: string; startS: number; durationS: number; params?: Params }

export const DEFAULT_TIMELINE_DURATION_S = 1200;

export const DEFAULT_TIMELINE: readonly TimelineEntry[] = [
  // 0-120 s: baseline, no faults
  { fault: 'db-latency', startS: 120, durationS: 60, params: { latency: 500, jitter: 100 } },
  { fault: 'db-reset', startS: 240, durationS: 20, params: { timeout: 0, toxicity: 1 } },
  { fault: 'db-timeout', startS: 330, durationS: 30, params: { timeout: 5000 } },
  { fault: 'db-bandwidth', startS: 420, durationS: 60, params: { rate: 32 } },
  { fault: 'webhook-delay', startS: 540, durationS: 90, params: { delayS: 30 } },
  { fault: 'webhook-dup', startS: 660, durationS: 60, params: { rate: 0.2 } },
  { fault: 'webhook-reorder', startS: 750, durationS: 60, params: { windowS: 10 } },
  { fault: 'bad-signature', startS: 840, durationS: 30, params: { rate: 0.05 } },
  { fault: 'scanner-offline', startS: 900, durationS: 60, params: { gateways: 1 } },
  { fault: 'concession-offline', startS: 990, durationS: 60, params: { terminals: 1 } },
  { fault: 'target-crash', startS: 1080, durationS: 10, params: { signal: 'SIGKILL', restart: true } },
  // 1090-1200 s: recovery after the crash
];
