// The pipeline's steps, each a thin call into its own module (seed/, validate/), printing
// what a person at the console needs and writing each step's report next to the run.
import { RUN_FILES } from '../../core/results-layout.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seed } from '../../seed/index.js';
import { formatPreflight, runPreflight } from '../../validate/preflight/runner.js';
import { formatReport, runValidation } from '../../validate/index.js';
import { progress } from '../../stack/progress.js';
import { SNAPSHOT_DIR, takeSnapshot } from '../../stack/database-snapshot.js';
import { redactUrlsIn } from '../../core/redact.js';
import type { ResolvedTarget } from './resolve-target.js';

export async function seedForRun(opts: { databaseUrl: string; prefix: string; fixturesDir: string; wallets?: number; venueCapacity?: number }): Promise<void> {
  const settings = opts.venueCapacity === undefined ? undefined : { venueCapacity: opts.venueCapacity };
  const summary = await seed({ databaseUrl: opts.databaseUrl, prefix: opts.prefix, fixturesDir: opts.fixturesDir, wallets: opts.wallets ?? 5000, settings });
  progress(`seed: ${summary.walletsInFixtures} test wallets ready (${summary.walletsInserted} new) in ${summary.seconds.toFixed(1)}s`);
}

export async function preflightForRun(opts: { target: ResolvedTarget; fixturesDir: string; resultsDir: string; influxUrl?: string }): Promise<'ready' | 'not-ready' | 'money-wrong'> {
  let report;
  try {
    report = await runPreflight({
      databaseUrl: opts.target.databaseUrl,
      targetUrl: opts.target.url,
      targetKind: opts.target.kind,
      apiKey: opts.target.apiKey,
      webhookSecret: opts.target.webhookSecret,
      influxUrl: opts.influxUrl,
      fixturesDir: opts.fixturesDir,
    });
  } catch (err) {
    // A pre-flight that cannot even run is a NOT READY, never a reason to start the load.
    progress(`pre-flight could not run: ${(err as Error).message}`);
    return 'not-ready';
  }
  writeFileSync(join(opts.resultsDir, RUN_FILES.preflight), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${formatPreflight(report)}\n`);
  return report.moneyFailure ? 'money-wrong' : report.ready ? 'ready' : 'not-ready';
}

/** --snapshot: true when the copy was written (results/<run>/snapshot/), false (said why) when not. */
export async function snapshotForRun(opts: { databaseUrl: string; resultsDir: string; prefix: string }): Promise<boolean> {
  try {
    const m = await takeSnapshot(opts);
    const bytes = m.files.reduce((s, f) => s + f.bytes, 0);
    progress(`snapshot: ${m.mode} (${m.rule}), ${(bytes / 1048576).toFixed(1)} MiB in ${join(opts.resultsDir, SNAPSHOT_DIR)}`);
    return true;
  } catch (err) {
    progress(`--snapshot: the database could not be copied (${redactUrlsIn((err as Error).message)}): NOT READY, the scenario was not started`);
    return false;
  }
}

export async function validateRun(opts: { databaseUrl: string; prefix: string; runId: string; resultsDir: string }): Promise<boolean> {
  try {
    const report = await runValidation({
      databaseUrl: opts.databaseUrl,
      prefix: opts.prefix,
      runId: opts.runId,
      resultsDir: join(opts.resultsDir, '..'),
    });
    process.stdout.write(`${formatReport(report)}\n`);
    return report.ok;
  } catch (err) {
    // Money that could not be checked is not money that was right.
    progress(`validation could not run: ${(err as Error).message}`);
    return false;
  }
}
