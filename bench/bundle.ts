// Bundle: esbuild build time and size of what the engines load. The default engine's one
// processor bundle (build/processor-bundle.ts: the flows, the port, the metrics stream, and the
// launcher that runs Artillery's runner; every `moshpit scenario` on Artillery builds it), and
// the k6 bundle of every scenario (build/bundle.ts buildScenario(); used only with the user's
// own k6). No reference: the table says so.
import { statSync } from 'node:fs';
import { buildScenario, scenarioNames } from '../build/bundle.js';
import { buildArtilleryProcessor, launcherFile } from '../build/processor-bundle.js';
import { figure, repeat, row, single } from './harness/stats.js';
import type { Benchmark } from './harness/types.js';

const benchmark: Benchmark = {
  name: 'bundle',
  title: 'Bundle: esbuild build time and size (the Artillery processor; the k6 bundle per scenario)',
  async run(ctx) {
    const rows = [];
    const details: Record<string, unknown> = {};

    const times = await repeat(ctx.repeat, async () => {
      const t = performance.now();
      const file = await buildArtilleryProcessor();
      return { ms: performance.now() - t, file };
    }, ctx.interrupted);
    const processorBytes = statSync(times[0]!.file).size;
    const launcherBytes = statSync(launcherFile).size;
    rows.push(row('Artillery processor + launcher: build time', figure(times.map((x) => x.ms), 'ms'), undefined, 'what every run on the default engine builds first'));
    rows.push(row('Artillery processor: bundle size', single(processorBytes / 1024, 'KiB'), undefined, `launcher ${(launcherBytes / 1024).toFixed(1)} KiB; undici and supabase-js load from node_modules`));
    details.artilleryProcessor = { milliseconds: times.map((x) => x.ms), bytes: processorBytes, launcherBytes };

    for (const scenario of scenarioNames()) {
      const reports = await repeat(ctx.repeat, () => buildScenario(scenario), ctx.interrupted);
      const ms = figure(reports.map((r) => r.milliseconds), 'ms');
      const kib = single(reports[0]!.bytes / 1024, 'KiB');
      rows.push(row(`${scenario}: k6 bundle build time`, ms, undefined, `${reports[0]!.inputs.length} source files`));
      rows.push(row(`${scenario}: k6 bundle size`, kib));
      details[scenario] = { milliseconds: ms.samples, bytes: reports[0]!.bytes, inputs: reports[0]!.inputs.length };
    }
    return { rows, details };
  },
};

export default benchmark;
