// moshpit seed: test wallets, catalogue, terminals, doors and the fixture files (seed/).
import { parseOptions } from '../options.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { DEFAULT_PREFIX, SeedInputError, parseWholeNumberFlag } from '../../seed/input.js';
import { resolveDatabaseUrl } from '../../seed/database-url.js';
import { seed, type SeedSummary } from '../../seed/seed.js';
import type { FestivalSettingsChange } from '../../seed/settings.js';

const usage = `usage: moshpit seed [options]

Seeds test data (every id starts with the prefix) and writes fixtures/*.json for the k6 scripts.
Re-running adds what is missing and leaves existing test rows as they are.

options:
  --wallets N             wallets to seed (default 5000; 1000000 is fine)
  --prefix P              test-data prefix (default $MOSHPIT_TEST_PREFIX or ${DEFAULT_PREFIX});
                          3+ chars of [A-Za-z0-9_-] ending in '-' or '_'
  --reset                 remove the prefix's test data first (like rollback-test-data), then seed
  --fee-bps N             set festival_settings.platform_fee_bps (250 = 2.50 %)
  --reentry-fee-cents N   set festival_settings.reentry_fee_cents
  --capacity N            set festival_settings.venue_capacity
  --database-url URL      default: $DATABASE_URL, else the running stack's database
  --fixtures-dir DIR      where the fixture files go (default fixtures/)`;

function printSummary(s: SeedSummary): void {
  const out = process.stdout;
  const inserted = s.rowsInserted;
  out.write(`seeded '${s.prefix}' into ${s.manifest.database} in ${s.seconds.toFixed(1)}s (${s.walletsPerSecond.toLocaleString('en')} wallets/s)\n`);
  if (s.reset) out.write(`  reset removed  ${s.reset.totalRows} rows (occupancy corrected by -${s.reset.occupancyCorrection})\n`);
  out.write(`  wallets        ${s.walletsInserted.toLocaleString('en')} new of ${s.walletsRequested.toLocaleString('en')} requested, ${s.walletsInFixtures.toLocaleString('en')} in fixtures\n`);
  out.write(`  catalogue      ${inserted.vendors} vendors, ${inserted.products} products, ${inserted.terminals} terminals, ${inserted.gateways} gateways new; probe wallet ${inserted.probe_wallet ? 'new' : 'kept'}\n`);
  const st = s.manifest.settings;
  out.write(`  settings       fee ${st.platform_fee_bps} bps, re-entry fee ${st.reentry_fee_cents} cents, capacity ${st.venue_capacity}${s.settingsUpdated ? ' (updated)' : ''}\n`);
  out.write(`  fixtures       ${s.fixtureFiles.join(', ')}\n`);
}

const command: Command = {
  summary: 'Seed test wallets, products, terminals and doors; write fixtures/*.json',
  usage,
  async run(argv) {
    const { values } = parseOptions({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        wallets: { type: 'string' },
        prefix: { type: 'string' },
        reset: { type: 'boolean' },
        'fee-bps': { type: 'string' },
        'reentry-fee-cents': { type: 'string' },
        capacity: { type: 'string' },
        'database-url': { type: 'string' },
        'fixtures-dir': { type: 'string' },
      },
    });
    try {
      const settings: FestivalSettingsChange = {
        platformFeeBps: parseWholeNumberFlag(values['fee-bps'], '--fee-bps'),
        reentryFeeCents: parseWholeNumberFlag(values['reentry-fee-cents'], '--reentry-fee-cents'),
        venueCapacity: parseWholeNumberFlag(values.capacity, '--capacity'),
      };
      const wallets = parseWholeNumberFlag(values.wallets, '--wallets');
      const prefix = values.prefix ?? process.env.MOSHPIT_TEST_PREFIX ?? DEFAULT_PREFIX;
      const databaseUrl = await resolveDatabaseUrl(values['database-url']);
      const summary = await seed({
        databaseUrl,
        wallets,
        prefix,
        reset: values.reset ?? false,
        settings,
        fixturesDir: values['fixtures-dir'],
        onProgress: (line) => process.stderr.write(`moshpit seed: ${line}\n`),
      });
      printSummary(summary);
      return 0;
    } catch (err) {
      if (err instanceof SeedInputError) throw new UsageError(err.message);
      throw err;
    }
  },
};

export default command;
