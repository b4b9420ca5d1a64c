// Sharded plans split the schedule exactly: every arrival and every VU goes to one shard, the
// shards' totals add up to the unsharded plan, and devices run once. And the phases carry each
// slice's exact arrivals as steady per-second rates (test/engine/artillery-arrivals.test.ts runs
// them on Artillery).
import { describe, expect, it } from 'vitest';
import { PROFILES, SCENARIO_WORKLOADS, scenarioShapes, type ProfileName, type ScenarioName } from '../../core/profiles.js';
import { artilleryProcesses, MAX_TICKER_RATE, phaseArrivals, phasesFor, plannedArrivals, shardShape, shardShare, sliceSteadyPhases, type ArtilleryPhase, type WorkloadLoad } from '../../cli/pipeline/engine/artillery-plan.js';

const loadsOf = (profile: 'smoke' | 'pilot'): WorkloadLoad[] => {
  const shapes = scenarioShapes(PROFILES[profile], 'full', { duration: 0.2, rate: 1 });
  return [
    { workload: 'entry', lanes: 2, shape: shapes.entry! },
    { workload: 'funding', lanes: 1, shape: shapes.funding! },
    { workload: 'browse', lanes: 1, shape: shapes.browse! },
    { workload: 'chaos_scanner', lanes: 1, shape: null, vus: 1, deviceSeconds: 10 },
  ];
};

const plan = (count: number, index: number, loads: WorkloadLoad[]) => artilleryProcesses({
  runId: 'r', scenario: 'full', resultsDir: '/tmp/r', targetUrl: 'http://127.0.0.1:1', processorFile: '/p.cjs', loads,
  barrierDir: '/tmp/r/b', barrierTimeoutMs: 1000, gracefulStopSeconds: 5, shard: { index, count },
});

describe('shards', () => {
  it('shardShare deals numbers out in turn, exactly', () => {
    for (const count of [1, 2, 3, 7]) {
      for (const [total, offset] of [[0, 0], [1, 0], [10, 3], [101, 17]] as const) {
        const parts = Array.from({ length: count }, (_, index) => shardShare(total, { index, count }, offset));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
      }
    }
  });

  it.each([1, 2, 3])('%i shard(s): the totals are the unsharded plan\'s, per workload', (count) => {
    for (const profile of ['smoke', 'pilot'] as const) {
      const loads = loadsOf(profile);
      const all = Array.from({ length: count }, (_, i) => plan(count, i, loads)).flat();
      for (const load of loads) {
        const whole = plannedArrivals(phasesFor(load));
        const shards = all.filter((p) => p.plan.workload === load.workload);
        expect(shards.reduce((sum, p) => sum + p.plan.plannedArrivals, 0), `${profile} ${load.workload}`).toBe(load.shape === null ? 1 : whole);
      }
      // Every process has its own stream; devices only in the first shard.
      expect(new Set(all.map((p) => p.plan.streamFile)).size).toBe(all.length);
      expect(all.filter((p) => p.plan.workload === 'chaos_scanner').map((p) => p.plan.shard.index)).toEqual([0]);
    }
  });

  it('a closed population is split VU by VU', () => {
    const shape = { executor: 'ramping-vus' as const, startVUs: 3, stages: [{ durationSeconds: 10, target: 2001 }, { durationSeconds: 10, target: 5 }] };
    const parts = [0, 1, 2].map((index) => shardShape(shape, { index, count: 3 }));
    expect(parts.map((p) => (p.executor === 'ramping-vus' ? p.startVUs : -1)).reduce((a, b) => a + b)).toBe(3);
    expect(parts.map((p) => (p.executor === 'ramping-vus' ? p.stages[0]!.target : -1)).reduce((a, b) => a + b)).toBe(2001);
  });
});

/** Arrivals per second of rate phases, by Artillery's ramp rule (null for an arrivalCount phase). */
function perSecond(phases: ArtilleryPhase[]): Array<number | null> {
  return phases.flatMap((p) => {
    if (p.pause !== undefined) return Array<number | null>(p.duration).fill(0);
    if (p.arrivalCount !== undefined) return Array<number | null>(p.duration).fill(null);
    const d = p.duration;
    return Array.from({ length: d }, (_, i) => (d === 1 ? Math.floor((p.arrivalRate! + p.rampTo!) / 2) : Math.floor(((p.rampTo! - p.arrivalRate!) / (d - 1)) * i + p.arrivalRate!)));
  });
}

describe('steady-rate phases', () => {
  it('each slice: exact total, whole seconds, rates a second apart by at most 1, no burst', () => {
    for (let seconds = 1; seconds <= 6; seconds++) {
      for (const arrivals of [...Array(80).keys(), 997, 5000, 5001, 5004, 7001]) {
        const phases = sliceSteadyPhases(seconds, arrivals);
        const at = `${arrivals} in ${seconds} s`;
        expect(plannedArrivals(phases), at).toBe(arrivals);
        expect(phases.reduce((n, p) => n + p.duration, 0), at).toBe(seconds);
        for (const p of phases) {
          expect(Number.isInteger(p.duration) && p.duration >= 1, at).toBe(true);
          if (p.arrivalRate !== undefined) {
            expect(Number.isInteger(p.arrivalRate) && Number.isInteger(p.rampTo), at).toBe(true);
            // Artillery runs a 1-s ramp's arrivals back to back: only 0 or 1 there.
            if (p.duration === 1) expect(p.arrivalRate, at).toBeLessThanOrEqual(1);
            // A 2-s step is exact; a longer ramp would round inside Artillery.
            if (p.arrivalRate !== p.rampTo) expect(p.duration, at).toBe(2);
            expect(Math.max(p.arrivalRate, p.rampTo!), at).toBeLessThanOrEqual(MAX_TICKER_RATE);
          }
        }
        const rates = perSecond(phases);
        if (rates.every((r) => r !== null)) {
          const r = rates as number[];
          expect(Math.max(...r) - Math.min(...r), at).toBeLessThanOrEqual(1);
        } else {
          // Kept on arrivalCount: a lone second of 2+ arrivals, or past the ticker's rate.
          expect(seconds === 1 || seconds === 3 || arrivals > MAX_TICKER_RATE * seconds, at).toBe(true);
        }
      }
    }
  });

  it('23 arrivals in 5 s are 5,5,5,4,4 per second; 2 are spread', () => {
    expect(sliceSteadyPhases(5, 23)).toEqual([{ duration: 3, arrivalRate: 5, rampTo: 5 }, { duration: 2, arrivalRate: 4, rampTo: 4 }]);
    expect(perSecond(sliceSteadyPhases(5, 21))).toEqual([5, 4, 4, 4, 4]);
    expect(perSecond(sliceSteadyPhases(5, 2))).toEqual([1, 0, 1, 0, 0]);
    expect(() => sliceSteadyPhases(2.5, 3)).toThrow(/whole seconds/);
  });

  it('phaseArrivals is Artillery\'s rule: 1-s ramps by their mean, longer ones period by period', () => {
    expect(phaseArrivals({ duration: 1, arrivalRate: 2, rampTo: 5 })).toBe(3);
    expect(phaseArrivals({ duration: 3, arrivalRate: 1, rampTo: 4 })).toBe(1 + 2 + 4);
    expect(phaseArrivals({ duration: 4, pause: 4 })).toBe(0);
    expect(() => phaseArrivals({ duration: 4, arrivalRate: 3 })).toThrow(/nanotimer/);
  });

  it('every profile and scenario: the same per-process totals as arrivalCount phases, sharded too', () => {
    for (const profile of Object.keys(PROFILES) as ProfileName[]) {
      for (const scenario of Object.keys(SCENARIO_WORKLOADS) as ScenarioName[]) {
        const shapes = scenarioShapes(PROFILES[profile], scenario, { duration: 0.2, rate: 3 });
        for (const [workload, shape] of Object.entries(shapes)) {
          const load: WorkloadLoad = { workload, lanes: 3, shape: shape! };
          for (const shard of [{ index: 0, count: 1 }, { index: 1, count: 3 }]) {
            const steady = phasesFor(load, shard);
            const counted = phasesFor(load, shard, 'arrival-count');
            const at = `${profile} ${scenario} ${workload} shard ${shard.index}/${shard.count}`;
            expect(plannedArrivals(steady), at).toBe(plannedArrivals(counted));
            expect(steady.reduce((n, p) => n + p.duration, 0), at).toBe(counted.reduce((n, p) => n + p.duration, 0));
            expect(counted.every((p) => p.arrivalRate === undefined), at).toBe(true);
          }
        }
      }
    }
  });

  it('devices keep their one second of arrivalCount; cloud scripts only arrivalCount', () => {
    expect(phasesFor({ workload: 'chaos_scanner', lanes: 1, shape: null, vus: 4, deviceSeconds: 10 })).toEqual([{ duration: 1, arrivalCount: 4 }]);
    const loads = loadsOf('pilot');
    const cloud = artilleryProcesses({ runId: 'r', scenario: 'full', resultsDir: '/tmp/r', targetUrl: 'http://127.0.0.1:1', processorFile: '/p.cjs', loads, barrierDir: '', barrierTimeoutMs: 0, gracefulStopSeconds: 5, phaseStyle: 'arrival-count' });
    expect(cloud.flatMap((p) => p.script.config.phases).every((p) => p.arrivalRate === undefined)).toBe(true);
    expect(cloud.map((p) => p.plan.plannedArrivals)).toEqual(plan(1, 0, loads).map((p) => p.plan.plannedArrivals));
  });
});
