// Open-model accuracy: does k6 with our bundles start the iterations the profile schedules?
// The arrival-rate scenarios (entry: 2 doors; concession: 4 terminals) run the pilot profile at
// pilot rates and at 10x pilot (MOSHPIT_RATE_SCALE), time-scaled to a short window. The
// reference is the schedule itself, integrated from core/profiles.ts with the same scales the
// bundle applies; achieved = k6's iterations, dropped = its dropped_iterations. Thresholds are
// off (--no-thresholds) so no abort cuts a window short.
import { join } from 'node:path';
import { newRunId } from '../core/run-id.js';
import type { ScenarioName } from '../core/profiles.js';
import { benchBundle, bundleEnv, openFestival } from './harness/festival.js';
import { count, runK6Bench } from './harness/k6.js';
import { schedule, walletsNeeded } from './harness/schedule.js';
import { figure, row } from './harness/stats.js';
import type { Benchmark, Row } from './harness/types.js';

const PILOT_SECONDS = 1500; // the pilot profile's single-scenario duration (25 min)

const benchmark: Benchmark = {
  name: 'open-model',
  title: 'Open-model accuracy: achieved vs scheduled arrivals (pilot and 10x pilot)',
  async run(ctx) {
    const s = ctx.sizes;
    const durationScale = s.openModelSeconds / PILOT_SECONDS;
    const scenarios = s.openModelScenarios as ScenarioName[];
    const wallets = Math.max(s.festivalWallets, ...scenarios.flatMap((sc) => s.openModelMultiples.map((m) => walletsNeeded('pilot', sc, { duration: durationScale, rate: m }))));
    const f = await openFestival(ctx, 'openmodel', wallets);
    const rows: Row[] = [];
    const runs: Array<Record<string, unknown>> = [];
    try {
      for (const multiple of s.openModelMultiples) {
        for (const scenario of scenarios) {
          if (ctx.interrupted()) break;
          const scale = { duration: durationScale, rate: multiple };
          const plan = schedule('pilot', scenario, scale);
          if (!plan.openModelOnly) throw new Error(`${scenario} has VU-based workloads: its iterations are not a schedule`);
          const samples: Array<{ achieved: number; dropped: number; exitCode: number }> = [];
          for (let i = 0; i < ctx.repeat; i++) {
            if (i > 0 && ctx.interrupted()) break;
            ctx.log(`open-model: ${scenario} at ${multiple}x pilot, ${plan.seconds} s window, ${plan.iterations.toFixed(0)} iterations scheduled (${i + 1}/${ctx.repeat}) ...`);
            const runId = newRunId(`bench-om-${scenario}`);
            const run = await runK6Bench({
              k6Path: ctx.k6.path,
              script: await benchBundle(ctx, scenario),
              outDir: ctx.workDir,
              args: ['--no-thresholds'],
              env: bundleEnv(f, 'pilot', runId, join(ctx.workDir, runId), { MOSHPIT_DURATION_SCALE: String(durationScale), MOSHPIT_RATE_SCALE: String(multiple) }),
              timeoutMs: (plan.seconds + 180) * 1000,
            });
            if (!run.summary) throw new Error(`${scenario} at ${multiple}x: k6 exited ${run.exitCode} without a summary:\n${run.outputTail.slice(-2000)}`);
            samples.push({ achieved: count(run, 'iterations'), dropped: count(run, 'dropped_iterations'), exitCode: run.exitCode });
          }
          const achieved = figure(samples.map((x) => x.achieved), 'iterations');
          const dropped = samples.map((x) => x.dropped);
          rows.push(row(`${scenario} at ${multiple}× pilot: iterations in ${plan.seconds} s`, achieved, {
            label: `scheduled (${(plan.iterations / plan.seconds).toFixed(2)}/s)`,
            figure: figure([plan.iterations], 'iterations'),
            ratioLabel: 'achieved ÷ scheduled',
          }, `achieved ${(achieved.value / plan.seconds).toFixed(2)}/s; dropped ${dropped.join(', ')}`));
          runs.push({ scenario, multiple, scheduled: plan.iterations, seconds: plan.seconds, samples });
        }
      }
    } finally {
      await f.close();
    }
    return { rows, details: { wallets, durationScale, runs } };
  },
};

export default benchmark;
