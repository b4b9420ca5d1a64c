// moshpit rollback-test-data: removes one prefix's test data (seed/rollback.ts), nothing else.
// Shows the per-table counts first and asks on a terminal; without one it needs --yes.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { describeDatabase, resolveDatabaseUrl } from '../../seed/database-url.js';
import { DEFAULT_PREFIX, SeedInputError, validatePrefix } from '../../seed/input.js';
import { previewRollback, rollbackTestData, type TableCount } from '../../seed/rollback.js';

const usage = `usage: moshpit rollback-test-data [options]

Deletes the test data of one prefix in a single transaction: wallets and everything recorded for
them (ledger, audit log, scans, orders, recharges, funding intents and their Stripe events,
idempotency keys), plus the prefix's products, terminals, gateways and vendors. Lowers
venue_state.occupancy by the deleted wallets that were inside. Nothing else is touched.

options:
  --prefix P           test-data prefix (default $MOSHPIT_TEST_PREFIX or ${DEFAULT_PREFIX})
  --yes                do not ask (required when stdin is not a terminal)
  --database-url URL   default: $DATABASE_URL, else the running stack's database`;

function formatCounts(counts: TableCount[]): string {
  return counts.filter((c) => c.rows > 0).map((c) => `  ${c.table.padEnd(20)} ${c.rows.toLocaleString('en').padStart(12)}\n`).join('');
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

const command: Command = {
  summary: 'Delete the test data of one prefix (asks first; --yes for scripts)',
  usage,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: { prefix: { type: 'string' }, yes: { type: 'boolean' }, 'database-url': { type: 'string' } },
      }));
      validatePrefix(values.prefix ?? process.env.MOSHPIT_TEST_PREFIX ?? DEFAULT_PREFIX);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const prefix = values.prefix ?? process.env.MOSHPIT_TEST_PREFIX ?? DEFAULT_PREFIX;
    const databaseUrl = await resolveDatabaseUrl(values['database-url']);
    const where = describeDatabase(databaseUrl);

    const planned = await previewRollback({ databaseUrl, prefix });
    const plannedTotal = planned.reduce((s, c) => s + c.rows, 0);
    if (plannedTotal === 0) {
      process.stdout.write(`no '${prefix}' test data in ${where}: nothing to delete\n`);
      return 0;
    }
    process.stdout.write(`'${prefix}' test data in ${where} to delete:\n${formatCounts(planned)}`);
    if (!values.yes) {
      if (!process.stdin.isTTY) {
        process.stderr.write('moshpit rollback-test-data: refusing to delete without confirmation: stdin is not a terminal; re-run with --yes\n');
        return 1;
      }
      if (!(await confirm(`Delete these ${plannedTotal.toLocaleString('en')} rows? [y/N] `))) {
        process.stdout.write('aborted: nothing deleted\n');
        return 1;
      }
    }
    try {
      const result = await rollbackTestData({ databaseUrl, prefix });
      process.stdout.write(`deleted ${result.totalRows.toLocaleString('en')} rows in one transaction:\n${formatCounts(result.deleted)}`);
      if (result.occupancyCorrection > 0) process.stdout.write(`venue occupancy lowered by ${result.occupancyCorrection} (test wallets that were inside)\n`);
      return 0;
    } catch (err) {
      if (err instanceof SeedInputError) throw new UsageError(err.message);
      throw err;
    }
  },
};

export default command;
