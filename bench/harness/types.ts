// The shapes every benchmark produces and the harness prints and writes.
import type { ResolvedTool } from '../../build/toolchain.js';
import type { BenchServer } from './postgres.js';

export const BENCHMARK_NAMES = ['bundle', 'seeding', 'load-generator', 'open-model', 'capacity', 'validation'] as const;
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

/** One measured quantity: the median of its samples, with the samples kept for the spread. */
export interface Figure {
  value: number;
  unit: string;
  samples: number[];
  min: number;
  max: number;
  /** (max - min) / median, in percent; 0 for a single sample. */
  spreadPercent: number;
}

/** One line of the table: a subject figure, the reference measured in the same run, their ratio. */
export interface Row {
  measure: string;
  subject: Figure;
  /** What the reference is (e.g. "pgbench -i rows/s"); null when the row has none. */
  referenceLabel: string | null;
  reference: Figure | null;
  /** subject ÷ reference unless ratioLabel says otherwise; null without a reference. */
  ratio: number | null;
  ratioLabel: string | null;
  note?: string;
}

export interface BenchmarkResult {
  name: BenchmarkName;
  title: string;
  ok: boolean;
  error?: string;
  seconds: number;
  /** 1-minute load average when the benchmark started and ended: how busy the machine was. */
  loadAverage: { before: number; after: number };
  rows: Row[];
  /** Everything measured, for the JSON file (raw samples, k6 summaries' key figures, settings). */
  details: Record<string, unknown>;
}

/** Sizes and durations of one mode (full or --quick). */
export interface BenchSizes {
  /** Seeding: wallets of the headline measurement, and the growth ladder. */
  seedWallets: number;
  seedLadder: number[];
  /** pgbench -i scale factor of the seeding reference (100,000 pgbench_accounts rows each). */
  pgbenchScale: number;
  /** Validation: wallets of the headline dataset (10 ledger rows each), and the growth ladder. */
  validationWallets: number;
  validationLadder: number[];
  /** Wallets seeded for the k6 benchmarks. */
  festivalWallets: number;
  /** Load generator: VUs of the memory runs (2,000 = the pilot's concurrency), of the closed-loop peak runs. */
  memoryVus: number;
  peakVus: number;
  /** Seconds of the closed-loop peak runs (and of the bare memory run, plus its think time). */
  bareSeconds: number;
  /** Bundle memory run: pilot profile, its 25-minute full-festival curve scaled to this many seconds. */
  pilotSeconds: number;
  /** Open model: window seconds per run, rate multiples of the pilot, bundles. */
  openModelSeconds: number;
  openModelMultiples: number[];
  openModelScenarios: string[];
  /** Capacity: order rates (orders/s) of the ladder, seconds per step, pgbench seconds. */
  capacityRates: number[];
  capacityStepSeconds: number;
  capacityRefineSteps: number;
  pgbenchSeconds: number;
}

export interface BenchContext {
  quick: boolean;
  repeat: number;
  sizes: BenchSizes;
  server: BenchServer;
  k6: ResolvedTool;
  /** Scratch directory for this run (fixtures, k6 summaries); removed at the end unless --keep. */
  workDir: string;
  keep: boolean;
  /** Keep slow-to-build read-only datasets (validation) between runs and reuse them (private cluster only). */
  reuseDatasets: boolean;
  log(line: string): void;
  /** True once Ctrl-C was pressed: benchmarks stop between measurements. */
  interrupted(): boolean;
}

export interface Benchmark {
  name: BenchmarkName;
  title: string;
  run(ctx: BenchContext): Promise<{ rows: Row[]; details: Record<string, unknown> }>;
}

export interface MachineInfo {
  hostname: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  k6: string;
  postgres: string;
  pgbench: string;
  gitRevision: string | null;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  mode: 'full' | 'quick';
  repeat: number;
  only: BenchmarkName[];
  machine: MachineInfo;
  database: { kind: 'private-cluster' | 'server'; url: string };
  sizes: BenchSizes;
  results: BenchmarkResult[];
  file?: string;
}
