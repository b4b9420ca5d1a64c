// core/profiles.ts: the table matches the pilot's figures, every profile covers
// every scenario, and the env scaling keeps shapes valid.
import { describe, expect, it } from 'vitest';
import {
  FESTIVAL_DAY_PHASES, maxConcurrency, PROFILE_NAMES, PROFILES, SCENARIO_NAMES, SCENARIO_WORKLOADS, scaleShape, scenarioShapes,
  shapeDurationSeconds, WALLET_PARTITION, type LoadShape,
} from '../../core/profiles.js';
import { laneSize, partitionWallets, walletIndex } from '../../lib/partition.js';

const perMinute = (s: LoadShape | undefined) =>
  s?.executor === 'constant-arrival-rate' ? s.perMinute : s?.executor === 'ramping-arrival-rate' ? Math.max(...s.stages.map((x) => x.target)) : NaN;
const vus = (s: LoadShape | undefined) => (s ? maxConcurrency(s) : NaN);

describe('profiles', () => {
  it.each([...PROFILE_NAMES])('%s defines a shape for every workload of every scenario', (name) => {
    const p = PROFILES[name];
    expect(p.name).toBe(name);
    for (const scenario of SCENARIO_NAMES) {
      for (const w of SCENARIO_WORKLOADS[scenario]) {
        const shape = p.scenarios[scenario][w];
        expect(shape, `${name}/${scenario}/${w}`).toBeDefined();
        expect(shapeDurationSeconds(shape!)).toBeGreaterThan(0);
        if (shape!.executor.endsWith('arrival-rate')) {
          const pool = shape as Extract<LoadShape, { maxVUs: number }>;
          expect(pool.maxVUs).toBeGreaterThanOrEqual(pool.preAllocatedVUs);
        }
      }
    }
  });

  it('pilot carries the pilot figures for 20-30 minutes', () => {
    const { scenarios, behaviour } = PROFILES.pilot;
    expect(behaviour.doors).toBe(2);
    expect(behaviour.terminals).toBe(4);
    expect(perMinute(scenarios.entry.entry) * behaviour.doors).toBe(200);
    expect(scenarios.entry.entry!.executor).toBe('constant-arrival-rate');
    expect(perMinute(scenarios.concession.concession) * behaviour.terminals).toBe(120);
    expect(vus(scenarios.funding.funding)).toBe(50);
    expect(vus(scenarios.full.browse)).toBe(2000);
    for (const scenario of SCENARIO_NAMES) {
      for (const shape of Object.values(scenarios[scenario])) {
        const minutes = shapeDurationSeconds(shape!) / 60;
        expect(minutes).toBeGreaterThanOrEqual(20);
        expect(minutes).toBeLessThanOrEqual(30);
      }
    }
  });

  it('pilot full and festival-day follow the three-phase day', () => {
    expect(FESTIVAL_DAY_PHASES.map((p) => [p.name, p.durationSeconds])).toEqual([['gates-open', 300], ['peak', 600], ['winding-down', 300]]);
    const day = PROFILES['festival-day'].scenarios.entry.entry!;
    expect(day.executor).toBe('ramping-arrival-rate');
    expect(shapeDurationSeconds(day)).toBe(1200);
    const targets = (day as Extract<LoadShape, { executor: 'ramping-arrival-rate' }>).stages.map((s) => s.target);
    expect(Math.max(...targets)).toBe(100); // peak = pilot per door
    expect(targets[0]).toBe(20); // gates open at 20 %
    expect(targets[targets.length - 1]).toBe(40); // winding down at 40 %
    expect(PROFILES.pilot.scenarios.full.browse!.executor).toBe('ramping-vus');
  });

  it('smoke stays well under a minute and peak/breakpoint go beyond the pilot', () => {
    for (const shape of Object.values(PROFILES.smoke.scenarios.full)) expect(shapeDurationSeconds(shape!)).toBeLessThanOrEqual(30);
    expect(perMinute(PROFILES.peak.scenarios.entry.entry)).toBe(300);
    expect(perMinute(PROFILES.breakpoint.scenarios.entry.entry)).toBe(1000);
    expect(PROFILES.breakpoint.abortOnSloBreach).toBe(true);
    expect(shapeDurationSeconds(PROFILES.soak.scenarios.entry.entry!)).toBeGreaterThanOrEqual(3600);
  });

  it('scaling multiplies durations and rates, never down to zero', () => {
    const base = PROFILES.smoke.scenarios.entry.entry!;
    const short = scaleShape(base, { duration: 0.2, rate: 1 });
    expect(shapeDurationSeconds(short)).toBe(5);
    const tiny = scaleShape(base, { duration: 0.001, rate: 0.001 });
    expect(shapeDurationSeconds(tiny)).toBe(1);
    expect(perMinute(tiny)).toBe(1);
    const shapes = scenarioShapes(PROFILES['festival-day'], 'full', { duration: 0.5, rate: 2 });
    expect(shapeDurationSeconds(shapes.entry!)).toBe(600);
    expect(perMinute(shapes.entry)).toBe(200);
  });
});

describe('wallet partition', () => {
  it('gives each state-changing workload a disjoint slice covering every wallet', () => {
    expect(Object.values(WALLET_PARTITION).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    const slices = partitionWallets(5000);
    const ordered = Object.values(slices).sort((a, b) => a.start - b.start);
    expect(ordered[0]!.start).toBe(0);
    for (let i = 1; i < ordered.length; i++) expect(ordered[i]!.start).toBe(ordered[i - 1]!.end);
    expect(ordered[ordered.length - 1]!.end).toBe(5000);
  });

  it('lanes never share a wallet and a wallet comes round only after a full lap', () => {
    const slice = partitionWallets(5000).entry;
    const seen = new Map<number, number>();
    const lanes = 2;
    for (let lane = 0; lane < lanes; lane++) {
      for (let i = 0; i < laneSize(slice, lanes); i++) {
        const idx = walletIndex(slice, i, lane, lanes);
        expect(idx).toBeGreaterThanOrEqual(slice.start);
        expect(idx).toBeLessThan(slice.end);
        expect(seen.has(idx)).toBe(false);
        seen.set(idx, lane);
      }
    }
    expect(walletIndex(slice, laneSize(slice, lanes), 1, lanes)).toBe(walletIndex(slice, 0, 1, lanes));
  });

  it.each(['pilot', 'festival-day', 'peak', 'soak', 'breakpoint'] as const)('%s fits the 5,000-wallet seed with 3 wallets per concurrent iteration', (name) => {
    const slices = partitionWallets(5000);
    const p = PROFILES[name];
    const lanes = { entry: p.behaviour.doors, concession: p.behaviour.terminals, reentry: 1, funding: 1 };
    for (const w of ['entry', 'concession', 'reentry', 'funding'] as const) {
      for (const scenario of SCENARIO_NAMES) {
        const shape = p.scenarios[scenario][w];
        if (shape) expect(laneSize(slices[w], lanes[w]), `${scenario}/${w}`).toBeGreaterThanOrEqual(3 * maxConcurrency(shape));
      }
    }
  });
});
