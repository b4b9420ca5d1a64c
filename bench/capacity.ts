// Reference target capacity: the highest order rate the reference target sustains with the
// concession p95 under 800 ms (core/thresholds.ts's order SLO), load engine and target on this
// machine. A bounded, breakpoint-like step ramp: the concession workload at constant arrival
// rates (pilot profile, MOSHPIT_RATE_SCALE), one short run per step through the pipeline's load
// step on the default engine (runLoad: Artillery; p95 and counts from the merged metrics
// stream), doubling until a step fails
// (p95 >= 800 ms, or fewer than 95 % of the scheduled iterations achieved), then a few
// bisection steps between the last pass and the first failure. Reference: pgbench's built-in
// TPC-B-like transaction at the same client count the target holds against PostgreSQL (its
// connection pool, MOSHPIT_DB_POOL), on a pgbench -i database of the same PostgreSQL; and
// pgbench calling sp_process_bar_order itself on the festival's database, same client count
// (capacity-procedure.ts): the order path without HTTP and Node.
// When even the lowest step fails (a slow or busy machine), the figure is a bound, not NaN:
// "< X orders/s", X the lowest step's rate, flagged bound: 'below'.
import { quantile } from '../core/metrics-stream/histogram.js';
import { selectSeries } from '../core/metrics-stream/merge.js';
import { join } from 'node:path';
import { writeOrderScripts } from './capacity-procedure.js';
import { counterSum, runEngineLoad } from './harness/engine.js';
import { openFestival, TARGET_DB_POOL, type Festival } from './harness/festival.js';
import { walletsNeeded } from './harness/schedule.js';
import { figure, row } from './harness/stats.js';
import type { Benchmark, BenchContext, Figure } from './harness/types.js';

const PILOT_SECONDS = 1500;
const PILOT_ORDERS_PER_SECOND = 2; // 4 terminals x 30 tx/min
const P95_LIMIT_MS = 800;
const MIN_ACHIEVED = 0.95;

export interface Step {
  scheduledPerSecond: number;
  ordersPerSecond: number;
  p95Ms: number | null;
  achievedRatio: number;
  dropped: number;
  exitCode: number;
  pass: boolean;
  /** Where the CPU went, per logical order: Artillery while requests flowed, the target over the step. */
  cpu?: { engineMsPerOrder: number | null; targetMsPerOrder: number | null; requestsPerOrder: number | null };
}

async function step(ctx: BenchContext, f: Festival, ratePerSecond: number): Promise<Step> {
  const rateScale = ratePerSecond / PILOT_ORDERS_PER_SECOND;
  const durationScale = ctx.sizes.capacityStepSeconds / PILOT_SECONDS;
  const run = await runEngineLoad(ctx, f, { engine: 'artillery', scenario: 'concession', profile: 'pilot', scale: { duration: durationScale, rate: rateScale }, label: 'cap' });
  const src = run.merged.sources[0];
  const planned = run.merged.sources.reduce((n, x) => n + (typeof x.info.plannedArrivals === 'number' ? x.info.plannedArrivals : 0), 0);
  if (!src || planned === 0) throw new Error(`capacity step ${ratePerSecond}/s: no metrics stream with a plan (load exit ${run.loadExit}); see ${run.resultsDir}/engine/`);
  const seconds = ctx.sizes.capacityStepSeconds;
  const orders = ['acked', 'rejected', 'indeterminate'].reduce((n, cls) => n + counterSum(run.merged, `moshpit_order_${cls}`), 0);
  const trend = selectSeries(run.merged.metrics.get('moshpit_order_duration'), {});
  const p95Ms = trend && trend.data.k === 'trend' && trend.data.h.n > 0 ? quantile(trend.data.h, 0.95) : null;
  const iterations = run.merged.sources.reduce((n, x) => n + (typeof x.endInfo.iterations === 'number' ? x.endInfo.iterations : 0), 0) || counterSum(run.merged, 'iterations');
  const dropped = run.merged.sources.reduce((n, x) => n + (typeof x.endInfo.dropped === 'number' ? x.endInfo.dropped : 0), 0) || counterSum(run.merged, 'dropped_iterations');
  const achievedRatio = iterations / planned;
  const pass = p95Ms !== null && p95Ms < P95_LIMIT_MS && achievedRatio >= MIN_ACHIEVED;
  const perOrder = (ms: number | null) => (ms !== null && orders > 0 ? ms / orders : null);
  const c = run.engineCost;
  const cpu = {
    engineMsPerOrder: c.steadyCpuMsPerRequest !== null ? (c.steadyCpuMsPerRequest * c.requests) / Math.max(1, orders) : perOrder(c.cpuSeconds * 1000),
    targetMsPerOrder: perOrder(run.target.cpuSeconds * 1000),
    requestsPerOrder: orders > 0 ? c.requests / orders : null,
  };
  return { scheduledPerSecond: planned / seconds, ordersPerSecond: orders / seconds, p95Ms, achievedRatio, dropped, exitCode: run.loadExit, pass, cpu };
}

/**
 * What the steps say about capacity. measured: the best passing step (a higher one failed);
 * at-least: no step failed, capacity is at least that; below: even the lowest step failed,
 * capacity is under that step's scheduled rate.
 */
export interface CapacityEstimate {
  value: number;
  bound: 'measured' | 'at-least' | 'below';
  /** "12.3 orders/s", ">= 12.3 orders/s" or "< 5 orders/s" */
  text: string;
  best: Step | null;
  firstFail: Step | null;
}

export function estimateCapacity(steps: readonly Step[]): CapacityEstimate {
  if (steps.length === 0) throw new Error('capacity: no step ran (interrupted before the first)');
  const best = [...steps].filter((x) => x.pass).sort((a, b) => b.ordersPerSecond - a.ordersPerSecond)[0] ?? null;
  const failing = steps.filter((x) => !x.pass).sort((a, b) => a.scheduledPerSecond - b.scheduledPerSecond);
  const firstFail = failing[0] ?? null;
  const fmt = (n: number) => `${Number(n.toPrecision(3))} orders/s`;
  if (!best) return { value: firstFail!.scheduledPerSecond, bound: 'below', text: `< ${fmt(firstFail!.scheduledPerSecond)}`, best, firstFail };
  if (!firstFail) return { value: best.ordersPerSecond, bound: 'at-least', text: `>= ${fmt(best.ordersPerSecond)}`, best, firstFail };
  return { value: best.ordersPerSecond, bound: 'measured', text: fmt(best.ordersPerSecond), best, firstFail };
}

function stepText(x: Step): string {
  return `${x.scheduledPerSecond.toFixed(0)}/s (p95 ${x.p95Ms === null ? 'none' : `${x.p95Ms.toFixed(0)} ms`}, ${(x.achievedRatio * 100).toFixed(0)} % achieved)`;
}

export function capacityNote(e: CapacityEstimate): string {
  if (e.bound === 'below') return `${e.text}: below the lowest step; even ${stepText(e.firstFail!)} failed (lower capacityRates to measure it)`;
  const at = `p95 ${e.best!.p95Ms?.toFixed(0)} ms at ${e.best!.scheduledPerSecond.toFixed(0)}/s scheduled`;
  if (e.bound === 'at-least') return `${e.text}: ${at}; no step failed: capacity is at least this (raise capacityRates)`;
  return `${at}; first failing step: ${stepText(e.firstFail!)}`;
}

const benchmark: Benchmark = {
  name: 'capacity',
  title: 'Reference target capacity: order rate at concession p95 < 800 ms vs pgbench TPC-B-like tps and vs pgbench calling the order procedure',
  async run(ctx) {
    const s = ctx.sizes;
    const top = Math.max(...s.capacityRates);
    const wallets = Math.max(s.festivalWallets, walletsNeeded('pilot', 'concession', { duration: s.capacityStepSeconds / PILOT_SECONDS, rate: top / PILOT_ORDERS_PER_SECOND }));
    const steps: Step[] = [];
    let clients = TARGET_DB_POOL;
    const procedureTps: number[] = [];
    const procedureRuns = [];
    const f = await openFestival(ctx, 'capacity', wallets);
    try {
      clients = f.target.dbPool;
      const ms = (v: number | null | undefined) => (v === null || v === undefined ? '?' : v.toFixed(2));
      const say = (r: Step) => ctx.log(`capacity: ${r.scheduledPerSecond.toFixed(0)} orders/s scheduled -> ${r.ordersPerSecond.toFixed(1)}/s, p95 ${r.p95Ms?.toFixed(0)} ms, ${(r.achievedRatio * 100).toFixed(0)} % achieved: ${r.pass ? 'pass' : 'FAIL'} (CPU ms per order: Artillery ${ms(r.cpu?.engineMsPerOrder)}, target ${ms(r.cpu?.targetMsPerOrder)}; ${ms(r.cpu?.requestsPerOrder)} requests per order)`);
      let lastPass: number | null = null;
      let firstFail: number | null = null;
      for (const rate of [...s.capacityRates].sort((a, b) => a - b)) {
        if (ctx.interrupted()) break;
        const r = await step(ctx, f, rate);
        steps.push(r);
        say(r);
        if (r.pass) lastPass = rate;
        else {
          firstFail = rate;
          break;
        }
      }
      for (let i = 0; i < s.capacityRefineSteps && lastPass !== null && firstFail !== null && !ctx.interrupted(); i++) {
        const mid = Math.round((lastPass + firstFail) / 2);
        if (mid === lastPass || mid === firstFail) break;
        const r = await step(ctx, f, mid);
        steps.push(r);
        say(r);
        if (r.pass) lastPass = mid;
        else firstFail = mid;
      }
      // Same database, same wallets, same client count as the target's pool: the procedure alone.
      const scripts = writeOrderScripts(f.fixturesDir, f.wallets, 'k6-test-', join(ctx.workDir, 'capacity-pgbench'));
      for (let i = 0; i < ctx.repeat && steps.length > 0; i++) {
        if (ctx.interrupted()) break;
        ctx.log(`capacity: pgbench calling sp_process_bar_order, ${clients} clients x ${s.pgbenchSeconds} s (${i + 1}/${ctx.repeat})`);
        const r = await ctx.server.pgbenchRun(f.db, clients, s.pgbenchSeconds, scripts);
        procedureTps.push(r.tps);
        procedureRuns.push(r);
      }
    } finally {
      await f.close();
    }
    const estimate = estimateCapacity(steps); // before pgbench: throws if no step ran

    ctx.log(`capacity: pgbench -i -s ${s.pgbenchScale}, then TPC-B-like with ${clients} clients x ${s.pgbenchSeconds} s`);
    const { db, init } = await ctx.server.pgbenchInit(s.pgbenchScale);
    const tps: number[] = [];
    const pgbenchRuns = [];
    try {
      for (let i = 0; i < ctx.repeat; i++) {
        if (i > 0 && ctx.interrupted()) break;
        const r = await ctx.server.pgbenchRun(db, clients, s.pgbenchSeconds);
        tps.push(r.tps);
        pgbenchRuns.push(r);
      }
    } finally {
      await db.drop();
    }

    // The figure is always a number; `bound` says whether it is a measurement or a bound.
    const capacity: Figure & { bound: CapacityEstimate['bound'] } = { ...figure([estimate.value], 'orders/s'), bound: estimate.bound };
    const rows = [
      row(`highest order rate with concession p95 < ${P95_LIMIT_MS} ms`, capacity, {
        label: `pgbench TPC-B-like, ${clients} clients (scale ${s.pgbenchScale})`,
        figure: figure(tps, 'tps'),
        ratioLabel: estimate.bound === 'below' ? 'orders/s ÷ pgbench tps (upper bound)' : 'orders/s ÷ pgbench tps',
      }, capacityNote(estimate)),
    ];
    if (procedureTps.length > 0) {
      rows.push(row(`highest order rate with concession p95 < ${P95_LIMIT_MS} ms`, capacity, {
        label: `pgbench calling sp_process_bar_order directly, ${clients} clients`,
        figure: figure(procedureTps, 'orders/s'),
        ratioLabel: estimate.bound === 'below' ? 'orders/s ÷ procedure calls/s (upper bound)' : 'orders/s ÷ procedure calls/s',
      }, 'same database and wallets; no HTTP, no Node, no pool queueing, no balance reads or top-ups'));
    }
    return { rows, details: { wallets, clients, steps, capacity: { value: estimate.value, bound: estimate.bound, text: estimate.text }, pgbenchInit: init, pgbench: pgbenchRuns, procedurePgbench: procedureRuns } };
  },
};

export default benchmark;
