// The validation report: what runValidation returns and validation.json holds.
import type { Bounds, CheckerResult } from '../types.js';

export interface ValidationReport {
  /** passed: no violations and no checker errors; skipped checkers do not fail a run. */
  ok: boolean;
  verdict: string;
  runId: string | null;
  prefix: string;
  /** Database URL without credentials. */
  database: string;
  /** The snapshot instant all checkers read. */
  asOf: string;
  /** 'shared': every checker read one exported snapshot; 'per-checker': each its own. */
  snapshot: 'shared' | 'per-checker';
  summaryFile: string | null;
  bounds: Bounds;
  startedAt: string;
  durationMs: number;
  counts: { checkers: number; passed: number; failed: number; errors: number; skipped: number; violations: number };
  results: CheckerResult[];
  /** The single-pass table aggregates that ran (validate/single-pass/), with their timings. */
  passes?: Array<{ name: string; durationMs: number; error?: string }>;
  files?: { json: string; junit: string };
}
