// `moshpit compare <runA> <runB>`: what changed from A (baseline) to B, regressions first.
import { parseArgs } from 'node:util';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { compareRuns, DEFAULT_RULES } from '../../monitoring/report/compare-runs.js';
import { comparisonMarkdown, formatComparison } from '../../monitoring/report/compare-format.js';
import { readRunFiles } from '../../monitoring/report/run-files.js';
import { resolveRunDir } from '../../monitoring/report/run-lookup.js';
import { resultsDir } from '../../stack/paths.js';

const command: Command = {
  summary: 'compare two runs: p95s, error rates, throughput, thresholds, validation; regressions marked',
  usage: [
    'usage: moshpit compare <runA> <runB> [options]',
    '',
    'A is the baseline, B the candidate. A run is a run id under results/, a path to a run',
    'directory, `latest` or `previous` (e.g. `moshpit compare previous latest`).',
    '',
    '  --markdown            Markdown (for a CI step summary) instead of text',
    '  --json                the comparison as JSON',
    '  --all                 list every compared figure, not only what changed',
    '  --tolerance PCT       relative change that counts for latency and throughput (default 10)',
    '  --latency-ms N        ... and the least latency change that counts (default 5 ms)',
    '  --fail-on-regression  exit 1 when anything regressed',
    '',
    'Regressions: a p95/p99 up by more than the tolerance and --latency-ms; a failure rate up',
    'by more than 0.1 percentage points; throughput down by more than the tolerance; dropped',
    'iterations, indeterminate writes, balance or transaction errors up; a threshold or a money',
    'checker that passed in A and fails in B.',
  ].join('\n'),
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv, strict: true, allowPositionals: true,
        options: {
          markdown: { type: 'boolean' }, json: { type: 'boolean' }, all: { type: 'boolean' },
          tolerance: { type: 'string' }, 'latency-ms': { type: 'string' }, 'fail-on-regression': { type: 'boolean' },
        },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 2) throw new UsageError(`give two runs (got ${positionals.length})`);
    const num = (name: string, raw: string | undefined, fallback: number) => {
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number >= 0, got '${raw}'`);
      return n;
    };
    const rules = {
      ...DEFAULT_RULES,
      relative: num('tolerance', values.tolerance, DEFAULT_RULES.relative * 100) / 100,
      latencyMs: num('latency-ms', values['latency-ms'], DEFAULT_RULES.latencyMs),
    };
    let dirs: string[];
    try {
      dirs = positionals.map((p) => resolveRunDir(p, resultsDir));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const c = compareRuns(readRunFiles(dirs[0]!), readRunFiles(dirs[1]!), rules);
    if (values.json) process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
    else if (values.markdown) process.stdout.write(comparisonMarkdown(c, values.all));
    else process.stdout.write(`${formatComparison(c, values.all)}\n`);
    return values['fail-on-regression'] && c.regressions.length > 0 ? 1 : 0;
  },
};
export default command;
