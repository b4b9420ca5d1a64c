// `moshpit bench`: the suite's own speed and scale, each figure a ratio against a reference
// measured in the same run on the same machine and the same PostgreSQL. Prints a table and
// writes results/bench/<timestamp>.json. See bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { K6, resolveTool } from '../build/toolchain.js';
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
  memoryVus: 2000,
  peakVus: 48,
  bareSeconds: 20,
  pilotSeconds: 60,
  openModelSeconds: 20,
  openModelMultiples: [1, 10],
  openModelScenarios: ['entry', 'concession'],
  capacityRates: [25, 50, 100, 200, 400, 800],
  capacityStepSeconds: 20,
  capacityRefineSteps: 2,
  pgbenchSeconds: 20,
};

export const QUICK_SIZES: BenchSizes = {
  seedWallets: 5000,
  seedLadder: [500, 5000],
  pgbenchScale: 1,
  validationWallets: 2000,
  validationLadder: [200, 2000],
  festivalWallets: 5000,
  memoryVus: 20,
  peakVus: 6,
  bareSeconds: 3,
  pilotSeconds: 6,
  openModelSeconds: 5,
  openModelMultiples: [1, 10],
  openModelScenarios: ['concession'],
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

  const k6 = await resolveTool(K6);
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
    machine = await machineInfo({ k6: k6.version, postgres: server.version, pgbench: server.pgbenchVersion });
    const reuseDatasets = server.kind === 'private-cluster' && !quick;
    if (reuseDatasets && options.freshData) await server.dropCached('mpbench_cache_');
    const ctx: BenchContext = { quick, repeat, sizes, server, k6, workDir, keep, reuseDatasets, log, interrupted: isInterrupted };
    for (const name of only) {
      if (isInterrupted()) break;
      const benchmark = await loadBenchmark(name);
      const before = loadAverage1m();
      const t = performance.now();
      log(`${benchmark.title} ...`);
      try {
        const { rows, details } = await benchmark.run(ctx);
        results.push({ name, title: benchmark.title, ok: true, seconds: (performance.now() - t) / 1000, loadAverage: { before, after: loadAverage1m() }, rows, details });
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
