// `moshpit validate-results`: post-run money validation (validate/). Exit codes as the
// pipeline's (core/exit-codes.ts): 0 every invariant holds, 4 a checker found violations,
// 1 a checker could not run (and none found violations), 2 bad arguments.
import { resultsDir } from '../../stack/paths.js';
import { CHECKER_NAMES } from '../../validate/checkers/index.js';
import { formatReport } from '../../validate/report/human.js';
import type { ValidationReport } from '../../validate/report/types.js';
import { latestRunId } from '../../validate/results-dir.js';
import { runValidation } from '../../validate/runner.js';
import { DEFAULT_PREFIX } from '../../validate/scope.js';
import { DEFAULT_BOUNDS } from '../../validate/types.js';
import { parseOptions } from '../options.js';
import { EXIT } from '../../core/exit-codes.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { resolveDatabaseUrl } from '../pipeline/resolve-target.js';

const usage = `usage: moshpit validate-results [--run <id> | --latest] [options]

Checks that the platform kept the money right: balances, ledger, conservation, orders,
idempotency, entries, funding, audit trail, and (with a run) reconciliation against what k6
saw in results/<run-id>/summary.json. Writes results/<run-id>/validation.json and
validation-junit.xml. Exit 0 all checks pass, 4 violations found (as a scenario run exits),
1 a checker could not run, 2 bad arguments.

  --run <id>                 validate this run (narrows key checks to it, enables reconciliation)
  --latest                   validate the most recent run in results/
  --database-url <url>       default: DATABASE_URL, else the running stack's database
  --prefix <prefix>          test-data prefix (default: MOSHPIT_TEST_PREFIX or ${DEFAULT_PREFIX})
  --only <name,...>          run only these checkers
  --witnesses <n>            examples per failing checker (default 5)
  --stuck-key-after <s>      in_progress idempotency key age that counts as stuck (default ${DEFAULT_BOUNDS.stuckKeySeconds})
  --pending-funding-after <s> pending funding intent age that counts as orphaned (default ${DEFAULT_BOUNDS.pendingFundingSeconds})
  --scan-window <s>          duplicate NFC scan window, information only (default ${DEFAULT_BOUNDS.duplicateScanWindowSeconds})
  --concurrency <n>          queries running at once (default: one per core)
  --work-mem <size>          PostgreSQL work_mem per checker query (default 64MB; more is faster on big runs)
  --out <dir>                write the reports here (needed to write them without a run)
  --json                     print the report as JSON instead of text

checkers: ${CHECKER_NAMES.join(', ')}`;

function nonNegative(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got '${raw}'`);
  return n;
}

/** Violations are the money verdict (4); a checker that errored without finding any is "other error" (1). */
export function validationExit(report: ValidationReport): number {
  if (report.ok) return EXIT.ok;
  return report.results.some((r) => r.violations > 0) ? EXIT.validationFailed : EXIT.error;
}

const command: Command = {
  summary: 'validate money, entries and funding invariants after a run (exit 4 on any violation)',
  usage,
  async run(argv) {
    const { values } = parseOptions({
      args: argv,
      options: {
        run: { type: 'string' },
        latest: { type: 'boolean' },
        'database-url': { type: 'string' },
        prefix: { type: 'string' },
        only: { type: 'string' },
        witnesses: { type: 'string' },
        'stuck-key-after': { type: 'string' },
        'pending-funding-after': { type: 'string' },
        'scan-window': { type: 'string' },
        concurrency: { type: 'string' },
        'work-mem': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (values.run && values.latest) throw new UsageError('--run and --latest are exclusive');
    let runId = values.run ?? null;
    if (values.latest) {
      runId = latestRunId(resultsDir);
      if (!runId) throw new UsageError(`--latest: no runs in ${resultsDir}`);
    }
    const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = (only ?? []).filter((n) => !CHECKER_NAMES.includes(n));
    if (unknown.length) throw new UsageError(`unknown checker(s): ${unknown.join(', ')}`);
    const witnesses = nonNegative('witnesses', values.witnesses);
    if (witnesses !== undefined && !Number.isInteger(witnesses)) throw new UsageError('--witnesses must be a whole number');

    const concurrency = nonNegative('concurrency', values.concurrency);
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new UsageError('--concurrency must be a whole number >= 1');
    const workMem = values['work-mem'];
    if (workMem !== undefined && !/^\d+\s*(kB|MB|GB)$/.test(workMem)) throw new UsageError(`--work-mem must look like 64MB, got '${workMem}'`);

    const databaseUrl = resolveDatabaseUrl(values['database-url']);
    if (!databaseUrl) {
      throw new UsageError("no database to validate: pass --database-url, set DATABASE_URL, or start the stack ('moshpit stack up')");
    }
    const bounds = Object.fromEntries(
      Object.entries({
        stuckKeySeconds: nonNegative('stuck-key-after', values['stuck-key-after']),
        pendingFundingSeconds: nonNegative('pending-funding-after', values['pending-funding-after']),
        duplicateScanWindowSeconds: nonNegative('scan-window', values['scan-window']),
      }).filter(([, v]) => v !== undefined),
    );

    const report = await runValidation({
      databaseUrl,
      prefix: values.prefix ?? process.env.MOSHPIT_TEST_PREFIX ?? DEFAULT_PREFIX,
      runId,
      resultsDir,
      ...(values.out && { outDir: values.out }),
      ...(only && { checkers: only }),
      ...(witnesses !== undefined && { witnesses }),
      ...(concurrency !== undefined && { concurrency }),
      ...(workMem !== undefined && { workMem }),
      bounds,
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return validationExit(report);
  },
};
export default command;
