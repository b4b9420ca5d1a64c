// Validation: the full invariant suite (runValidation(), every checker, one shared snapshot,
// concurrency as the orchestrator runs it: one per core) over a consistent festival of N wallets
// and 10·N ledger rows, generated set-based (bench/scale-dataset.ts: every checker must pass on
// it). Reference: one
// sequential scan of the same ledger (`SELECT count(*) FROM ledger`, index scans disabled so
// the plan is a (parallel) seq scan), the floor any validator must pay. Measured at each size of
// the ladder (10k -> 100k -> 1M wallets) to show how validation time grows.
import { RUN_FILES } from '../core/results-layout.js';
import { outcomeMetric } from '../core/metric-names.js';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { VALIDATED_TABLES } from '../validate/preflight/database-checks.js';
import { runValidation, validationConcurrency } from '../validate/runner.js';
import { migrationFiles } from '../stack/migrate.js';
import { migrationsDir } from '../stack/paths.js';
import { generateScaleDataset } from './scale-dataset.js';
import { figure, growthFactors, row } from './harness/stats.js';
import type { BenchDatabase } from './harness/postgres.js';
import type { Benchmark, BenchContext, Row } from './harness/types.js';

const fmt = (n: number) => n.toLocaleString('en');
const RUN_ID = 'bench'; // the generator's keys are "bench:<op>:..."

/** What k6 would have counted for the generated festival: everything acked (as run-scale-check.ts writes it). */
function writeScaleSummary(resultsDir: string, wallets: number): void {
  const counter = (count: number) => ({ type: 'counter', contains: 'default', values: { count, rate: 0 } });
  const acked: Record<string, [number, number]> = {
    order: [wallets * 7, wallets * 7 * 650],
    recharge: [wallets, wallets * 1000],
    entry: [wallets * 2, wallets * 500],
    exit: [wallets * 2, 0],
    funding_webhook: [wallets, wallets * 2000],
  };
  const metrics: Record<string, unknown> = {};
  for (const [op, [n, cents]] of Object.entries(acked)) {
    metrics[outcomeMetric(op as 'order', 'acked')] = counter(n);
    metrics[outcomeMetric(op as 'order', 'acked', 'cents')] = counter(cents);
  }
  mkdirSync(join(resultsDir, RUN_ID), { recursive: true });
  writeFileSync(join(resultsDir, RUN_ID, RUN_FILES.summary), JSON.stringify({ metrics }));
}

async function timeSeqScan(url: string): Promise<{ seconds: number; rows: number; plan: string }> {
  const c = new pg.Client({ connectionString: url, application_name: 'moshpit-bench-seqscan' });
  await c.connect();
  try {
    await c.query('SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off');
    const plan = (await c.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT count(*) FROM ledger')).rows.map((r) => r['QUERY PLAN'].trim()).join(' / ');
    const t = performance.now();
    const r = await c.query<{ n: string }>('SELECT count(*) AS n FROM ledger');
    return { seconds: (performance.now() - t) / 1000, rows: Number(r.rows[0]!.n), plan };
  } finally {
    await c.end();
  }
}

/**
 * The floor any validator must pay: one count(*) seq scan of every table validation reads, one
 * after the other on one connection (parallel workers allowed), seconds summed.
 */
async function timeAllTablesScan(url: string): Promise<{ seconds: number; perTable: Record<string, number> }> {
  const c = new pg.Client({ connectionString: url, application_name: 'moshpit-bench-seqscan' });
  await c.connect();
  try {
    await c.query('SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off');
    const perTable: Record<string, number> = {};
    let seconds = 0;
    for (const table of VALIDATED_TABLES) {
      const t = performance.now();
      await c.query(`SELECT count(*) FROM ${table}`);
      const s = (performance.now() - t) / 1000;
      perTable[table] = Math.round(s * 1000) / 1000;
      seconds += s;
    }
    return { seconds, perTable };
  } finally {
    await c.end();
  }
}

// The generator's own source: resolved next to this file so a move can't leave the hash stale.
const GENERATOR = fileURLToPath(new URL('./scale-dataset.ts', import.meta.url));

/** Names a dataset by what built it: the schema (migrations) and the generator. */
function datasetVersion(): string {
  const h = createHash('sha256').update('bench-validation-v1');
  for (const f of migrationFiles()) h.update(f).update(readFileSync(join(migrationsDir, f)));
  h.update(readFileSync(GENERATOR));
  return h.digest('hex').slice(0, 10);
}

interface SizeResult {
  wallets: number;
  ledgerRows: number;
  /** null when a dataset kept from an earlier run was reused. */
  generateSeconds: number | null;
  vacuumSeconds: number | null;
  reused: boolean;
  databaseBytes: number;
  validationSeconds: number[];
  seqScanSeconds: number[];
  seqScanPlan: string;
  allTablesScanSeconds: number[];
  allTablesScanPerTable: Record<string, number>;
  checkers: number;
  /** The slowest queries: table passes ("pass <table>") and checkers that ran their exact query. */
  slowestCheckers: Array<{ name: string; ms: number }>;
  /** Checkers settled by the single pass, of all. */
  settledBySinglePass: number;
  failures: string[];
}

async function measureSize(ctx: BenchContext, wallets: number): Promise<SizeResult> {
  let generateSeconds: number | null = null;
  let vacuumSeconds: number | null = null;
  const build = async (url: string) => {
    ctx.log(`validation: generating ${fmt(wallets)} wallets / ${fmt(wallets * 10)} ledger rows`);
    let t = performance.now();
    await generateScaleDataset(url, wallets, (line) => { if (wallets >= 1_000_000) ctx.log(`validation: ${line.trim()}`); });
    generateSeconds = (performance.now() - t) / 1000;
    // A settled database (hint bits set, visibility map, statistics), so neither side pays
    // first-read costs or races autovacuum.
    t = performance.now();
    await ctx.server.query(url, 'VACUUM ANALYZE');
    vacuumSeconds = (performance.now() - t) / 1000;
  };
  let db: BenchDatabase;
  let reused = false;
  if (ctx.reuseDatasets) {
    // Read-only and slow to build (minutes at 1M): kept in the private cluster between runs.
    const family = `mpbench_cache_validate_${wallets}_`;
    ({ db, reused } = await ctx.server.cachedDatabase(`${family}${datasetVersion()}`, family, (d) => build(d.url)));
    if (reused) ctx.log(`validation: reusing the ${fmt(wallets)}-wallet dataset ${db.name} (--fresh-data rebuilds it)`);
  } else {
    db = await ctx.server.createDatabase(`validate_${wallets}`);
    await build(db.url);
  }
  let t: number;
  try {
    const databaseBytes = Number((await ctx.server.query<{ b: string }>(db.url, 'SELECT pg_database_size(current_database()) AS b')).rows[0]!.b);
    const resultsDir = join(ctx.workDir, `validation-${wallets}`);
    writeScaleSummary(resultsDir, wallets);
    await timeSeqScan(db.url); // warm-up: same cache state for every timed pass

    const validationSeconds: number[] = [];
    const seqScanSeconds: number[] = [];
    const allTablesScanSeconds: number[] = [];
    let allTablesScanPerTable: Record<string, number> = {};
    let plan = '';
    let ledgerRows = 0;
    let checkers = 0;
    let slowest: SizeResult['slowestCheckers'] = [];
    let settledBySinglePass = 0;
    const failures = new Set<string>();
    for (let i = 0; i < ctx.repeat; i++) {
      if (i > 0 && ctx.interrupted()) break;
      const scan = await timeSeqScan(db.url);
      seqScanSeconds.push(scan.seconds);
      plan = scan.plan;
      ledgerRows = scan.rows;
      const all = await timeAllTablesScan(db.url);
      allTablesScanSeconds.push(all.seconds);
      allTablesScanPerTable = all.perTable;
      ctx.log(`validation: ${fmt(wallets)} wallets, pass ${i + 1}/${ctx.repeat}: ledger count(*) ${scan.seconds.toFixed(2)} s, all tables ${all.seconds.toFixed(2)} s, validating ...`);
      t = performance.now();
      const report = await runValidation({ databaseUrl: db.url, runId: RUN_ID, resultsDir, writeFiles: false });
      validationSeconds.push((performance.now() - t) / 1000);
      checkers = report.results.length;
      for (const r of report.results) if (!r.ok) failures.add(`${r.name}: ${r.error ?? `${r.violations} violations`}`);
      const queries = [
        ...(report.passes ?? []).map((p) => ({ name: `pass ${p.name}`, ms: p.durationMs })),
        ...report.results.filter((r) => r.decidedBy !== 'single-pass').map((r) => ({ name: r.name, ms: r.durationMs })),
      ];
      slowest = queries.sort((a, b) => b.ms - a.ms).slice(0, 5);
      settledBySinglePass = report.results.filter((r) => r.decidedBy === 'single-pass').length;
    }
    return { wallets, ledgerRows, generateSeconds, vacuumSeconds, reused, databaseBytes, validationSeconds, seqScanSeconds, seqScanPlan: plan, allTablesScanSeconds, allTablesScanPerTable, checkers, slowestCheckers: slowest, settledBySinglePass, failures: [...failures] };
  } finally {
    if (!ctx.keep && !ctx.reuseDatasets) await db.drop();
  }
}

const benchmark: Benchmark = {
  name: 'validation',
  title: 'Validation: full invariant suite vs a count(*) seq scan of the ledger and of every table it reads',
  async run(ctx) {
    const { validationWallets, validationLadder } = ctx.sizes;
    const sizes = [...new Set([...validationLadder, validationWallets])].sort((a, b) => a - b);
    const results: SizeResult[] = [];
    for (const size of sizes) {
      if (results.length > 0 && ctx.interrupted()) break;
      results.push(await measureSize(ctx, size));
    }
    const rows: Row[] = [];
    for (const r of results) {
      const note = r.failures.length > 0
        ? `VALIDATION FAILED on the generated data: ${r.failures.join('; ')}`
        : `${r.checkers} checkers passed (${r.settledBySinglePass} settled by the table passes); slowest ${r.slowestCheckers.slice(0, 2).map((c) => `${c.name} ${(c.ms / 1000).toFixed(1)} s`).join(', ')}`;
      rows.push(row(`validation time, ${fmt(r.wallets)} wallets / ${fmt(r.ledgerRows)} ledger rows`, figure(r.validationSeconds, 's'), {
        label: 'count(*) seq scan of the ledger',
        figure: figure(r.seqScanSeconds, 's'),
        ratioLabel: 'validation ÷ ledger scan',
      }, note));
      rows.push(row(`validation time, ${fmt(r.wallets)} wallets / ${fmt(r.ledgerRows)} ledger rows`, figure(r.validationSeconds, 's'), {
        label: `count(*) seq scan of every table validation reads (${VALIDATED_TABLES.length}), one after another`,
        figure: figure(r.allTablesScanSeconds, 's'),
        ratioLabel: 'validation ÷ all-tables scan (× the floor)',
      }, `concurrency ${validationConcurrency()}; the floor reads each table once and computes nothing`));
    }
    const points = results.map((r) => ({ size: r.wallets, seconds: figure(r.validationSeconds, 's').value }));
    for (const g of growthFactors(points)) {
      const to = results.find((r) => r.wallets === g.to)!;
      const from = results.find((r) => r.wallets === g.from)!;
      rows.push(row(`validation time growth ${fmt(g.from)} → ${fmt(g.to)} (×${g.sizeFactor} wallets)`, figure(to.validationSeconds, 's'), {
        label: `validation time at ${fmt(g.from)}`,
        figure: figure(from.validationSeconds, 's'),
        ratioLabel: `growth (linear = ${g.sizeFactor})`,
      }, g.timeFactor <= g.sizeFactor * 1.1 ? 'linear or better' : 'worse than linear'));
    }
    return { rows, details: { sizes: results, growth: growthFactors(points) } };
  },
};

export default benchmark;
