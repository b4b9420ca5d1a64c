// The contract between the validation runner and its checkers: one checker per invariant,
// each a set-based query over one run's scope that returns a count and a few witnesses.
import type { PassName } from './single-pass/passes.js';
import type { RunSummary } from './summary.js';

/** What a validation looks at: wallets whose ids start with the prefix, and optionally one run's keys. */
export interface Scope {
  prefix: string;
  runId: string | null;
  /** LIKE pattern for wallet ids (prefix escaped, then %). */
  walletLike: string;
  /** LIKE pattern for the run's idempotency keys ("<runId>:%"), or null for no run filter. */
  runKeyLike: string | null;
}

export interface Bounds {
  /** An idempotency key still in_progress older than this is stuck. */
  stuckKeySeconds: number;
  /** A funding intent still pending older than this is orphaned; fresher ones are info. */
  pendingFundingSeconds: number;
  /** Two scans of one wallet closer than this are reported (info) as a duplicate NFC scan. */
  duplicateScanWindowSeconds: number;
}

export const DEFAULT_BOUNDS: Bounds = {
  stuckKeySeconds: 60,
  pendingFundingSeconds: 300,
  duplicateScanWindowSeconds: 2,
};

/** Anything with pg's query(); checkers never hold on to connections. */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface CheckContext {
  db: Queryable;
  scope: Scope;
  bounds: Bounds;
  /** Most witnesses a checker returns. */
  witnessLimit: number;
  /** The instant age bounds are measured from (the snapshot's now()). */
  asOf: Date;
  /** results/<run-id>/summary.json, when the run has one. */
  summary: RunSummary | null;
}

export type Witness = Record<string, unknown>;

/** What a checker's run() returns; the runner adds name, anomaly and timing. */
export interface CheckOutcome {
  violations: number;
  witnesses: Witness[];
  /** Findings that are information, not failure. */
  info?: Record<string, unknown>;
  /** Set when the checker could not apply (e.g. no summary.json); not a pass, not a failure. */
  skipped?: string;
}

/** The single-pass results a checker reads: the rows of each table pass it named. */
export interface PassResults {
  /** All rows of a pass (grouped passes return several). */
  rows(name: PassName): ReadonlyArray<Record<string, unknown>>;
  /** The one row of an ungrouped pass. */
  one(name: PassName): Record<string, unknown>;
}

/**
 * How a checker is decided from the table passes (validate/single-pass/): `decide` compares
 * counts, sums and fingerprints and returns the outcome when they settle it, or null when
 * they disagree (or cannot tell): then the checker's exact run() decides and finds witnesses.
 * A screen may only return an outcome with violations 0 (the exact query owns every finding).
 */
export interface CheckerScreen {
  passes: readonly PassName[];
  decide(p: PassResults, ctx: Omit<CheckContext, 'db'>): CheckOutcome | null;
}

export interface Checker {
  /** Stable id: CLI --only, JUnit testcase name, e2e assertions. */
  name: string;
  /** Short name of what a violation is, e.g. "negative-balance". */
  anomaly: string;
  /** One line: the invariant in words. */
  description: string;
  run(ctx: CheckContext): Promise<CheckOutcome>;
  /** Decides the checker from the single-pass table aggregates when they agree. */
  screen?: CheckerScreen;
}

export interface CheckerResult {
  name: string;
  anomaly: string;
  description: string;
  ok: boolean;
  violations: number;
  witnesses: Witness[];
  info?: Record<string, unknown>;
  skipped?: string;
  /** 'single-pass': settled by the table passes agreeing; 'exact': by the checker's own query. */
  decidedBy?: 'single-pass' | 'exact';
  /** The checker itself failed (query error, timeout): counted as not ok. */
  error?: string;
  durationMs: number;
}
