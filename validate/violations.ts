// The one query shape every checker uses: a SQL set of violating rows, counted in full and
// cut to a few witnesses in the same statement (the window count runs before LIMIT).
import { safeInt } from './pg-integers.js';
import type { CheckContext, Witness } from './types.js';

export interface ViolationSet {
  /** SELECT producing one row per violation; its columns become the witness fields. */
  sql: string;
  params: unknown[];
  /** Deterministic witness order, over the set's columns. */
  orderBy: string;
}

export async function countViolations(ctx: CheckContext, set: ViolationSet): Promise<{ violations: number; witnesses: Witness[] }> {
  const limit = Math.max(ctx.witnessLimit, 1); // LIMIT 0 would also lose the count
  // MATERIALIZED: the set is planned for all its rows. Inlined under ORDER BY ... LIMIT, the
  // planner may pick a first-rows plan (presorted index scan + nested loop) that is quadratic
  // when, as usual, there are no violations at all.
  const { rows } = await ctx.db.query(
    `WITH v AS MATERIALIZED (${set.sql})
     SELECT v.*, count(*) OVER () AS moshpit_violations FROM v ORDER BY ${set.orderBy} LIMIT ${limit}`,
    set.params,
  );
  const violations = rows.length ? safeInt(rows[0]!.moshpit_violations, 'violation count') : 0;
  const witnesses = rows.slice(0, ctx.witnessLimit).map(({ moshpit_violations: _, ...w }) => w);
  return { violations, witnesses };
}

/** Runs independent violation sets and adds them up; witnesses are labelled by `kind`. */
export async function countViolationKinds(
  ctx: CheckContext,
  sets: Record<string, ViolationSet>,
): Promise<{ violations: number; witnesses: Witness[]; byKind: Record<string, number> }> {
  let violations = 0;
  const perKind: Witness[][] = [];
  const byKind: Record<string, number> = {};
  for (const [kind, set] of Object.entries(sets)) {
    const r = await countViolations(ctx, set);
    byKind[kind] = r.violations;
    violations += r.violations;
    perKind.push(r.witnesses.map((w) => ({ kind, ...w })));
  }
  // Round-robin, so one noisy kind does not hide the others' examples.
  const witnesses: Witness[] = [];
  for (let i = 0; witnesses.length < ctx.witnessLimit && perKind.some((k) => i < k.length); i++) {
    for (const k of perKind) if (i < k.length && witnesses.length < ctx.witnessLimit) witnesses.push(k[i]!);
  }
  return { violations, witnesses, byKind };
}
