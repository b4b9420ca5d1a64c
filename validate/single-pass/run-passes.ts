// Runs the table passes the selected checkers need, each in its own read-only transaction on
// the shared snapshot, a few at once. A pass that fails (timeout, overflow of a fingerprint
// product) is recorded, not thrown: the checkers that needed it run their exact queries.
import type { CheckContext, Checker, PassResults, Queryable } from '../types.js';
import { PASSES, type PassName } from './passes.js';

export interface PassTiming {
  name: PassName;
  durationMs: number;
  error?: string;
}

export interface PassRun {
  results: PassResults;
  /** Passes that ran without error. */
  ok: ReadonlySet<PassName>;
  timings: PassTiming[];
}

export function passesNeeded(checkers: readonly Checker[]): PassName[] {
  return [...new Set(checkers.flatMap((c) => c.screen?.passes ?? []))];
}

/**
 * The passes, longest expected first (the planner's row estimate of the table each reads,
 * doubled for an ordered pass), so the last one to finish is a short one and the cores stay
 * busy to the end. Without statistics the given order stands.
 */
async function biggestFirst(names: readonly PassName[], exec: <T>(fn: (db: Queryable) => Promise<T>) => Promise<T>): Promise<PassName[]> {
  const tables = [...new Set(names.map((n) => PASSES[n].reads.table))];
  let rowsOf: Map<string, number>;
  try {
    const r = await exec((db) => db.query<{ relname: string; rows: number }>(
      `SELECT c.relname, greatest(c.reltuples, 0)::float8 AS rows FROM pg_class c
       WHERE c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)`, [tables]));
    rowsOf = new Map(r.rows.map((x) => [x.relname, Number(x.rows)]));
  } catch {
    return [...names];
  }
  const cost = (n: PassName) => (rowsOf.get(PASSES[n].reads.table) ?? 0) * (PASSES[n].reads.ordered ? 2 : 1);
  return [...names].sort((a, b) => cost(b) - cost(a));
}

export async function runPasses(
  names: readonly PassName[],
  ctx: Omit<CheckContext, 'db'>,
  exec: <T>(fn: (db: Queryable) => Promise<T>) => Promise<T>,
  limit: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<PassRun> {
  const rows = new Map<PassName, Array<Record<string, unknown>>>();
  const ok = new Set<PassName>();
  const order = await biggestFirst(names, exec);
  const timings = await Promise.all(order.map((name) => limit(async (): Promise<PassTiming> => {
    const pass = PASSES[name];
    const t = performance.now();
    try {
      const r = await exec(async (db) => {
        // JIT compiles a pass's dozens of aggregate expressions for longer than they take to run.
        for (const [k, v] of Object.entries({ jit: 'off', ...pass.settings })) await db.query('SELECT set_config($1, $2, true)', [k, v]);
        return db.query(pass.sql, pass.params(ctx));
      });
      rows.set(name, pass.combine ? pass.combine(r.rows) : r.rows);
      ok.add(name);
      return { name, durationMs: Math.round(performance.now() - t) };
    } catch (err) {
      return { name, durationMs: Math.round(performance.now() - t), error: (err as Error).message };
    }
  })));
  const results: PassResults = {
    rows(name) {
      const r = rows.get(name);
      if (!r) throw new Error(`single pass '${name}' did not run`);
      return r;
    },
    one(name) {
      const r = results.rows(name);
      if (r.length !== 1) throw new Error(`single pass '${name}' returned ${r.length} rows, expected 1`);
      return r[0]!;
    },
  };
  return { results, ok, timings };
}
