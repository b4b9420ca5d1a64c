// Schedule fidelity on the default engine: does Artillery, driven by moshpit's plan (one
// process per workload, core/schedule.ts), run what core/profiles.ts schedules?
// The full scenario (every workload at once: doors, terminals, re-entries, concurrent
// fundings, the browsing crowd) under the pilot profile (--quick: smoke), its festival-day
// curve time-scaled to `fidelitySeconds` (MOSHPIT_DURATION_SCALE), at 1x and 10x its rates and
// VU counts (MOSHPIT_RATE_SCALE), each on a freshly seeded database with the reference target.
// Per workload, from the run's metrics streams (bench/harness/fidelity.ts):
//   open workloads    iterations run ÷ arrivals planned, and the dropped count;
//   closed workloads  VUs held (the `vus` gauge's maximum, and its minimum over the peak
//                     plateau) ÷ the schedule's peak VU target.
// The browsing crowd's memory: the peak RSS of its Artillery process in the 1x run, against the
// bare Artillery crowd (bench/reference/bare-processor.cjs, loop mode with think time) at the same number of
// users with the same think times, against the trivial loopback server. One sample per run
// (each takes the schedule plus the longest think time to drain).
import { join } from 'node:path';
import { PROFILES, scenarioShapes, shapeDurationSeconds } from '../core/profiles.js';
import { counterSum, describeCost, runBareArtillery, runEngineLoad, startLoopback, type EngineLoadRun, type MeasuredRun } from './harness/engine.js';
import { openFestival } from './harness/festival.js';
import { workloadFidelity, type WorkloadFidelity } from './harness/fidelity.js';
import { walletsNeeded } from './harness/schedule.js';
import { figure, row } from './harness/stats.js';
import type { Benchmark, Row } from './harness/types.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const mib = (kib: number) => kib / 1024;

function fidelityRows(multiple: number, profile: string, f: WorkloadFidelity, run: EngineLoadRun): Row[] {
  const proc = run.perSource[f.source];
  const memo = proc ? `; its Artillery process: peak RSS ${mib(proc.peakRssKiB).toFixed(0)} MiB, ${proc.cpuSeconds.toFixed(1)} CPU s` : '';
  const died = f.ended ? '' : '; NO end record: the process was stopped or died (counters used)';
  const at = `full at ${multiple}× ${profile}: ${f.workload}`;
  if (f.model === 'closed') {
    const target = { label: 'peak VU target', figure: figure([f.scheduled], 'VUs'), ratioLabel: 'held ÷ target' };
    const rows = [row(`${at} (closed), VUs reached (vus gauge max)`, figure([f.achieved], 'VUs'), target,
      `${fmt(f.arrivals ?? 0)} of ${fmt(f.plannedArrivals)} VU arrivals; dropped ${f.dropped}; flow errors ${f.flowErrors}${memo}${died}`)];
    if (f.heldPlateauMin !== null && f.heldPlateauMin !== undefined) {
      rows.push(row(`${at} (closed), VUs held through the ${f.plateauSeconds}-s peak plateau (vus gauge min)`, figure([f.heldPlateauMin], 'VUs'), target,
        'the seconds where the target has been at its peak for a whole arrival slice'));
    }
    return rows;
  }
  const integral = f.profileArrivals === null ? '' : ` (profile integral ${f.profileArrivals.toFixed(1)})`;
  return [row(`${at} (open), iterations run`, figure([f.achieved], 'iterations'), {
    label: `arrivals planned${integral}`, figure: figure([f.scheduled], 'iterations'), ratioLabel: 'achieved ÷ scheduled',
  }, `dropped ${f.dropped}; ${fmt(f.arrivals ?? 0)} arrivals; flow errors ${f.flowErrors}; overran the graceful stop ${f.overran}${memo}${died}`)];
}

function runSummary(run: EngineLoadRun, fidelity: WorkloadFidelity[]) {
  const checks = run.merged.metrics.get('checks') ?? [];
  let passes = 0;
  let total = 0;
  for (const s of checks) if (s.data.k === 'rate') { passes += s.data.trues; total += s.data.n; }
  return {
    runId: run.runId, scale: run.scale, loadExit: run.loadExit, timedOut: run.timedOut, wallSeconds: Number(run.wallSeconds.toFixed(1)),
    engineCost: describeCost(run.engineCost),
    perSource: Object.fromEntries(Object.entries(run.perSource).map(([k, v]) => [k, { cpuSeconds: v.cpuSeconds, peakRssMiB: Number(mib(v.peakRssKiB).toFixed(1)), hwmSumMiB: Number(mib(v.hwmSumKiB).toFixed(1)), processes: v.processes }])),
    target: { cpuSeconds: run.target.cpuSeconds, peakRssMiB: Number(mib(run.target.peakRssKiB).toFixed(1)) },
    checks: { passes, total, rate: total ? passes / total : null },
    fidelity,
  };
}

const benchmark: Benchmark = {
  name: 'open-model',
  title: 'Schedule fidelity: achieved ÷ scheduled per workload (full scenario at 1× and 10×), the browsing crowd held and its memory',
  async run(ctx) {
    const s = ctx.sizes;
    const profile = s.fidelityProfile;
    const fullSeconds = Math.max(...Object.values(scenarioShapes(PROFILES[profile], 'full')).map((sh) => shapeDurationSeconds(sh!)));
    const durationScale = s.fidelitySeconds / fullSeconds;
    const rows: Row[] = [];
    const runs: Array<Record<string, unknown>> = [];
    let crowdRun: EngineLoadRun | null = null;
    let crowdFidelity: WorkloadFidelity | null = null;
    for (const multiple of s.fidelityMultiples) {
      if (ctx.interrupted()) break;
      const scale = { duration: durationScale, rate: multiple };
      const wallets = Math.max(s.festivalWallets, walletsNeeded(profile, 'full', scale));
      const f = await openFestival(ctx, `fidelity_${multiple}x`, wallets);
      let run: EngineLoadRun;
      try {
        ctx.log(`open-model: full scenario at ${multiple}× ${profile}, schedule scaled to ${s.fidelitySeconds} s, ${fmt(wallets)} wallets ...`);
        run = await runEngineLoad(ctx, f, { engine: 'artillery', scenario: 'full', profile, scale, label: `fid-${multiple}x` });
      } finally {
        await f.close();
      }
      const fidelity = workloadFidelity(run.merged, run.loads, run.t0Ms);
      for (const w of fidelity) rows.push(...fidelityRows(multiple, profile, w, run));
      const dropped = fidelity.reduce((n, w) => n + w.dropped, 0);
      const checks = runSummary(run, fidelity).checks;
      rows.push(row(`full at ${multiple}× ${profile}: dropped iterations, all workloads`, figure([dropped], 'iterations'), undefined,
        `flow errors ${fidelity.reduce((n, w) => n + w.flowErrors, 0)}; checks passed ${checks.rate === null ? 'n/a' : `${(checks.rate * 100).toFixed(1)} %`} (the target's answers, not the schedule); load exit ${run.loadExit}${run.timedOut ? '; DEADLINE reached' : ''}; ${run.wallSeconds.toFixed(0)} s wall`));
      rows.push(row(`full at ${multiple}× ${profile}: peak RSS of all Artillery processes (${Object.keys(run.perSource).length})`, figure([mib(run.engineCost.peakRssKiB)], 'MiB'), undefined,
        `Σ VmRSS sampled every 250 ms; ${fmt(run.engineCost.requests)} requests, ${(run.engineCost.cpuMsPerRequest ?? Number.NaN).toFixed(2)} engine CPU ms/request over the whole run (start-up included), target ${((run.target.cpuSeconds * 1000) / Math.max(1, run.engineCost.requests)).toFixed(2)}`));
      runs.push({ multiple, ...runSummary(run, fidelity), iterations: counterSum(run.merged, 'iterations') });
      if (crowdRun === null) {
        crowdRun = run;
        crowdFidelity = fidelity.find((w) => w.workload === 'browse') ?? null;
      }
    }

    // The browsing crowd's memory against the bare crowd at the same VU count.
    let bareCrowd: MeasuredRun | null = null;
    const browseProc = crowdRun && crowdFidelity ? crowdRun.perSource[crowdFidelity.source] : undefined;
    if (crowdRun && crowdFidelity && browseProc && !ctx.interrupted()) {
      const vus = crowdFidelity.targetVus ?? crowdFidelity.scheduled;
      const think = PROFILES[profile].behaviour.browseThinkSeconds;
      const loopback = await startLoopback(join(ctx.workDir, 'loopback-crowd'));
      try {
        ctx.log(`open-model: bare Artillery crowd, ${fmt(vus)} users (GET, think ${think.min}-${think.max} s), held ${s.crowdSeconds} s ...`);
        bareCrowd = await runBareArtillery(ctx, {
          label: 'crowd', url: loopback.url, serverPid: loopback.pid, mode: 'loop',
          phases: [{ duration: 2, arrivalCount: vus }], holdMs: s.crowdSeconds * 1000, think, timeoutMs: (s.crowdSeconds + 150) * 1000,
        });
      } finally {
        await loopback.stop();
      }
      if (bareCrowd.cost.requests === 0) throw new Error(`bare crowd: exited ${bareCrowd.exitCode} without a request:\n${bareCrowd.outputTail.slice(-2000)}`);
      const held = typeof bareCrowd.done?.maxActive === 'number' ? bareCrowd.done.maxActive : null;
      rows.push(row(`browsing crowd (full at ${s.fidelityMultiples[0]}× ${profile}, up to ${fmt(crowdFidelity.heldMax ?? 0)} VUs): peak RSS of its Artillery process`, figure([mib(browseProc.peakRssKiB)], 'MiB'), {
        label: `bare Artillery crowd, ${fmt(vus)} users (GET, think ${think.min}–${think.max} s), ${s.crowdSeconds} s`, figure: figure([mib(bareCrowd.cost.peakRssKiB)], 'MiB'), ratioLabel: 'flows ÷ bare',
      }, `${(browseProc.peakRssKiB / Math.max(1, crowdFidelity.heldMax ?? 1)).toFixed(0)} KiB per held VU vs ${(bareCrowd.cost.peakRssKiB / Math.max(1, held ?? vus)).toFixed(0)} bare (${held === null ? '?' : fmt(held)} held)`));
    }
    return {
      rows,
      details: {
        profile, fidelitySeconds: s.fidelitySeconds, durationScale, multiples: s.fidelityMultiples, runs,
        ...(bareCrowd ? { bareCrowd: { exitCode: bareCrowd.exitCode, wallSeconds: bareCrowd.wallSeconds, cost: describeCost(bareCrowd.cost), done: bareCrowd.done } } : {}),
      },
    };
  },
};

export default benchmark;
