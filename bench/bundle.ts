// Bundle: esbuild build time and bundle size per scenario (build/bundle.ts buildScenario(), the
// one-shot build every `moshpit scenario` run does). No reference: the table says so.
import { buildScenario, scenarioNames } from '../build/bundle.js';
import { figure, repeat, row, single } from './harness/stats.js';
import type { Benchmark } from './harness/types.js';

const benchmark: Benchmark = {
  name: 'bundle',
  title: 'Bundle: esbuild build time and size per scenario',
  async run(ctx) {
    const rows = [];
    const details: Record<string, unknown> = {};
    for (const scenario of scenarioNames()) {
      const reports = await repeat(ctx.repeat, () => buildScenario(scenario), ctx.interrupted);
      const ms = figure(reports.map((r) => r.milliseconds), 'ms');
      const kib = single(reports[0]!.bytes / 1024, 'KiB');
      rows.push(row(`${scenario}: build time`, ms, undefined, `${reports[0]!.inputs.length} source files`));
      rows.push(row(`${scenario}: bundle size`, kib));
      details[scenario] = { milliseconds: ms.samples, bytes: reports[0]!.bytes, inputs: reports[0]!.inputs.length };
    }
    return { rows, details };
  },
};

export default benchmark;
