// Times every checker at load-test scale. Not part of the vitest suite (minutes, GBs):
//   npx tsx test/validate/scale/run-scale-check.ts postgres://postgres@127.0.0.1:55559/postgres [wallets=1000000]
// Creates a fresh migrated database next to the server URL's, fills it with
// generate-dataset.ts, writes a matching k6 summary for run "bench", runs the validation at
// each concurrency in CONCURRENCY (default "1,4"; empty = generate only), prints the
// per-checker timings and drops the database (unless KEEP=1, which prints its URL).
import { outcomeMetric } from '../../../core/metric-names.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../../../stack/migrate.js';
import { formatReport } from '../../../validate/report/human.js';
import { runValidation } from '../../../validate/runner.js';
import { withDatabase } from '../../support/databases.js';
import { writeSummary } from '../support/validation.js';
import { generateScaleDataset } from '../../../bench/scale-dataset.js';

const [serverUrl, walletsArg] = process.argv.slice(2);
if (!serverUrl) throw new Error('usage: run-scale-check.ts <postgres server url> [wallets]');
const wallets = Number(walletsArg ?? 1_000_000);
const name = `moshpit_scale_${process.pid}`;
const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = withDatabase(serverUrl, name);
try {
  await migrate(url);
  console.log(`generating ${wallets} wallets, ${wallets * 10} ledger rows in ${name}`);
  const t = performance.now();
  await generateScaleDataset(url, wallets);
  console.log(`generated in ${((performance.now() - t) / 1000).toFixed(0)} s`);

  // What k6 would have seen: everything acked.
  const counter = (count: number) => ({ type: 'counter', contains: 'default', values: { count, rate: 0 } });
  const metrics: Record<string, unknown> = {};
  const acked: Record<string, [number, number]> = {
    order: [wallets * 7, wallets * 7 * 650], recharge: [wallets, wallets * 1000], entry: [wallets * 2, wallets * 500],
    exit: [wallets * 2, 0], funding_webhook: [wallets, wallets * 2000],
  };
  for (const [op, [count, cents]] of Object.entries(acked)) {
    metrics[outcomeMetric(op as 'order', 'acked')] = counter(count);
    metrics[outcomeMetric(op as 'order', 'acked', 'cents')] = counter(cents);
  }
  const resultsDir = mkdtempSync(join(tmpdir(), 'moshpit-scale-'));
  writeSummary(resultsDir, 'bench', { metrics });

  const levels = (process.env.CONCURRENCY ?? '1,4').split(',').filter(Boolean).map(Number);
  if (process.env.KEEP === '1') console.log(`kept: ${url} (summary in ${resultsDir})`);
  for (const concurrency of levels) {
    const report = await runValidation({ databaseUrl: url, runId: 'bench', resultsDir, concurrency });
    console.log(`\n=== concurrency ${concurrency} ===`);
    console.log(formatReport(report));
  }
} finally {
  if (process.env.KEEP !== '1') await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
