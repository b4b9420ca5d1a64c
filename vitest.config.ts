import { defineConfig } from 'vitest/config';

// Three tiers, one `vitest run` (npm test) for all of them:
//   unit         pure code and temp files: no database, no child processes; seconds (npm run test:unit)
//   integration  the real PostgreSQL and the reference target (the default for a new test file)
//   e2e          whole runs: load engine, stack, InfluxDB, Chromium; minutes
// A new file lands in integration unless listed below: it then gets a database, which a unit
// test never needs and an e2e test always has.
const UNIT = [
  'test/chaos/recovery.test.ts',
  'test/chaos/schedule.test.ts',
  'test/chaos/timeline.test.ts',
  'test/core/contract-owners.test.ts',
  'test/core/fees.test.ts',
  'test/core/loopback.test.ts',
  'test/core/percentile.test.ts',
  'test/core/metrics-stream.test.ts',
  'test/engine/shard-plan.test.ts',
  'test/k6/profiles.test.ts',
  'test/k6/stripe-signer.test.ts',
  'test/k6/summary.test.ts',
  'test/k6/thresholds.test.ts',
  'test/licences/licence-gate.test.ts',
  'test/monitoring/dashboards-provisioning.test.ts',
  'test/monitoring/influx-line-protocol.test.ts',
  'test/monitoring/report-verdict.test.ts',
  'test/seed/database-url.test.ts',
  'test/seed/wallet-rows.test.ts',
  'test/support/eventually.test.ts',
  'test/validate/scope-and-summary.test.ts',
  'test/core/slo-tiers.test.ts',
  'test/engine/k6-operator.test.ts',
  'test/engine/normalize-rpc.test.ts',
  'test/ci/workflow.test.ts',
  'test/monitoring/baseline-gate.test.ts',
  'test/monitoring/report-slo-tiers.test.ts',
  'test/monitoring/alert-rules-provisioning.test.ts',
  'test/monitoring/k6-metric-types.test.ts',
];

const E2E = [
  'test/e2e/**/*.test.ts',
  'test/bench/bench-quick.test.ts',
  'test/chaos/chaos-e2e.test.ts',
  'test/chaos/interrupted-run.test.ts',
  'test/k6/bundles.test.ts',
  'test/monitoring/dashboards-influx.test.ts',
  'test/monitoring/influx-artillery.test.ts',
  'test/monitoring/influx-stream-readback.test.ts',
  'test/monitoring/report-chromium.test.ts',
  'test/stack/interrupt.test.ts',
  'test/stack/stack-lifecycle.test.ts',
];

// The real PostgreSQL (started for the run if this checkout's cluster is down) and a template
// database: only the tiers that use them pay for it.
const DATABASE_SETUP = ['test/support/global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Each file gets its own database. Three at a time on 2 cores: an end-to-end file spends most
    // of its wall time waiting on a load schedule (seconds of light, paced traffic), not computing.
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, testTimeout: 30_000 } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...UNIT, ...E2E], globalSetup: DATABASE_SETUP } },
      { extends: true, test: { name: 'e2e', include: E2E, globalSetup: DATABASE_SETUP } },
    ],
  },
});
