// The chaos timeline as the load sees it: which phase a moment is in (steady, inside a fault
// window, recovering after one), which client faults are on, which doors and terminals are
// offline. Pure functions over the MOSHPIT_CHAOS_JSON windows; seconds are timeline seconds.
import { paramNumber } from '../../core/faults.js';
import { isLoopbackUrl } from '../../core/loopback.js';
import { NO_FAULT, type ChaosEnv, type ChaosPhase, type ChaosWindowSpec } from './contract.js';

/**
 * A request started this long before a window opens is counted in it: it was in flight when
 * the fault was applied (the controller is never early, only a few ms late).
 */
export const PRE_WINDOW_MARGIN_S = 1;

export interface PhaseTags {
  chaos: ChaosPhase;
  /** the faults concerned, sorted and joined with '+'; 'none' in steady state */
  fault: string;
}

const endOf = (w: ChaosWindowSpec) => w.startS + w.durationS;

function joined(ws: ChaosWindowSpec[]): string {
  return [...new Set(ws.map((w) => w.fault))].sort().join('+');
}

export function phaseAt(env: Pick<ChaosEnv, 'windows' | 'recoveryS'>, tS: number): PhaseTags {
  const inside = env.windows.filter((w) => tS >= w.startS - PRE_WINDOW_MARGIN_S && tS < endOf(w));
  if (inside.length) return { chaos: 'fault', fault: joined(inside) };
  const recovering = env.windows.filter((w) => tS >= endOf(w) && tS < endOf(w) + env.recoveryS);
  if (recovering.length) return { chaos: 'recovery', fault: joined(recovering) };
  return { chaos: 'steady', fault: NO_FAULT };
}

/** Every distinct tag pair the run can produce (for per-fault threshold sub-metrics). */
export function allPhaseTags(env: Pick<ChaosEnv, 'windows' | 'recoveryS' | 'durationS'>): PhaseTags[] {
  const cuts = new Set<number>([0, env.durationS]);
  for (const w of env.windows) {
    for (const t of [w.startS - PRE_WINDOW_MARGIN_S, w.startS, endOf(w), endOf(w) + env.recoveryS]) cuts.add(Math.max(0, t));
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const seen = new Map<string, PhaseTags>();
  const add = (p: PhaseTags) => seen.set(`${p.chaos}|${p.fault}`, p);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    const b = sorted[i + 1] ?? a + 1;
    add(phaseAt(env, (a + b) / 2));
  }
  add(phaseAt(env, env.durationS + env.recoveryS + 1)); // after the run: steady
  return [...seen.values()];
}

/** Client windows of a fault that are on at tS (no margin: this is when the fault acts). */
export function activeWindows(env: Pick<ChaosEnv, 'windows'>, fault: string, tS: number): ChaosWindowSpec[] {
  return env.windows.filter((w) => w.fault === fault && tS >= w.startS && tS < endOf(w));
}

export function windowsOf(env: Pick<ChaosEnv, 'windows'>, fault: string): ChaosWindowSpec[] {
  return env.windows.filter((w) => w.fault === fault).sort((a, b) => a.startS - b.startS);
}

/**
 * Devices offline at tS: the first `count` of `total` (doors or terminals), never all of them
 * (one must stay up to take the queue). 0-based indexes.
 */
export function offlineDevices(env: Pick<ChaosEnv, 'windows'>, fault: 'scanner-offline' | 'concession-offline', total: number, tS: number): Set<number> {
  const param = fault === 'scanner-offline' ? 'gateways' : 'terminals';
  let count = 0;
  for (const w of activeWindows(env, fault, tS)) count = Math.max(count, paramNumber(w, param));
  const out = new Set<number>();
  for (let i = 0; i < Math.min(count, total - 1); i++) out.add(i);
  return out;
}

/** Doors (or terminals) a window takes offline, 0-based. */
export function devicesOfWindow(w: ChaosWindowSpec, total: number): number[] {
  const count = paramNumber(w, w.fault === 'scanner-offline' ? 'gateways' : 'terminals');
  return Array.from({ length: Math.max(0, Math.min(count, total - 1)) }, (_, i) => i);
}

/** Checks the JSON the orchestrator passed; throws with every problem. */
export function parseChaosEnv(raw: string | undefined): ChaosEnv {
  if (raw === undefined || raw.trim() === '') {
    return { durationS: 0, windows: [], recoveryS: 0 };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    throw new Error(`MOSHPIT_CHAOS_JSON is not valid JSON: ${String(err)}`);
  }
  const problems: string[] = [];
  const d = doc as Partial<ChaosEnv> | null;
  if (!d || typeof d !== 'object') throw new Error('MOSHPIT_CHAOS_JSON must be an object');
  if (typeof d.durationS !== 'number' || !(d.durationS > 0)) problems.push('durationS must be a positive number');
  if (typeof d.recoveryS !== 'number' || !(d.recoveryS >= 0)) problems.push('recoveryS must be a number >= 0');
  if (!Array.isArray(d.windows)) problems.push('windows must be an array');
  else {
    d.windows.forEach((w, i) => {
      if (!w || typeof w.fault !== 'string' || typeof w.startS !== 'number' || typeof w.durationS !== 'number' || w.durationS <= 0 || typeof w.params !== 'object') {
        problems.push(`windows[${i}] must be {fault, kind, startS, durationS > 0, params}`);
      }
    });
  }
  if (d.clockUrl !== undefined && !(typeof d.clockUrl === 'string' && /^http:\/\/[^/]+:\d+\//.test(d.clockUrl) && isLoopbackUrl(d.clockUrl))) {
    problems.push(`clockUrl must be a loopback http URL, got ${JSON.stringify(d.clockUrl)}`);
  }
  if (d.t0Ms !== undefined && (typeof d.t0Ms !== 'number' || !Number.isFinite(d.t0Ms))) problems.push('t0Ms must be a number (ms epoch)');
  if (problems.length) throw new Error(`MOSHPIT_CHAOS_JSON: ${problems.join('; ')}`);
  return d as ChaosEnv;
}
