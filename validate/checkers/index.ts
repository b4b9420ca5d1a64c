// The checker registry. Names are stable: the CLI's --only, the JUnit report and the
// end-to-end defect tests refer to them.
import type { Checker } from '../types.js';
import { activity } from './activity.js';
import { auditCoverage } from './audit-coverage.js';
import { auditFailedNoEffect } from './audit-failed-no-effect.js';
import { conservation } from './conservation.js';
import { duplicateScans } from './duplicate-scans.js';
import { entryCapacity } from './entry-capacity.js';
import { entryCount } from './entry-count.js';
import { entryExitSequence } from './entry-exit-sequence.js';
import { entryNoDuplicate } from './entry-no-duplicate.js';
import { entryOccupancy } from './entry-occupancy.js';
import { entryPresence } from './entry-presence.js';
import { entryReentryFees } from './entry-reentry-fees.js';
import { fundingCreditedOnce } from './funding-credited-once.js';
import { fundingEventOnce } from './funding-event-once.js';
import { fundingOrphans } from './funding-orphans.js';
import { idempotencyOnce } from './idempotency-once.js';
import { idempotencyReplays } from './idempotency-replays.js';
import { idempotencyStuck } from './idempotency-stuck.js';
import { ledgerChain } from './ledger-chain.js';
import { ledgerSum } from './ledger-sum.js';
import { noNegativeBalance } from './no-negative-balance.js';
import { orderDebits } from './order-debits.js';
import { orderFeeSplit } from './order-fee-split.js';
import { orderTotals } from './order-totals.js';
import { rechargeCredits } from './recharge-credits.js';
import { reconcileLostWrites } from './reconcile-lost-writes.js';
import { reconcilePhantomWrites } from './reconcile-phantom-writes.js';
import { reconcileRejections } from './reconcile-rejections.js';

export const CHECKERS: readonly Checker[] = [
  noNegativeBalance,
  ledgerSum,
  ledgerChain,
  conservation,
  orderTotals,
  orderFeeSplit,
  orderDebits,
  rechargeCredits,
  idempotencyOnce,
  idempotencyStuck,
  idempotencyReplays,
  entryNoDuplicate,
  entryExitSequence,
  entryPresence,
  entryCount,
  entryReentryFees,
  entryCapacity,
  entryOccupancy,
  fundingCreditedOnce,
  fundingEventOnce,
  fundingOrphans,
  auditCoverage,
  auditFailedNoEffect,
  duplicateScans,
  reconcileLostWrites,
  reconcilePhantomWrites,
  reconcileRejections,
  activity,
];

export const CHECKER_NAMES = CHECKERS.map((c) => c.name);

/** Checker name constants for code that asserts on results (e2e defect tests). */
export const CHECKER = {
  noNegativeBalance: noNegativeBalance.name,
  ledgerSum: ledgerSum.name,
  ledgerChain: ledgerChain.name,
  conservation: conservation.name,
  orderTotals: orderTotals.name,
  orderFeeSplit: orderFeeSplit.name,
  orderDebits: orderDebits.name,
  rechargeCredits: rechargeCredits.name,
  idempotencyOnce: idempotencyOnce.name,
  idempotencyStuck: idempotencyStuck.name,
  idempotencyReplays: idempotencyReplays.name,
  entryNoDuplicate: entryNoDuplicate.name,
  entryExitSequence: entryExitSequence.name,
  entryPresence: entryPresence.name,
  entryCount: entryCount.name,
  entryReentryFees: entryReentryFees.name,
  entryCapacity: entryCapacity.name,
  entryOccupancy: entryOccupancy.name,
  fundingCreditedOnce: fundingCreditedOnce.name,
  fundingEventOnce: fundingEventOnce.name,
  fundingOrphans: fundingOrphans.name,
  auditCoverage: auditCoverage.name,
  auditFailedNoEffect: auditFailedNoEffect.name,
  duplicateScans: duplicateScans.name,
  reconcileLostWrites: reconcileLostWrites.name,
  reconcilePhantomWrites: reconcilePhantomWrites.name,
  reconcileRejections: reconcileRejections.name,
  activity: activity.name,
} as const;

export function selectCheckers(names?: readonly string[]): Checker[] {
  if (!names || names.length === 0) return [...CHECKERS];
  const unknown = names.filter((n) => !CHECKER_NAMES.includes(n));
  if (unknown.length) throw new Error(`unknown checker(s): ${unknown.join(', ')}. Known: ${CHECKER_NAMES.join(', ')}`);
  return CHECKERS.filter((c) => names.includes(c.name));
}
