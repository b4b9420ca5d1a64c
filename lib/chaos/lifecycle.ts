// The engine-agnostic parts of a chaos run's start and end: how long the load may wait for
// t0, what the orchestrator's clock endpoint answers, and what summary.json says about the
// timeline. The k6 setup()/handleSummary() that use them: lib/bindings/k6/chaos.ts.
import type { ChaosEnv } from './contract.js';

/** The load never waits longer than this for t0. */
export const MAX_T0_WAIT_S = 120;

/** Seconds to wait from nowMs until t0 (0 if past); throws when t0 is implausibly far. */
export function secondsUntilT0(t0Ms: number, nowMs: number): number {
  const wait = (t0Ms - nowMs) / 1000;
  if (wait > MAX_T0_WAIT_S) throw new Error(`moshpit chaos: t0 is ${Math.round(wait)} s away (more than ${MAX_T0_WAIT_S} s)`);
  return Math.max(0, wait);
}

/** t0 from the answer of the orchestrator's clock endpoint (POST {"runId"} -> {"t0Ms"}). */
export function t0FromClockAnswer(url: string, status: number, body: string | null, error: string | null = null): number {
  let t0: unknown;
  try {
    t0 = (JSON.parse(String(body)) as { t0Ms?: unknown }).t0Ms;
  } catch { /* reported below */ }
  if (status !== 200 || typeof t0 !== 'number' || !Number.isFinite(t0)) {
    throw new Error(`moshpit chaos: the orchestrator's clock at ${url} answered ${status} ${String(body ?? error).slice(0, 300)}`);
  }
  return t0;
}

/** summary.json of a chaos run: the full load, and the timeline it ran under. */
export function chaosSummaryJson(summaryJson: string, env: Pick<ChaosEnv, 'durationS' | 'recoveryS' | 'windows'>): string {
  const doc = JSON.parse(summaryJson) as Record<string, unknown> & { moshpit?: Record<string, unknown> };
  doc.moshpit = { ...doc.moshpit, load: 'full' };
  doc.chaos = { durationS: env.durationS, recoveryS: env.recoveryS, windows: env.windows };
  return JSON.stringify(doc, null, 2);
}
