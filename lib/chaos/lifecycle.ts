// setup() and handleSummary() of the chaos bundle.
// setup(): the usual fail-fast checks, then the shared clock: t0 from the orchestrator (its
// controller starts the fault schedule at that same instant), and waits for it, so the load's
// second 0 is the timeline's second 0. handleSummary(): the usual files, and summary.json says
// which timeline the run had.
import { sleep } from 'k6';
import http from 'k6/http';
import { setup as baseSetup } from '../lifecycle.js';
import { handleSummary as baseHandleSummary } from '../summary/handle-summary.js';
import type { ChaosSetupData } from './clock.js';
import { chaosRuntime } from './runtime.js';

/** setup() never waits longer than this for t0. */
const MAX_T0_WAIT_S = 120;

function askClock(url: string, runId: string): number {
  const res = http.post(url, JSON.stringify({ runId }), { headers: { 'Content-Type': 'application/json' }, timeout: '60s', tags: { name: 'chaos clock' } });
  let t0: unknown;
  try {
    t0 = (JSON.parse(String(res.body)) as { t0Ms?: unknown }).t0Ms;
  } catch { /* reported below */ }
  if (res.status !== 200 || typeof t0 !== 'number') {
    throw new Error(`moshpit chaos: the orchestrator's clock at ${url} answered ${res.status} ${String(res.body ?? res.error).slice(0, 300)}`);
  }
  return t0;
}

export function chaosSetup(): ChaosSetupData {
  const base = baseSetup();
  const { env, rt } = chaosRuntime();
  const t0 = typeof env.t0Ms === 'number' ? env.t0Ms : env.clockUrl ? askClock(env.clockUrl, rt.config.runId) : Date.now();
  const wait = (t0 - Date.now()) / 1000;
  if (wait > MAX_T0_WAIT_S) throw new Error(`moshpit chaos: t0 is ${Math.round(wait)} s away (more than ${MAX_T0_WAIT_S} s)`);
  if (wait > 0) sleep(wait);
  return { ...base, chaos: { t0Ms: t0 } };
}

export function chaosHandleSummary(data: Record<string, unknown>): Record<string, string> {
  const files = baseHandleSummary(data);
  const { rt, env } = chaosRuntime();
  const key = rt.config.resultsDir === null ? null : `${rt.config.resultsDir}/summary.json`;
  if (key && files[key]) {
    const doc = JSON.parse(files[key]) as Record<string, unknown> & { moshpit: Record<string, unknown> };
    doc.moshpit = { ...doc.moshpit, load: 'full' };
    doc.chaos = { durationS: env.durationS, recoveryS: env.recoveryS, windows: env.windows };
    files[key] = JSON.stringify(doc, null, 2);
  }
  return files;
}
