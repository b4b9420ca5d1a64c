// Load generator cost: what the engine spends per request and how much memory it holds, with
// our flows and without them, against references measured in the same run.
//
//   flows    Our concession flows on the default engine, exactly as `moshpit scenario` runs
//            them (runLoad: the Artillery processor, the port, the metrics stream), at a fixed
//            arrival rate (the pilot's concession schedule, MOSHPIT_RATE_SCALE) against the
//            reference target on a freshly seeded database. A loopback server answering fixed
//            JSON cannot stand in for the target here: the flows read balances, replay
//            idempotency keys and top up after a 402, so canned answers would fail their
//            checks and change the code they run. The target's CPU is measured separately and
//            is not in the engine's figure.
//   bare     The bare Artillery script (bench/reference/bare-processor.cjs): same Artillery,
//            same arrival scheme (arrivalCount phases: one worker), the same arrivals at the
//            same rate, each one undici GET on a keep-alive Agent, against the trivial loopback
//            server (bench/reference/loopback-server.mjs).
//   undici   A plain undici loop (bench/reference/undici-loop.mjs), no engine: the same number
//            of requests at the same rate, at most `undiciConcurrency` in flight, same server.
//   floor    The same undici loop unpaced: a closed loop holding `undiciConcurrency` requests
//            in flight (requests share event-loop wake-ups; the least Node can spend).
//   k6       With the user's own k6 only: the same flows through runLoad on k6, and the bare
//            k6 script (bench/k6/bare.js) at the same rate against the loopback server.
// CPU = utime + stime of every process of the engine (and its descendants; threads included),
// "while requests flow" from the first whole second with requests + 1 to the last one (start-up
// and drain left out), and for the whole run. Memory = the peak of the summed VmRSS, sampled
// every 250 ms (VmHWM sums in the JSON). Repeated and interleaved (flows, bare, undici, floor).
import { join } from 'node:path';
import { counterSum, describeCost, runBareArtillery, runBareK6, runEngineLoad, runUndiciLoop, startLoopback, type Cost, type EngineLoadRun, type MeasuredRun } from './harness/engine.js';
import { openFestival } from './harness/festival.js';
import { walletsNeeded } from './harness/schedule.js';
import { figure, row } from './harness/stats.js';
import type { Benchmark, BenchContext, Row, Skipped } from './harness/types.js';

const PILOT_SECONDS = 1500;
const PILOT_ORDERS_PER_SECOND = 2; // 4 terminals x 30 tx/min

const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** CPU ms per request while requests flowed; the whole run's when the window was too short. */
function steady(c: Cost): { value: number; whole: boolean } {
  if (c.steadyCpuMsPerRequest !== null && Number.isFinite(c.steadyCpuMsPerRequest)) return { value: c.steadyCpuMsPerRequest, whole: false };
  return { value: c.cpuMsPerRequest ?? Number.NaN, whole: true };
}

function plannedOf(run: EngineLoadRun): number {
  return run.merged.sources.reduce((n, s) => n + (typeof s.info.plannedArrivals === 'number' ? s.info.plannedArrivals : 0), 0);
}

interface Sample {
  flows: EngineLoadRun;
  bare: MeasuredRun;
  undici: MeasuredRun;
  floor: MeasuredRun;
  k6Flows?: EngineLoadRun;
  k6Bare?: MeasuredRun;
}

function flowsSummary(r: EngineLoadRun) {
  const iterations = counterSum(r.merged, 'iterations');
  return {
    runId: r.runId, engine: r.engine, loadExit: r.loadExit, timedOut: r.timedOut, wallSeconds: Number(r.wallSeconds.toFixed(1)),
    plannedArrivals: plannedOf(r), iterations, requests: r.engineCost.requests, requestsPerIteration: iterations ? r.engineCost.requests / iterations : null,
    dropped: counterSum(r.merged, 'dropped_iterations'), flowErrors: counterSum(r.merged, 'moshpit_flow_errors'),
    engineCost: describeCost(r.engineCost),
    target: { cpuSeconds: r.target.cpuSeconds, cpuMsPerRequest: r.engineCost.requests ? (r.target.cpuSeconds * 1000) / r.engineCost.requests : null, peakRssMiB: r.target.peakRssKiB / 1024 },
  };
}

function measuredSummary(r: MeasuredRun & { server?: { cpuSeconds: number } | null }) {
  return { exitCode: r.exitCode, timedOut: r.timedOut, wallSeconds: Number(r.wallSeconds.toFixed(1)), cost: describeCost(r.cost), done: r.done, serverCpuSeconds: r.server?.cpuSeconds ?? null, ...(r.exitCode !== 0 ? { outputTail: r.outputTail.slice(-2000) } : {}) };
}

function assertFlows(label: string, r: EngineLoadRun): void {
  if (r.engineCost.requests === 0) throw new Error(`${label}: the engine made no request (load exit ${r.loadExit}); see ${r.resultsDir}/engine/`);
}

function assertMeasured(label: string, r: MeasuredRun): void {
  if (r.cost.requests === 0) throw new Error(`${label}: exited ${r.exitCode} without a request:\n${r.outputTail.slice(-2000)}`);
}

async function flowsRun(ctx: BenchContext, engine: 'artillery' | 'k6', i: number, wallets: number, scale: { duration: number; rate: number }): Promise<EngineLoadRun> {
  const f = await openFestival(ctx, `loadgen_${engine}_${i}`, wallets);
  try {
    return await runEngineLoad(ctx, f, { engine, k6Path: ctx.k6?.path ?? null, scenario: 'concession', profile: 'pilot', scale, label: `lg-${engine}` });
  } finally {
    await f.close();
  }
}

const benchmark: Benchmark = {
  name: 'load-generator',
  title: 'Load generator: our flows on Artillery vs a bare Artillery script vs a plain undici loop (k6 rows with the user\'s k6)',
  async run(ctx) {
    const s = ctx.sizes;
    const rate = s.loadGenRate;
    const seconds = s.loadGenSeconds;
    const scale = { duration: seconds / PILOT_SECONDS, rate: rate / PILOT_ORDERS_PER_SECOND };
    const wallets = Math.max(s.festivalWallets, walletsNeeded('pilot', 'concession', scale));
    const loopback = await startLoopback(join(ctx.workDir, 'loopback'));
    const samples: Sample[] = [];
    const timeoutMs = (seconds + 120) * 1000;
    try {
      for (let i = 0; i < ctx.repeat; i++) {
        if (i > 0 && ctx.interrupted()) break;
        const n = `(${i + 1}/${ctx.repeat})`;
        ctx.log(`load-generator: our concession flows on Artillery, ${rate} arrivals/s for ${seconds} s, reference target ${n} ...`);
        const flows = await flowsRun(ctx, 'artillery', i, wallets, scale);
        assertFlows('flows on Artillery', flows);
        const planned = plannedOf(flows);
        ctx.log(`load-generator: bare Artillery script, ${fmt(planned)} arrivals in ${seconds} s, loopback server ${n} ...`);
        const bare = await runBareArtillery(ctx, { label: 'lg-bare', url: loopback.url, serverPid: loopback.pid, mode: 'open', phases: [{ duration: seconds, arrivalCount: planned }], timeoutMs });
        assertMeasured('bare Artillery script', bare);
        ctx.log(`load-generator: plain undici loop, ${fmt(planned)} requests at ${rate}/s ${n} ...`);
        const undici = await runUndiciLoop(ctx, { url: loopback.url, serverPid: loopback.pid, count: planned, rate, concurrency: s.undiciConcurrency, timeoutMs });
        assertMeasured('undici loop', undici);
        ctx.log(`load-generator: plain undici closed loop, ${fmt(planned)} requests, ${s.undiciConcurrency} in flight ${n} ...`);
        const floor = await runUndiciLoop(ctx, { url: loopback.url, serverPid: loopback.pid, count: planned, rate: 0, concurrency: s.undiciConcurrency, timeoutMs });
        assertMeasured('undici closed loop', floor);
        const sample: Sample = { flows, bare, undici, floor };
        if (ctx.k6) {
          ctx.log(`load-generator: our concession flows on k6 ${ctx.k6.version}, ${rate} arrivals/s ${n} ...`);
          sample.k6Flows = await flowsRun(ctx, 'k6', i, wallets, scale);
          assertFlows('flows on k6', sample.k6Flows);
          ctx.log(`load-generator: bare k6 script, ${rate} arrivals/s, loopback server ${n} ...`);
          sample.k6Bare = await runBareK6(ctx, { k6Path: ctx.k6.path, url: loopback.url, serverPid: loopback.pid, rate, seconds, maxVus: Math.max(16, rate), timeoutMs });
          assertMeasured('bare k6 script', sample.k6Bare);
        }
        samples.push(sample);
      }
    } finally {
      await loopback.stop();
    }

    const cpuFig = (costs: Cost[]) => figure(costs.map((c) => steady(c).value), 'CPU ms/request');
    const wholeFig = (costs: Cost[]) => figure(costs.map((c) => c.cpuMsPerRequest ?? Number.NaN), 'CPU ms/request');
    const rssFig = (costs: Cost[]) => figure(costs.map((c) => c.peakRssKiB / 1024), 'MiB');
    const flowsC = samples.map((x) => x.flows.engineCost);
    const bareC = samples.map((x) => x.bare.cost);
    const undiciC = samples.map((x) => x.undici.cost);
    const floorC = samples.map((x) => x.floor.cost);
    const anyWhole = [...flowsC, ...bareC, ...undiciC, ...floorC].some((c) => steady(c).whole);
    const iterations = samples.reduce((n, x) => n + counterSum(x.flows.merged, 'iterations'), 0);
    const requests = samples.reduce((n, x) => n + x.flows.engineCost.requests, 0);
    const perArrival = requests / Math.max(1, iterations);
    const targetMs = samples.map((x) => (x.flows.target.cpuSeconds * 1000) / Math.max(1, x.flows.engineCost.requests));
    const maxInFlight = samples.map((x) => x.undici.done?.maxInFlight).filter((v) => typeof v === 'number');
    const flowsLabel = `our concession flows on Artillery, ${rate} arrivals/s for ${seconds} s (reference target)`;
    const bareLabel = `bare Artillery script, same arrivals (loopback server)`;
    const undiciLabel = `plain undici loop, same requests at ${rate}/s (≤ ${s.undiciConcurrency} in flight)`;
    const floorLabel = `plain undici closed loop, ${s.undiciConcurrency} in flight`;
    const rows: Row[] = [
      row(`Artillery CPU per request while requests flow: ${flowsLabel}`, cpuFig(flowsC), { label: bareLabel, figure: cpuFig(bareC), ratioLabel: 'flows ÷ bare' },
        `${perArrival.toFixed(2)} requests per arrival (orders, replays, top-ups; bare: 1); the target spent ${figure(targetMs, '').value.toFixed(2)} CPU ms/request more, not counted${anyWhole ? '; some windows too short: whole-run figures used' : ''}`),
      row(`Artillery CPU per request while requests flow: ${bareLabel}`, cpuFig(bareC), { label: undiciLabel, figure: cpuFig(undiciC), ratioLabel: 'bare ÷ undici' },
        `undici loop's most requests in flight: ${maxInFlight.join(', ') || 'n/a'}`),
      row(`same, against the floor: ${bareLabel}`, cpuFig(bareC), { label: floorLabel, figure: cpuFig(floorC), ratioLabel: 'bare ÷ floor' }),
      row(`CPU per request, whole run (Artillery start-up and drain included): flows`, wholeFig(flowsC), { label: 'bare Artillery script, whole run', figure: wholeFig(bareC), ratioLabel: 'flows ÷ bare' },
        `engine CPU ${figure(flowsC.map((c) => c.cpuSeconds), 's').value.toFixed(1)} s vs ${figure(bareC.map((c) => c.cpuSeconds), 's').value.toFixed(1)} s for ${fmt(requests / samples.length)} vs ${fmt(bareC[0]!.requests)} requests`),
      row(`CPU per request, whole run: bare Artillery script`, wholeFig(bareC), { label: 'plain undici loop, whole run', figure: wholeFig(undiciC), ratioLabel: 'bare ÷ undici' }),
      row(`peak RSS of the engine's processes: ${flowsLabel}`, rssFig(flowsC), { label: bareLabel, figure: rssFig(bareC), ratioLabel: 'flows ÷ bare' },
        `Σ VmRSS sampled every 250 ms over ${flowsC[0]!.processes} process(es); Σ VmHWM ${figure(flowsC.map((c) => c.hwmSumKiB / 1024), 'MiB').value.toFixed(0)} MiB`),
      row(`peak RSS: bare Artillery script`, rssFig(bareC), { label: 'plain undici loop', figure: rssFig(undiciC), ratioLabel: 'bare ÷ undici' }),
    ];
    const skipped: Skipped[] = [];
    const k6Samples = samples.filter((x) => x.k6Flows && x.k6Bare);
    if (k6Samples.length > 0) {
      const kf = k6Samples.map((x) => x.k6Flows!.engineCost);
      const kb = k6Samples.map((x) => x.k6Bare!.cost);
      rows.push(
        row(`k6 CPU per request while requests flow: our concession flows on k6 ${ctx.k6!.version}, ${rate} arrivals/s`, cpuFig(kf), { label: 'bare k6 script, same rate (loopback server)', figure: cpuFig(kb), ratioLabel: 'flows ÷ bare' }),
        row('k6 peak RSS: our flows on k6', rssFig(kf), { label: 'bare k6 script', figure: rssFig(kb), ratioLabel: 'flows ÷ bare' }),
        row('CPU per request while requests flow: our flows on k6', cpuFig(kf), { label: 'our flows on Artillery (same runs above)', figure: cpuFig(flowsC), ratioLabel: 'k6 ÷ Artillery' }),
      );
    } else {
      const reason = `skipped: ${ctx.k6Missing ?? 'k6 runs did not complete'}`;
      for (const measure of ['k6 CPU per request: our flows on k6 vs the bare k6 script', 'k6 peak RSS: our flows on k6 vs the bare k6 script', 'CPU per request: our flows on k6 vs on Artillery']) skipped.push({ measure, reason });
    }
    return {
      rows,
      skipped,
      details: {
        rate, seconds, wallets, undiciConcurrency: s.undiciConcurrency,
        runs: samples.map((x) => ({
          flows: flowsSummary(x.flows), bare: measuredSummary(x.bare), undici: measuredSummary(x.undici), floor: measuredSummary(x.floor),
          ...(x.k6Flows ? { k6Flows: flowsSummary(x.k6Flows) } : {}), ...(x.k6Bare ? { k6Bare: measuredSummary(x.k6Bare) } : {}),
        })),
      },
    };
  },
};

export default benchmark;
