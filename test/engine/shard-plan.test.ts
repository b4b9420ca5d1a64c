// Sharded plans split the schedule exactly: every arrival and every VU goes to one shard, the
// shards' totals add up to the unsharded plan, and devices run once.
import { describe, expect, it } from 'vitest';
import { PROFILES, scenarioShapes } from '../../core/profiles.js';
import { artilleryProcesses, phasesFor, plannedArrivals, shardShape, shardShare, type WorkloadLoad } from '../../cli/pipeline/engine/artillery-plan.js';

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
