// Tests judge correctness, never machine speed: the latency SLOs (p95 < 500 ms ...) hold on an
// idle machine but not on a busy 2-core CI box. These overrides keep every latency rule in
// the table (so thresholds are still evaluated) at a bound no healthy run reaches; tests that
// are about latency (a slowed target must fail) pass THRESHOLDS_JSON={} to get the real SLOs.
import { latencyMetric, METRICS, TIMED_OPERATIONS } from '../../core/metric-names.js';
import { type ThresholdOverrides } from '../../core/thresholds.js';

const GENEROUS_MS = 60_000;

export const RELAXED_LATENCY: ThresholdOverrides = Object.fromEntries([
  ...TIMED_OPERATIONS.map((op) => [latencyMetric(op), [`p(95)<${GENEROUS_MS}`, `p(99)<${GENEROUS_MS}`]]),
  [METRICS.fundingE2e, [`avg<=${GENEROUS_MS}`]],
]);

export const RELAXED_LATENCY_JSON = JSON.stringify(RELAXED_LATENCY);
