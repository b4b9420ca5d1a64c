// bottlenecks.json: where a run's time went, recorded between the load's start and its end
// (monitoring/bottleneck/recorder.ts) and read by the report (monitoring/report/bottleneck-section.ts).
// Every part says whether it could be measured, and if not, why: a missing part is never silent.

export type Unavailable = { available: false; reason: string };

export interface StatementRow {
  /** Normalised text (constants replaced by $n), cut to 300 characters. */
  query: string;
  /** false: run inside a function (the stored procedures), true: sent by a client. */
  toplevel: boolean;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  /** Share of the run's top-level execution time (nested statements are part of their caller's). */
  shareOfTotal: number | null;
}

export type StatementsPart = Unavailable | {
  available: true;
  /** reset: pg_stat_statements_reset() at load start (our own cluster); snapshot: difference from a copy taken then (a user's database, whose statistics are never wiped). */
  mode: 'reset' | 'snapshot';
  /** Top-level execution time of every statement in the run, ms. */
  totalMs: number;
  statements: number;
  byTotalTime: StatementRow[];
  byMeanTime: StatementRow[];
  byCalls: StatementRow[];
  /** Monitoring's own queries (statistics views) are left out. */
  excluded: string;
};

export interface LockWaitRow {
  relation: string;
  locktype: string;
  waitEvent: string;
  /** Samples in which at least one backend waited here. */
  samples: number;
  maxWaiting: number;
  /** Waiting backends summed over samples × the interval: an estimate of the time spent waiting. */
  waitSeconds: number;
}

export type LockWaitsPart = Unavailable | { available: true; intervalMs: number; samples: number; byRelation: LockWaitRow[] };

export type PoolPart = Unavailable | {
  available: true;
  size: number;
  seconds: number;
  inUseMax: number;
  inUseAvg: number;
  waitingMax: number;
  /** Seconds in which a request waited for a pooled connection (every connection busy). */
  saturatedSeconds: number;
};

export interface TableScanRow {
  table: string;
  seqScans: number;
  seqRowsRead: number;
  indexScans: number;
  liveRows: number;
  /** liveRows >= largeTableRows: a sequential scan here is a missing or unused index. */
  large: boolean;
}

export type SeqScansPart = Unavailable | { available: true; largeTableRows: number; tables: TableScanRow[] };

export interface ProcessGroupSummary {
  /** Distinct processes seen (PostgreSQL: the postmaster and its backends). */
  processes: number;
  cpuSeconds: number;
  /** Percent of one core: 100 = one core busy all the time. */
  cpuPercentAvg: number;
  cpuPercentMax: number;
  rssPeakMiB: number;
}

export type ResourcesPart = Unavailable | {
  available: true;
  intervalMs: number;
  groups: Record<string, ProcessGroupSummary>;
  /** Groups that could not be sampled, with why (e.g. a remote database). */
  missing: Record<string, string>;
};

export interface BottleneckFile {
  version: 1;
  window: { startMs: number; endMs: number };
  statements: StatementsPart;
  lockWaits: LockWaitsPart;
  pool: PoolPart;
  seqScans: SeqScansPart;
  resources: ResourcesPart;
}

/** resource-usage.json: the sampled series behind the report's CPU/RSS plot. */
export interface ResourceSeriesFile {
  version: 1;
  intervalMs: number;
  startMs: number;
  groups: Record<string, Array<{ tMs: number; cpuPercent: number | null; rssMiB: number }>>;
}
