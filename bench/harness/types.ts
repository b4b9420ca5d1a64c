// The shapes every benchmark produces and the harness prints and writes.
import type { ProfileName } from '../../core/profiles.js';
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
  /** Rows that could not run here, each with the reason (k6 rows without a user-supplied k6). */
  skipped?: Skipped[];
  /** Everything measured, for the JSON file (raw samples, key figures per run, settings). */
  details: Record<string, unknown>;
}

/** A measurement that did not run, and why (shown in the table; never silent). */
export interface Skipped {
  measure: string;
  reason: string;
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
  /** Wallets seeded for the load benchmarks (at least; more when a schedule needs them). */
  festivalWallets: number;
  /**
   * Load generator: arrivals per second and seconds of the open-model runs (our concession
   * flows on the engine against the reference target; the bare engine script and the plain
   * undici loop against the trivial loopback server), and the VUs of the closed-loop runs
   * (flows, bare script; the undici loop holds as many requests in flight).
   */
  loadGenRate: number;
  loadGenSeconds: number;
  closedLoopVus: number;
  /**
   * Schedule fidelity: the full scenario under this profile (pilot; --quick: smoke), its
   * schedule time-scaled to this many seconds (MOSHPIT_DURATION_SCALE), at these multiples of
   * its rates and VU counts (MOSHPIT_RATE_SCALE).
   */
  fidelityProfile: ProfileName;
  fidelitySeconds: number;
  fidelityMultiples: number[];
  /** The bare crowd reference (same VU count as the browsing crowd at 1x): seconds it holds. */
  crowdSeconds: number;
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
  /** The user's own k6 (K6_BINARY or PATH); null when there is none (k6 rows are skipped). */
  k6: { path: string; version: string } | null;
  /** Why there is no k6 (for the skipped rows). */
  k6Missing: string | null;
  /** Scratch directory for this run (fixtures, engine runs); removed at the end unless --keep. */
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
  run(ctx: BenchContext): Promise<{ rows: Row[]; details: Record<string, unknown>; skipped?: Skipped[] }>;
}

export interface MachineInfo {
  hostname: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  artillery: string;
  /** The user's k6 version, or "none: <why>". */
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
