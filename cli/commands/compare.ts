// `moshpit compare <runA> <runB>`: what changed from A (baseline) to B, regressions first.
// `moshpit compare --baseline <file> [run] --max-regression 10%`: the CI gate on p95s and error rates.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT } from '../../core/exit-codes.js';
import { baselineGate, DEFAULT_BASELINE_BOUNDS, formatBaselineVerdict, parsePercent } from '../../monitoring/report/baseline-gate.js';
import { readSummaryData, type RunSummaryData } from '../../monitoring/report/summary-reader.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { compareRuns, DEFAULT_RULES } from '../../monitoring/report/compare-runs.js';
import { comparisonMarkdown, formatComparison } from '../../monitoring/report/compare-format.js';
import { readRunFiles } from '../../monitoring/report/run-files.js';
import { resolveRunDir } from '../../monitoring/report/run-lookup.js';
import { resultsDir } from '../../stack/paths.js';
import { RUN_FILES } from '../../core/results-layout.js';

const command: Command = {
  summary: 'compare two runs: p95s, error rates, throughput, thresholds, validation; regressions marked',
  usage: [
    'usage: moshpit compare <runA> <runB> [options]',
    '       moshpit compare --baseline <summary.json | run> [run] --max-regression PCT',
    '',
    'A is the baseline, B the candidate. A run is a run id under results/, a path to a run',
    'directory, `latest` or `previous` (e.g. `moshpit compare previous latest`).',
    '',
    '  --markdown            Markdown (for a CI step summary) instead of text',
    '  --json                the comparison as JSON',
    '  --all                 list every compared figure, not only what changed',
    '  --tolerance PCT       relative change that counts for latency and throughput (default 10)',
    '  --latency-ms N        ... and the least latency change that counts (default 5 ms)',
    '  --fail-on-regression  exit 99 when anything regressed',
    '',
    'Baseline gate (CI): --baseline names a summary.json file, a run directory or a run id; the',
    'candidate is the run given (default: latest). Exit 99 (as a breached load threshold) when a',
    'p95 or an error rate (http_req_failed, 1 − success_rate, 1 − checks) is worse than the',
    "baseline's by more than --max-regression (default 10%) and by more than --latency-ms",
    '(default 5 ms) or 0.1 percentage points; 0 otherwise; 2 on bad input; 1 on unreadable files.',
    '  --baseline REF        the baseline summary.json or run',
    '  --max-regression PCT  largest allowed worsening, e.g. 10%',
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
          baseline: { type: 'string' }, 'max-regression': { type: 'string' },
        },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.baseline !== undefined) return baselineCommand(values.baseline, positionals, values['max-regression'], values['latency-ms']);
    if (values['max-regression'] !== undefined) throw new UsageError('--max-regression goes with --baseline');
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
    return values['fail-on-regression'] && c.regressions.length > 0 ? EXIT.thresholds : EXIT.ok;
  },
};

/** A summary.json file, or the summary.json of a run (directory, id, latest, previous). */
function summaryPath(ref: string): string {
  if (ref.endsWith('.json')) {
    if (!existsSync(ref) || !statSync(ref).isFile()) throw new UsageError(`${ref}: no such summary file`);
    return ref;
  }
  let dir: string;
  try {
    dir = resolveRunDir(ref, resultsDir);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const path = join(dir, RUN_FILES.summary);
  if (!existsSync(path)) throw new UsageError(`${ref}: the run has no summary.json`);
  return path;
}

function readSummaryFile(path: string): RunSummaryData {
  return readSummaryData(JSON.parse(readFileSync(path, 'utf8')));
}

function baselineCommand(baselineRef: string, positionals: string[], maxRaw: string | undefined, latencyRaw: string | undefined): number {
  if (positionals.length > 1) throw new UsageError(`with --baseline give at most one run (got ${positionals.length})`);
  const maxRegression = parsePercent(maxRaw ?? '10%');
  if (maxRegression === null) throw new UsageError(`--max-regression must be a percentage like 10%, got '${maxRaw}'`);
  const minLatencyMs = latencyRaw === undefined ? DEFAULT_BASELINE_BOUNDS.minLatencyMs : Number(latencyRaw);
  if (!Number.isFinite(minLatencyMs) || minLatencyMs < 0) throw new UsageError(`--latency-ms must be a number >= 0, got '${latencyRaw}'`);
  const candidateRef = positionals[0] ?? 'latest';
  const paths = { baseline: summaryPath(baselineRef), candidate: summaryPath(candidateRef) };
  const bounds = { ...DEFAULT_BASELINE_BOUNDS, maxRegression, minLatencyMs };
  const verdict = baselineGate(readSummaryFile(paths.baseline), readSummaryFile(paths.candidate), bounds);
  process.stdout.write(formatBaselineVerdict(verdict, bounds, { baseline: baselineRef, candidate: candidateRef }));
  return verdict.ok ? EXIT.ok : EXIT.thresholds;
}
export default command;
