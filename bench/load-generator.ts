// Load generator cost: what the engine spends per request and how much memory it holds, with
// our flows and without them, against references measured in the same run.
//
// Open model (a scenario's arrivals), at `loadGenRate` arrivals/s for `loadGenSeconds`:
//   flows      Our concession flows on the default engine exactly as `moshpit scenario` runs
//              them (runLoad: the plan, the launcher, the processor, the metrics stream),
//              against the reference target on a freshly seeded database. A loopback server
//              answering canned JSON cannot stand in for the target: the flows read balances,
//              replay idempotency keys and top up after a 402, so canned answers would fail
//              their checks and change the code they run. The target's CPU is measured and
//              reported separately, never counted as the engine's.
//   bare       The bare Artillery script (bench/reference/bare-processor.cjs) on the same
//              runner (the launcher), the same phases (steady per-second rates, as the plan
//              writes them), the same arrivals: one undici GET each on a keep-alive Agent,
//              against the trivial loopback server (bench/reference/loopback-server.mjs).
//   noop       The same script and phases, no request: Artillery's own cost of the arrivals.
//   noop-count The same arrivals as one `arrivalCount` phase (what the plan wrote before: its
//              nanotimer polls with setImmediate), no request: what that timer would cost.
//   undici     A plain undici loop (bench/reference/undici-loop.mjs), no engine: the same
//              requests at the same rate, same server.
// Closed loop (what the generator costs at saturation), `closedLoopVus` for `loadGenSeconds`:
//   flows      The concession flow, N VUs each starting the next iteration when one ends (the
//              plan, processor and launcher of the pipeline with a constant-VU shape).
//   bare       N bare VUs, each GET after GET (loop mode, no think time), loopback server.
//   undici     The undici loop unpaced, N requests in flight, as many requests as the bare run.
// k6 (the user's own binary only): the flows through runLoad on k6, and the bare k6 script
// (bench/k6/bare.js) at the same rate against the loopback server.
//
// CPU = utime + stime of every process of the engine and its descendants (threads included),
// "while requests flow" from the first whole second with requests + 1 to the last one (start-up
// and drain left out), and for the whole run. Memory = the peak of the summed VmRSS sampled
// every 250 ms (VmHWM sums in the JSON). Each sample runs every variant, interleaved.
import { join } from 'node:path';
import { sliceSteadyPhases } from '../cli/pipeline/engine/artillery-plan.js';
import { counterSum, describeCost, runBareArtillery, runBareK6, runClosedFlows, runEngineLoad, runUndiciLoop, startLoopback, type Cost, type EngineLoadRun, type MeasuredRun } from './harness/engine.js';
import { openFestival } from './harness/festival.js';
import { walletsNeeded } from './harness/schedule.js';
import { figure, row } from './harness/stats.js';
import type { Benchmark, BenchContext, Row, Skipped } from './harness/types.js';

const PILOT_SECONDS = 1500;
const PILOT_ORDERS_PER_SECOND = 2; // 4 terminals x 30 tx/min

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const two = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : String(n));

/** CPU ms per request while requests flowed; the whole run's when the window was too short. */
function steady(c: Cost): { value: number; whole: boolean } {
  if (c.steadyCpuMsPerRequest !== null && Number.isFinite(c.steadyCpuMsPerRequest)) return { value: c.steadyCpuMsPerRequest, whole: false };
  return { value: c.cpuMsPerRequest ?? Number.NaN, whole: true };
}

function plannedOf(run: EngineLoadRun): number {
  return run.merged.sources.reduce((n, s) => n + (typeof s.info.plannedArrivals === 'number' ? s.info.plannedArrivals : 0), 0);
}

type Measured = MeasuredRun & { server: { cpuSeconds: number } | null };

interface Sample {
  flows: EngineLoadRun;
  bare: Measured;
  noop: Measured;
  noopCount: Measured;
  undici: Measured;
  closedFlows: EngineLoadRun;
  closedBare: Measured;
  closedUndici: Measured;
  k6Flows?: EngineLoadRun;
  k6Bare?: Measured;
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

function measuredSummary(r: Measured) {
  return { exitCode: r.exitCode, timedOut: r.timedOut, wallSeconds: Number(r.wallSeconds.toFixed(1)), cost: describeCost(r.cost), done: r.done, serverCpuSeconds: r.server?.cpuSeconds ?? null, ...(r.exitCode !== 0 ? { outputTail: r.outputTail.slice(-2000) } : {}) };
}

function assertFlows(label: string, r: EngineLoadRun): void {
  if (r.engineCost.requests === 0) throw new Error(`${label}: the engine made no request (load exit ${r.loadExit}); see ${r.resultsDir}/engine/`);
}

function assertMeasured(label: string, r: MeasuredRun): void {
  if (r.cost.requests === 0) throw new Error(`${label}: exited ${r.exitCode} without a request:\n${r.outputTail.slice(-2000)}`);
}

async function withFestival<T>(ctx: BenchContext, label: string, wallets: number, fn: (f: Awaited<ReturnType<typeof openFestival>>) => Promise<T>): Promise<T> {
  const f = await openFestival(ctx, label, wallets);
  try {
    return await fn(f);
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
    const vus = s.closedLoopVus;
    const scale = { duration: seconds / PILOT_SECONDS, rate: rate / PILOT_ORDERS_PER_SECOND };
    const wallets = Math.max(s.festivalWallets, walletsNeeded('pilot', 'concession', scale));
    const loopback = await startLoopback(join(ctx.workDir, 'loopback'));
    const samples: Sample[] = [];
    const timeoutMs = (seconds + 120) * 1000;
    const server = { url: loopback.url, serverPid: loopback.pid };
    try {
      for (let i = 0; i < ctx.repeat; i++) {
        if (i > 0 && ctx.interrupted()) break;
        const n = `(${i + 1}/${ctx.repeat})`;
        ctx.log(`load-generator: our concession flows on Artillery, ${rate} arrivals/s for ${seconds} s, reference target ${n} ...`);
        const flows = await withFestival(ctx, `loadgen_open_${i}`, wallets, (f) => runEngineLoad(ctx, f, { engine: 'artillery', scenario: 'concession', profile: 'pilot', scale, label: 'lg-flows' }));
        assertFlows('flows on Artillery', flows);
        const planned = plannedOf(flows);
        // The plan's phases for a constant rate: the same steady per-second rates the flows ran on.
        const phases = sliceSteadyPhases(seconds, planned);
        ctx.log(`load-generator: bare Artillery script, ${fmt(planned)} arrivals in ${seconds} s, loopback server ${n} ...`);
        const bare = await runBareArtillery(ctx, { label: 'lg-bare', ...server, mode: 'open', phases, timeoutMs });
        assertMeasured('bare Artillery script', bare);
        ctx.log(`load-generator: Artillery arrivals alone (no request), same phases ${n} ...`);
        const noop = await runBareArtillery(ctx, { label: 'lg-noop', ...server, mode: 'noop', phases, timeoutMs });
        assertMeasured('Artillery arrivals alone', noop);
        ctx.log(`load-generator: Artillery arrivals alone on an arrivalCount phase ${n} ...`);
        const noopCount = await runBareArtillery(ctx, { label: 'lg-noop-count', ...server, mode: 'noop', phases: [{ duration: seconds, arrivalCount: planned }], timeoutMs });
        assertMeasured('Artillery arrivals alone (arrivalCount)', noopCount);
        ctx.log(`load-generator: plain undici loop, ${fmt(planned)} requests at ${rate}/s ${n} ...`);
        const undici = await runUndiciLoop(ctx, { ...server, count: planned, rate, concurrency: Math.max(vus, 64), timeoutMs });
        assertMeasured('undici loop', undici);

        ctx.log(`load-generator: our concession flows closed loop, ${vus} VUs, ${seconds} s, reference target ${n} ...`);
        const closedFlows = await withFestival(ctx, `loadgen_closed_${i}`, wallets, (f) => runClosedFlows(ctx, f, { scenario: 'concession', workload: 'concession', vus, seconds, label: 'lg-closed' }));
        assertFlows('closed-loop flows', closedFlows);
        ctx.log(`load-generator: bare Artillery script closed loop, ${vus} VUs, ${seconds} s ${n} ...`);
        const closedBare = await runBareArtillery(ctx, { label: 'lg-closed-bare', ...server, mode: 'loop', phases: [{ duration: 1, arrivalCount: vus }], holdMs: seconds * 1000, timeoutMs });
        assertMeasured('bare closed loop', closedBare);
        ctx.log(`load-generator: plain undici closed loop, ${fmt(closedBare.cost.requests)} requests, ${vus} in flight ${n} ...`);
        const closedUndici = await runUndiciLoop(ctx, { ...server, count: closedBare.cost.requests, rate: 0, concurrency: vus, timeoutMs });
        assertMeasured('undici closed loop', closedUndici);

        const sample: Sample = { flows, bare, noop, noopCount, undici, closedFlows, closedBare, closedUndici };
        if (ctx.k6) {
          ctx.log(`load-generator: our concession flows on k6 ${ctx.k6.version}, ${rate} arrivals/s ${n} ...`);
          sample.k6Flows = await withFestival(ctx, `loadgen_k6_${i}`, wallets, (f) => runEngineLoad(ctx, f, { engine: 'k6', k6Path: ctx.k6!.path, scenario: 'concession', profile: 'pilot', scale, label: 'lg-k6' }));
          assertFlows('flows on k6', sample.k6Flows);
          ctx.log(`load-generator: bare k6 script, ${rate} arrivals/s, loopback server ${n} ...`);
          sample.k6Bare = await runBareK6(ctx, { k6Path: ctx.k6.path, ...server, rate, seconds, maxVus: Math.max(16, rate), timeoutMs });
          assertMeasured('bare k6 script', sample.k6Bare);
        }
        samples.push(sample);
      }
    } finally {
      await loopback.stop();
    }

    const costs = (pick: (x: Sample) => Cost) => samples.map(pick);
    const cpuFig = (c: Cost[], unit = 'CPU ms/request') => figure(c.map((x) => steady(x).value), unit);
    const wholeFig = (c: Cost[]) => figure(c.map((x) => x.cpuMsPerRequest ?? Number.NaN), 'CPU ms/request');
    const rssFig = (c: Cost[]) => figure(c.map((x) => x.peakRssKiB / 1024), 'MiB');
    const flowsC = costs((x) => x.flows.engineCost);
    const bareC = costs((x) => x.bare.cost);
    const noopC = costs((x) => x.noop.cost);
    const countC = costs((x) => x.noopCount.cost);
    const undiciC = costs((x) => x.undici.cost);
    const cFlowsC = costs((x) => x.closedFlows.engineCost);
    const cBareC = costs((x) => x.closedBare.cost);
    const cUndiciC = costs((x) => x.closedUndici.cost);
    const whole = [flowsC, bareC, noopC, countC, undiciC, cFlowsC, cBareC, cUndiciC].flat().some((c) => steady(c).whole) ? '; some windows too short: whole-run figures used' : '';
    const perIteration = (runs: EngineLoadRun[]) => runs.reduce((n, r) => n + r.engineCost.requests, 0) / Math.max(1, runs.reduce((n, r) => n + counterSum(r.merged, 'iterations'), 0));
    const targetMs = (runs: EngineLoadRun[]) => figure(runs.map((r) => (r.target.cpuSeconds * 1000) / Math.max(1, r.engineCost.requests)), '').value;
    const rps = (c: Cost[]) => figure(c.map((x) => (x.steadySeconds && x.steadyRequests ? x.steadyRequests / x.steadySeconds : 0)), '').value;
    const flowsRuns = samples.map((x) => x.flows);
    const closedRuns = samples.map((x) => x.closedFlows);
    const openLabel = `${rate} arrivals/s for ${seconds} s`;
    const bareLabel = 'bare Artillery script, same arrivals and phases (loopback server)';
    const rows: Row[] = [
      row(`Artillery CPU per request while requests flow, open model: our concession flows, ${openLabel} (reference target)`, cpuFig(flowsC), { label: bareLabel, figure: cpuFig(bareC), ratioLabel: 'flows ÷ bare' },
        `${perIteration(flowsRuns).toFixed(2)} requests per arrival (orders, replays, top-ups; bare: 1); the target spent ${two(targetMs(flowsRuns))} CPU ms/request more, not counted${whole}`),
      row('Artillery CPU per arrival with no request at all, on one arrivalCount phase (its nanotimer)', cpuFig(countC, 'CPU ms/arrival'), { label: 'the same arrivals on the plan\'s steady-rate phases', figure: cpuFig(noopC, 'CPU ms/arrival'), ratioLabel: 'arrivalCount ÷ steady rate' },
        `the arrivalCount (and arrivalRate) timer polls with setImmediate (nanotimer) while it waits, the plan's rampTo phases use a setTimeout ticker; bare GET vs no request on the plan's phases: ${two(cpuFig(bareC).value)} vs ${two(cpuFig(noopC).value)} ms`),
      row(`Artillery CPU per request while requests flow: ${bareLabel}`, cpuFig(bareC), { label: `plain undici loop, same requests at ${rate}/s`, figure: cpuFig(undiciC), ratioLabel: 'bare ÷ undici' }),
      row(`Artillery CPU per request while requests flow, closed loop: our concession flows, ${vus} VUs, no think time (reference target)`, cpuFig(cFlowsC), { label: `bare Artillery script, ${vus} VUs closed loop (loopback server)`, figure: cpuFig(cBareC), ratioLabel: 'flows ÷ bare' },
        `${perIteration(closedRuns).toFixed(2)} requests per iteration; ~${fmt(rps(cFlowsC))} vs ~${fmt(rps(cBareC))} requests/s; the target spent ${two(targetMs(closedRuns))} CPU ms/request more, not counted`),
      row(`Artillery CPU per request while requests flow, closed loop: bare script, ${vus} VUs`, cpuFig(cBareC), { label: `plain undici loop, ${vus} requests in flight, as many requests`, figure: cpuFig(cUndiciC), ratioLabel: 'bare ÷ undici' }),
      row(`CPU per request, whole run (start-up and drain included), open model: our flows`, wholeFig(flowsC), { label: 'bare Artillery script, whole run', figure: wholeFig(bareC), ratioLabel: 'flows ÷ bare' },
        `engine CPU ${two(figure(flowsC.map((c) => c.cpuSeconds), 's').value)} s vs ${two(figure(bareC.map((c) => c.cpuSeconds), 's').value)} s for ${fmt(flowsC[0]!.requests)} vs ${fmt(bareC[0]!.requests)} requests; plain undici loop ${two(wholeFig(undiciC).value)} ms/request`),
      row(`peak RSS of the engine's processes, open model: our concession flows, ${openLabel}`, rssFig(flowsC), { label: bareLabel, figure: rssFig(bareC), ratioLabel: 'flows ÷ bare' },
        `Σ VmRSS sampled every 250 ms over ${flowsC[0]!.processes} process(es); Σ VmHWM ${figure(flowsC.map((c) => c.hwmSumKiB / 1024), 'MiB').value.toFixed(0)} MiB`),
      row(`peak RSS, closed loop: our concession flows, ${vus} VUs`, rssFig(cFlowsC), { label: `bare Artillery script, ${vus} VUs`, figure: rssFig(cBareC), ratioLabel: 'flows ÷ bare' }),
      row('peak RSS: bare Artillery script (open model)', rssFig(bareC), { label: 'plain undici loop', figure: rssFig(undiciC), ratioLabel: 'bare ÷ undici' }),
    ];
    const skipped: Skipped[] = [];
    const k6Samples = samples.filter((x) => x.k6Flows && x.k6Bare);
    if (k6Samples.length > 0) {
      const kf = k6Samples.map((x) => x.k6Flows!.engineCost);
      const kb = k6Samples.map((x) => x.k6Bare!.cost);
      rows.push(
        row(`k6 CPU per request while requests flow: our concession flows on k6 ${ctx.k6!.version}, ${openLabel}`, cpuFig(kf), { label: 'bare k6 script, same rate (loopback server)', figure: cpuFig(kb), ratioLabel: 'flows ÷ bare' }),
        row('k6 peak RSS: our flows on k6', rssFig(kf), { label: 'bare k6 script', figure: rssFig(kb), ratioLabel: 'flows ÷ bare' }),
        row('CPU per request while requests flow: our flows on k6', cpuFig(kf), { label: 'our flows on Artillery (same samples)', figure: cpuFig(flowsC), ratioLabel: 'k6 ÷ Artillery' }),
      );
    } else {
      const reason = `skipped: ${ctx.k6Missing ?? 'k6 runs did not complete'}`;
      for (const measure of ['k6 CPU per request: our flows on k6 vs the bare k6 script', 'k6 peak RSS: our flows on k6 vs the bare k6 script', 'CPU per request: our flows on k6 vs on Artillery']) skipped.push({ measure, reason });
    }
    return {
      rows,
      skipped,
      details: {
        rate, seconds, wallets, closedLoopVus: vus,
        runs: samples.map((x) => ({
          flows: flowsSummary(x.flows), bare: measuredSummary(x.bare), noop: measuredSummary(x.noop), noopCount: measuredSummary(x.noopCount), undici: measuredSummary(x.undici),
          closedFlows: flowsSummary(x.closedFlows), closedBare: measuredSummary(x.closedBare), closedUndici: measuredSummary(x.closedUndici),
          ...(x.k6Flows ? { k6Flows: flowsSummary(x.k6Flows) } : {}), ...(x.k6Bare ? { k6Bare: measuredSummary(x.k6Bare) } : {}),
        })),
      },
    };
  },
};

export default benchmark;
