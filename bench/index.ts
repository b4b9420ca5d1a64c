// `moshpit bench`: the suite's own speed and scale, each figure a ratio against a reference
// measured in the same run on the same machine and the same PostgreSQL. Prints a table and
// writes results/bench/<timestamp>.json. See bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findUserK6 } from '../build/toolchain.js';
import { resultsDir } from '../stack/paths.js';
import { installInterruptHandler, isInterrupted } from '../stack/interrupt.js';
import { loadAverage1m, machineInfo } from './harness/machine.js';
import { openBenchServer, type BenchServer } from './harness/postgres.js';
import { BENCHMARK_NAMES, type Benchmark, type BenchmarkName, type BenchmarkResult, type BenchContext, type BenchReport, type BenchSizes } from './harness/types.js';

export { BENCHMARK_NAMES, type BenchmarkName, type BenchReport } from './harness/types.js';
export { formatTable, formatMachine } from './harness/table.js';

export const FULL_SIZES: BenchSizes = {
  seedWallets: 1_000_000,
  seedLadder: [10_000, 100_000, 1_000_000],
  pgbenchScale: 10,
  validationWallets: 1_000_000,
  validationLadder: [10_000, 100_000, 1_000_000],
  festivalWallets: 20_000,
  loadGenRate: 200,
  loadGenSeconds: 15,
  closedLoopVus: 48,
  fidelityProfile: 'pilot',
  fidelitySeconds: 60,
  fidelityMultiples: [1, 10],
  crowdSeconds: 30,
  capacityRates: [25, 50, 100, 200, 400, 800],
  capacityStepSeconds: 20,
  capacityRefineSteps: 2,
  pgbenchSeconds: 20,
};

/** Tiny sizes: proves the harness end to end in a few minutes; the figures mean nothing. */
export const QUICK_SIZES: BenchSizes = {
  seedWallets: 5000,
  seedLadder: [500, 5000],
  pgbenchScale: 1,
  validationWallets: 2000,
  validationLadder: [200, 2000],
  festivalWallets: 5000,
  loadGenRate: 20,
  loadGenSeconds: 5,
  closedLoopVus: 4,
  // The smoke profile: its browsing users think 0.5-1.5 s, not the pilot's 30-90 s.
  fidelityProfile: 'smoke',
  fidelitySeconds: 5,
  fidelityMultiples: [1, 4],
  crowdSeconds: 3,
  capacityRates: [5, 10],
  capacityStepSeconds: 4,
  capacityRefineSteps: 0,
  pgbenchSeconds: 2,
};

export interface BenchOptions {
  quick?: boolean;
  only?: BenchmarkName[];
  repeat?: number;
  /** A PostgreSQL server to create the bench's databases on; default: the private bench cluster. */
  databaseUrl?: string;
  /** Where <timestamp>.json goes (default results/bench). */
  outDir?: string;
  /** Keep the scratch directory and the bench databases (and a cluster this run started). */
  keep?: boolean;
  /** Rebuild the validation datasets kept from earlier runs (private cluster only). */
  freshData?: boolean;
  /** Override single sizes (tests, experiments). */
  sizes?: Partial<BenchSizes>;
  log?: (line: string) => void;
}

const LOADERS: Record<BenchmarkName, () => Promise<{ default: Benchmark }>> = {
  bundle: () => import('./bundle.js'),
  seeding: () => import('./seeding.js'),
  validation: () => import('./validation.js'),
  'load-generator': () => import('./load-generator.js'),
  'open-model': () => import('./open-model.js'),
  capacity: () => import('./capacity.js'),
};

async function loadBenchmark(name: BenchmarkName): Promise<Benchmark> {
  return (await LOADERS[name]()).default;
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const started = new Date();
  const t0 = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`moshpit bench: ${line}\n`));
  const quick = options.quick ?? false;
  const repeat = options.repeat ?? (quick ? 1 : 3);
  const sizes: BenchSizes = { ...(quick ? QUICK_SIZES : FULL_SIZES), ...options.sizes };
  const only = options.only && options.only.length > 0 ? BENCHMARK_NAMES.filter((n) => options.only!.includes(n)) : [...BENCHMARK_NAMES];
  const keep = options.keep ?? false;

  // k6 is the user's own binary or nothing (it is AGPL: moshpit never downloads or builds it).
  let k6: { path: string; version: string } | null = null;
  let k6Missing: string | null = null;
  try {
    k6 = findUserK6();
    if (!k6) k6Missing = 'no k6 found (K6_BINARY unset, no k6 on PATH); moshpit never downloads or builds k6 (AGPL-3.0): install it through Grafana\'s channels to get these rows';
  } catch (err) {
    k6Missing = (err as Error).message.split('\n')[0]!;
  }
  if (k6Missing) log(`k6 rows will be skipped: ${k6Missing}`);
  const server: BenchServer = await openBenchServer({ databaseUrl: options.databaseUrl, log });
  const workDir = mkdtempSync(join(tmpdir(), 'moshpit-bench-'));
  const teardown = async () => {
    await server.close(keep).catch(() => {});
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  };
  const uninstall = installInterruptHandler(teardown, log);
  const results: BenchmarkResult[] = [];
  let machine;
  try {
    machine = await machineInfo({ k6: k6 ? k6.version : 'none', postgres: server.version, pgbench: server.pgbenchVersion });
    const reuseDatasets = server.kind === 'private-cluster' && !quick;
    if (reuseDatasets && options.freshData) await server.dropCached('mpbench_cache_');
    const ctx: BenchContext = { quick, repeat, sizes, server, k6, k6Missing, workDir, keep, reuseDatasets, log, interrupted: isInterrupted };
    for (const name of only) {
      if (isInterrupted()) break;
      const benchmark = await loadBenchmark(name);
      const before = loadAverage1m();
      const t = performance.now();
      log(`${benchmark.title} ...`);
      try {
        const { rows, details, skipped } = await benchmark.run(ctx);
        results.push({ name, title: benchmark.title, ok: true, seconds: (performance.now() - t) / 1000, loadAverage: { before, after: loadAverage1m() }, rows, ...(skipped?.length ? { skipped } : {}), details });
      } catch (err) {
        log(`${name} failed: ${(err as Error).message}`);
        results.push({ name, title: benchmark.title, ok: false, error: (err as Error).message, seconds: (performance.now() - t) / 1000, loadAverage: { before, after: loadAverage1m() }, rows: [], details: {} });
      }
      log(`${name}: ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
  } finally {
    uninstall();
    await teardown();
  }

  const report: BenchReport = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: (performance.now() - t0) / 1000,
    mode: quick ? 'quick' : 'full',
    repeat,
    only,
    machine,
    database: { kind: server.kind, url: server.adminUrl.replace(/:[^:@/]*@/, ':***@') },
    sizes,
    results,
  };
  const outDir = options.outDir ?? join(resultsDir, 'bench');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${timestamp(started)}${quick ? '-quick' : ''}.json`);
  report.file = file;
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
