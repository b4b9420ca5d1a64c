// What the load generator saw vs what the database holds, per write operation.
// For each op: acked <= held <= acked + indeterminate, in count and in cents. Below: a lost
// write (acknowledged, not persisted). Above: a phantom write (persisted, never acknowledged
// and not possibly in flight, e.g. committed then answered with an error).
//
// "Held" for the run's idempotency keys (<runId>:...):
//   entry            nfc_scan_log admitted/readmitted; cents = its reentry_fee ledger debits
//   exit             nfc_scan_log exited; no cents
//   order            orders (any status); cents = total_cents
//   recharge         recharges; cents = amount_cents
//   funding_webhook  funding_intents no longer pending (a success or failure webhook applied);
//                    cents = amount_cents of the confirmed ones (a failed payment moves nothing)
// This matches how lib/ counts (lib/verdicts.ts settle): one final outcome per logical write
// after retries, never a deliberate replay (those go to moshpit_<op>_replays); for webhooks,
// the first delivery per intent, with the amount if it was a success and 0 if a failure.
import { outcomeMetric } from '../core/metric-names.js';
import { WRITE_OPERATIONS, type WriteOperation } from '../core/operations.js';
import { safeInt } from './pg-integers.js';
import { int, sumOf } from './single-pass/fingerprints.js';
import type { RunSummary } from './summary.js';
import type { CheckContext, Checker, PassResults, Witness } from './types.js';

export interface OpReconciliation {
  op: WriteOperation;
  acked: number;
  rejected: number;
  indeterminate: number;
  held: number;
  acked_cents: number;
  indeterminate_cents: number;
  held_cents: number;
}

const HELD_SQL = `
  SELECT 'entry' AS op, count(*) AS held,
         (SELECT coalesce(-sum(amount_cents), 0) FROM ledger WHERE kind = 'reentry_fee' AND idempotency_key LIKE $1) AS held_cents
    FROM nfc_scan_log WHERE idempotency_key LIKE $1 AND result IN ('admitted', 'readmitted')
  UNION ALL
  SELECT 'exit', count(*), 0 FROM nfc_scan_log WHERE idempotency_key LIKE $1 AND result = 'exited'
  UNION ALL
  SELECT 'order', count(*), coalesce(sum(total_cents), 0) FROM orders WHERE idempotency_key LIKE $1
  UNION ALL
  SELECT 'recharge', count(*), coalesce(sum(amount_cents), 0) FROM recharges WHERE idempotency_key LIKE $1
  UNION ALL
  SELECT 'funding_webhook', count(*), coalesce(sum(amount_cents) FILTER (WHERE status = 'confirmed'), 0) FROM funding_intents
    WHERE idempotency_key LIKE $1 AND status IN ('confirmed', 'failed')`;

type Held = ReadonlyMap<string, { held: unknown; held_cents: unknown }>;

export async function reconcile(db: CheckContext['db'], runKeyLike: string, summary: RunSummary): Promise<OpReconciliation[]> {
  const { rows } = await db.query(HELD_SQL, [runKeyLike]);
  return reconcileHeld(new Map(rows.map((r) => [r.op as string, { held: r.held, held_cents: r.held_cents }])), summary);
}

/**
 * What the run's keys hold, from the single-pass table passes: each counts the run's rows (r:
 * key LIKE the run's keys, whatever the wallet) beside the scope's, the rows HELD_SQL counts.
 */
export function heldFromPasses(p: PassResults): Held {
  const scans = p.one('keys:nfc_scan_log');
  const orders = p.one('orders');
  const recharges = p.one('recharges');
  const funding = p.rows('funding');
  const settled = funding.filter((r) => r.status === 'confirmed' || r.status === 'failed');
  const confirmed = funding.filter((r) => r.status === 'confirmed');
  return new Map([
    ['entry', { held: scans.admissions, held_cents: p.one('ledger').run_reentry_fee_cents }],
    ['exit', { held: scans.exits, held_cents: 0 }],
    ['order', { held: orders.run_rows, held_cents: orders.run_cents }],
    ['recharge', { held: recharges.run_rows, held_cents: recharges.run_cents }],
    ['funding_webhook', { held: int(sumOf(...settled.map((r) => r.run_rows))), held_cents: int(sumOf(...confirmed.map((r) => r.run_cents))) }],
  ]);
}

export const HELD_PASSES = ['keys:nfc_scan_log', 'ledger', 'orders', 'recharges', 'funding'] as const;

export function reconcileHeld(held: Held, summary: RunSummary): OpReconciliation[] {
  return WRITE_OPERATIONS.map((op) => {
    const h = held.get(op);
    return {
      op,
      acked: summary.counter(outcomeMetric(op, 'acked')),
      rejected: summary.counter(outcomeMetric(op, 'rejected')),
      indeterminate: summary.counter(outcomeMetric(op, 'indeterminate')),
      held: safeInt(h?.held, `${op} rows held`),
      acked_cents: summary.counter(outcomeMetric(op, 'acked', 'cents')),
      indeterminate_cents: summary.counter(outcomeMetric(op, 'indeterminate', 'cents')),
      held_cents: safeInt(h?.held_cents, `${op} cents held`),
    };
  });
}

/** Witness rows for ops where the database holds less than was acknowledged. */
export function lostWrites(table: OpReconciliation[]): Witness[] {
  const out: Witness[] = [];
  for (const r of table) {
    if (r.held < r.acked) out.push({ op: r.op, measure: 'count', acked: r.acked, held: r.held, lost: r.acked - r.held });
    if (r.held_cents < r.acked_cents) {
      out.push({ op: r.op, measure: 'cents', acked: r.acked_cents, held: r.held_cents, lost: r.acked_cents - r.held_cents });
    }
  }
  return out;
}

/** Witness rows for ops where the database holds more than acked + indeterminate. */
export function phantomWrites(table: OpReconciliation[]): Witness[] {
  const out: Witness[] = [];
  for (const r of table) {
    const maxCount = r.acked + r.indeterminate;
    const maxCents = r.acked_cents + r.indeterminate_cents;
    if (r.held > maxCount) {
      out.push({ op: r.op, measure: 'count', acked: r.acked, indeterminate: r.indeterminate, held: r.held, phantom: r.held - maxCount });
    }
    if (r.held_cents > maxCents) {
      out.push({ op: r.op, measure: 'cents', acked: r.acked_cents, indeterminate: r.indeterminate_cents, held: r.held_cents, phantom: r.held_cents - maxCents });
    }
  }
  return out;
}

/** Why reconciliation cannot run for this context, or null when it can. */
export function reconciliationSkipReason(ctx: Pick<CheckContext, 'scope' | 'summary'>): string | null {
  if (!ctx.scope.runKeyLike) return 'no run id: reconciliation needs a run (--run <id> or --latest)';
  if (!ctx.summary) return 'the run has no summary.json';
  return null;
}

/**
 * The run and the screen of a reconciliation checker: the same table, from the database (run)
 * or from the table passes (screen), judged by `find`; the screen settles only a clean table.
 */
export function reconciliationJudge(
  find: (table: OpReconciliation[]) => Witness[],
  info: (table: OpReconciliation[]) => Record<string, unknown>,
): Pick<Checker, 'run' | 'screen'> {
  return {
    async run(ctx) {
      const skip = reconciliationSkipReason(ctx);
      if (skip) return { violations: 0, witnesses: [], skipped: skip };
      const table = await reconcile(ctx.db, ctx.scope.runKeyLike!, ctx.summary!);
      const witnesses = find(table);
      return { violations: witnesses.length, witnesses: witnesses.slice(0, ctx.witnessLimit), info: { summary: ctx.summary!.path, ...info(table) } };
    },
    screen: {
      passes: HELD_PASSES,
      decide: (p, ctx) => {
        const skip = reconciliationSkipReason(ctx);
        if (skip) return { violations: 0, witnesses: [], skipped: skip };
        const table = reconcileHeld(heldFromPasses(p), ctx.summary!);
        return find(table).length === 0 ? { violations: 0, witnesses: [], info: { summary: ctx.summary!.path, ...info(table) } } : null;
      },
    },
  };
}
