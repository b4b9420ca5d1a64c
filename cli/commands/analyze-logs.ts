// `moshpit analyze-logs`: the target's JSON-lines request log → error rate and p95 per endpoint,
// failures by code, wallet mismatches, a time series per minute (monitoring/log-analyzer).
import { RUN_FILES } from '../../core/results-layout.js';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions } from '../options.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { analyzeRequestLog, type LogAnalysis } from '../../monitoring/log-analyzer/analyze.js';
import { formatLogAnalysis } from '../../monitoring/log-analyzer/format.js';
import { readRunFiles } from '../../monitoring/report/run-files.js';
import { resolveRunDir } from '../../monitoring/report/run-lookup.js';
import { resultsDir, stateDir } from '../../stack/paths.js';
import { readStackState } from '../../stack/state.js';
import { REQUEST_LOG_ENV } from '../../stack/target-process.js';

const command: Command = {
  summary: 'analyze the target\'s request log: errors and p95 per endpoint, failure codes, wallet mismatches',
  usage: [
    'usage: moshpit analyze-logs [--log FILE] [--run <id|latest>] [--bucket SECONDS] [--json] [--save]',
    '',
    '  --log FILE       the JSON-lines request log (default: the embedded stack\'s,',
    '                   .moshpit/logs/target-requests.jsonl, written only when the stack was',
    '                   started with --request-log or MOSHPIT_REQUEST_LOG=on)',
    '  --run ID         only the requests during that run\'s k6 window (latest: the last run)',
    '  --bucket N       time series bucket in seconds (default 60: per minute)',
    '  --json           print the analysis as JSON',
    '  --save           with --run: write it to results/<run-id>/request-log.json (the report reads it)',
    '',
    'Error rate counts request errors (4xx other than business rejections) and server errors',
    '(5xx); rejections such as 402 insufficient_funds or 409 duplicate_entry are listed by code.',
    'Wallet mismatches: writes answered 5xx (outcome unknown to the client) and replays answered',
    'differently from their original request.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseOptions({
      args: argv, strict: true, allowPositionals: false,
      options: { log: { type: 'string' }, run: { type: 'string' }, bucket: { type: 'string' }, json: { type: 'boolean' }, save: { type: 'boolean' } },
    });
    const bucket = values.bucket === undefined ? 60 : Number(values.bucket);
    if (!Number.isInteger(bucket) || bucket < 1) throw new UsageError(`--bucket must be whole seconds >= 1, got '${values.bucket}'`);
    if (values.save && !values.run) throw new UsageError('--save needs --run');
    const stackTarget = readStackState()?.target;
    const log = values.log ?? stackTarget?.logFile ?? join(stateDir, 'logs', 'target-requests.jsonl');
    if (!existsSync(log)) {
      // The embedded target writes no request log unless asked: it costs CPU under load.
      const why = values.log !== undefined ? ''
        : stackTarget && stackTarget.logFile === null ? '; the running stack\'s target writes none'
        : '; the embedded target writes one only when asked';
      throw new UsageError(`no request log at ${log}${why}. Record one with 'moshpit stack up --request-log' ` +
        `(or ${REQUEST_LOG_ENV}=on for scenario runs; 'moshpit stack down' first if the stack is up without it), or give --log FILE`);
    }

    let window: { fromMs: number; toMs: number } | undefined;
    let runDir: string | null = null;
    if (values.run) {
      try {
        runDir = resolveRunDir(values.run, resultsDir);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const f = readRunFiles(runDir);
      const start = f.influx?.k6.startMs ?? (f.metadata ? Date.parse(f.metadata.startedAt) : NaN);
      const end = f.influx?.k6.endMs ?? (f.metadata?.finishedAt ? Date.parse(f.metadata.finishedAt) : NaN);
      if (!Number.isFinite(start) || !Number.isFinite(end)) throw new UsageError(`run ${f.runId} has no recorded start and end (metadata.json)`);
      window = { fromMs: start, toMs: end };
    }
    const analysis: LogAnalysis = await analyzeRequestLog(log, { window, bucketSeconds: bucket });
    if (values.save && runDir) writeFileSync(join(runDir, RUN_FILES.requestLog), `${JSON.stringify(analysis, null, 2)}\n`);
    process.stdout.write(values.json ? `${JSON.stringify(analysis, null, 2)}\n` : `${formatLogAnalysis(analysis)}\n`);
    return 0;
  },
};
export default command;
