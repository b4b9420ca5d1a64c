// `moshpit bench`: the suite's own speed and scale against references measured in the same run
// (bench/README.md). Prints a table; writes results/bench/<timestamp>.json.
import { parseArgs } from 'node:util';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';

// Kept in step with bench/harness/types.ts (not imported: stack/paths.ts must not load before
// MOSHPIT_CLUSTER_ID is set below).
const NAMES = ['bundle', 'seeding', 'load-generator', 'open-model', 'capacity', 'validation'];

const usage = `usage: moshpit bench [options]

Measures the suite's own speed and scale, each figure as a ratio against a reference measured
in the same run on this machine (absolute times on a shared machine are noise):
  bundle          esbuild build time and size: the Artillery processor, the k6 bundle per scenario
  seeding         seed() wallets/s (1,000,000 + fixtures) vs pgbench -i rows/s; 10k -> 100k -> 1M growth
  validation      all checkers over 1M wallets / 10M ledger rows vs one count(*) seq scan; growth
  load-generator  engine CPU per request and peak RSS: our flows on Artillery vs a bare Artillery
                  script vs a plain undici loop (open model and closed loop); k6 rows only with
                  your own k6 (K6_BINARY or PATH), otherwise listed as skipped with the reason
  open-model      schedule fidelity: achieved / scheduled per workload of the full scenario at
                  1x and 10x pilot, dropped counts, the 2,000-user crowd held and its memory
  capacity        highest order rate with concession p95 < 800 ms vs pgbench TPC-B-like tps

Load runs on the default engine (Artillery, installed by npm install) against the reference
target on 127.0.0.1. moshpit never downloads or builds k6 (AGPL-3.0).

Runs on a private PostgreSQL cluster of its own (MOSHPIT_CLUSTER_ID=bench, 127.0.0.1; stopped
again if this run started it), never on the stack's or the tests' data. The default full run
takes about 20-25 minutes on 2 cores with the validation datasets kept (about 13 more the
first time: it builds the 1M-wallet validation dataset, then keeps it); --quick takes 2-4
minutes (tiny sizes: it proves the harness works, its figures mean nothing).

options:
  --only a,b          run only these benchmarks (${NAMES.join(', ')})
  --skip a,b          run all but these
  --quick             tiny sizes and short windows
  --repeat N          samples per measurement (median shown with its range; default 3, --quick 1)
  --database-url URL  create the bench's databases (mpbench_*) on this PostgreSQL server instead
  --out DIR           where <timestamp>.json goes (default results/bench)
  --fresh-data        rebuild the validation datasets the private cluster keeps between runs
                      (generating 1M wallets / 10M ledger rows takes ~13 minutes; they are
                      rebuilt by themselves when the schema or the generator changes)
  --keep              keep the scratch directory, the bench databases and the cluster
  --json              print the JSON report instead of the table`;

function list(raw: string | undefined, flag: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !NAMES.includes(n));
  if (unknown.length > 0) throw new UsageError(`${flag}: unknown benchmark(s) ${unknown.join(', ')}; known: ${NAMES.join(', ')}`);
  if (names.length === 0) throw new UsageError(`${flag} needs at least one benchmark name`);
  return names;
}

const command: Command = {
  summary: 'benchmark the suite (seeding, validation, load-generator cost, schedule fidelity, capacity, bundles) against same-run references',
  usage,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
          only: { type: 'string' },
          skip: { type: 'string' },
          quick: { type: 'boolean' },
          repeat: { type: 'string' },
          'database-url': { type: 'string' },
          out: { type: 'string' },
          keep: { type: 'boolean' },
          'fresh-data': { type: 'boolean' },
          json: { type: 'boolean' },
        },
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const only = list(values.only, '--only');
    const skip = list(values.skip, '--skip');
    if (only && skip) throw new UsageError('use --only or --skip, not both');
    let repeat: number | undefined;
    if (values.repeat !== undefined) {
      repeat = Number(values.repeat);
      if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new UsageError(`--repeat must be an integer from 1 to 20, got '${values.repeat}'`);
    }
    const databaseUrl = values['database-url'];
    if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new UsageError(`--database-url must be a postgres:// URL`);

    // The private cluster is keyed by the checkout id, read once when stack/paths.ts loads:
    // set it before anything from stack/ is imported.
    if (!databaseUrl) process.env.MOSHPIT_CLUSTER_ID = 'bench';
    const { runBench, formatTable, formatMachine, BENCHMARK_NAMES } = await import('../../bench/index.js');
    const selected = (only ?? BENCHMARK_NAMES.filter((n) => !(skip ?? []).includes(n))) as typeof BENCHMARK_NAMES[number][];
    const report = await runBench({ quick: values.quick ?? false, only: selected, repeat, databaseUrl, outDir: values.out, keep: values.keep ?? false, freshData: values['fresh-data'] ?? false });
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`\n${formatTable(report)}\n\n${formatMachine(report)}\nwritten: ${report.file}\n`);
    return report.results.every((r) => r.ok) ? 0 : 1;
  },
};

export default command;
