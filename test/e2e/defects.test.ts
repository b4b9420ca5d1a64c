// Every validator can fail: for each defect mode of the reference target, a short real run
// (`moshpit scenario <s> --defects <mode>`: stack, seed, pre-flight, load, validation) against a
// fresh database must end non-zero with the matching checker reporting violations and
// witnesses. Other checkers may fire too (one bug breaks several invariants): each test
// annotates which did, and `alsoFires` lists what the verification runs showed; only the
// primary is asserted.
import { outcomeMetric } from '../../core/metric-names.js';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFECT_MODES, type DefectMode } from '../../platform/server/defects.js';
import { CHECKER } from '../../validate/checkers/index.js';
import { newWorkDir, runScenarioCli, type ScenarioRun } from '../support/scenario-run.js';
import { withFreshDatabase } from './fresh-database.js';
import { counter, describeRun } from './run-report.js';

interface DefectCase {
  defect: DefectMode;
  scenario: string;
  /** Extra CLI arguments. */
  args?: string[];
  /** Extra environment for the load (duration/rate scaling). */
  env?: Record<string, string>;
  primary: string;
  alsoFires: string[];
  /** Proof that the run itself (not only pre-flight's probe) produced the footprint. */
  ownFootprint?: (run: ScenarioRun) => void;
}

// smoke's 25 s of load -> ~7 s: every case below leaves several footprints in that time.
const SHORT = { MOSHPIT_DURATION_SCALE: '0.3' };

const CASES: DefectCase[] = [
  // Concurrent debits of one group wallet without a row lock: the stale write-back makes the
  // balance disagree with its ledger (and each row's balance_after with the previous row).
  { defect: 'lost_update', scenario: 'contention', env: SHORT, primary: CHECKER.ledgerSum, alsoFires: [CHECKER.ledgerChain, CHECKER.conservation] },
  // Replays are 10 % of acked smoke orders and some re-charges are declined for funds, so the
  // run needs ~100 acked orders to be sure of one double charge: 4x the rate for ~10 s.
  {
    defect: 'replay_double_charge', scenario: 'concession', env: { MOSHPIT_DURATION_SCALE: '0.4', MOSHPIT_RATE_SCALE: '4' },
    primary: CHECKER.idempotencyOnce, alsoFires: [CHECKER.reconcilePhantomWrites],
  },
  {
    defect: 'webhook_double_credit', scenario: 'funding', env: SHORT,
    primary: CHECKER.fundingCreditedOnce, alsoFires: [CHECKER.fundingEventOnce, CHECKER.idempotencyOnce, CHECKER.conservation],
  },
  { defect: 'exit_not_recorded', scenario: 'reentry', env: SHORT, primary: CHECKER.entryPresence, alsoFires: [] },
  { defect: 'fee_rounding', scenario: 'concession', env: SHORT, primary: CHECKER.orderFeeSplit, alsoFires: [] },
  // The drained balance has no ledger row, so the ledger checkers see it as well.
  {
    defect: 'failed_op_moves_money', scenario: 'concession', env: SHORT,
    primary: CHECKER.auditFailedNoEffect, alsoFires: [CHECKER.ledgerSum, CHECKER.ledgerChain, CHECKER.conservation],
  },
  {
    defect: 'missing_audit', scenario: 'concession', env: SHORT, primary: CHECKER.auditCoverage, alsoFires: [],
    // Pre-flight's probe recharge is unaudited too; the run's own top-ups (after 402s) must be.
    ownFootprint: (run) => {
      expect(counter(run, outcomeMetric('recharge', 'acked'))).toBeGreaterThan(0);
      const witnesses = run.validation!.results.find((r) => r.name === CHECKER.auditCoverage)!.witnesses as Array<{ idempotency_key?: string }>;
      expect(witnesses.some((w) => w.idempotency_key?.startsWith(`${run.runId}:recharge:`))).toBe(true);
    },
  },
  { defect: 'no_funds_check', scenario: 'concession', env: SHORT, primary: CHECKER.noNegativeBalance, alsoFires: [] },
  // The default capacity (4,000) is never reached by a smoke run: seed a venue for 5.
  { defect: 'capacity_not_enforced', scenario: 'entry', args: ['--capacity', '5'], env: SHORT, primary: CHECKER.entryCapacity, alsoFires: [] },
  // Every 5th fresh successful write; pre-flight's probe makes the first two.
  { defect: 'ack_then_rollback', scenario: 'concession', env: SHORT, primary: CHECKER.reconcileLostWrites, alsoFires: [] },
  { defect: 'commit_then_reject', scenario: 'concession', env: SHORT, primary: CHECKER.reconcilePhantomWrites, alsoFires: [CHECKER.reconcileRejections] },
];

const workDirs: string[] = [];
afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('defect modes', () => {
  it('the table covers every defect mode of the target exactly once', () => {
    expect(CASES.map((c) => c.defect).sort()).toEqual([...DEFECT_MODES].sort());
  });

  it.for(CASES)('$defect: a $scenario run makes $primary fire', { timeout: 240_000 }, async (c, { annotate }) => {
    const workDir = newWorkDir();
    workDirs.push(workDir);
    const run = await withFreshDatabase((db) =>
      runScenarioCli({
        databaseUrl: db.url,
        scenario: c.scenario,
        args: ['--profile', 'smoke', '--defects', c.defect, '--no-report', ...(c.args ?? [])],
        env: c.env,
        workDir,
      }));
    const why = describeRun(run);

    // 4: validation failed; 99: load thresholds too. Never 1/3: the run must have happened.
    expect([4, 99], why).toContain(run.code);
    expect(run.validation, why).not.toBeNull();
    expect(run.failedCheckers, why).toContain(c.primary);
    const primary = run.validation!.results.find((r) => r.name === c.primary)!;
    expect(primary.violations, why).toBeGreaterThan(0);
    expect(primary.witnesses.length, why).toBeGreaterThan(0);
    // A checker that crashed is not a secondary effect of the defect.
    const errored = run.validation!.results.filter((r) => (r as { error?: string }).error);
    expect(errored, why).toEqual([]);
    c.ownFootprint?.(run);
    const others = run.failedCheckers.filter((name) => name !== c.primary);
    const unseen = others.filter((name) => !c.alsoFires.includes(name));
    await annotate(`also fired: ${others.join(', ') || 'none'}${unseen.length ? ` (not seen in verification: ${unseen.join(', ')})` : ''}`);
  });
});
