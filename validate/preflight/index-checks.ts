// Pre-flight: the hot path's lookups have an index to use. Each lookup the stored procedures do
// per request (platform/migrations/002_procedures.sql) is EXPLAINed twice in a read-only
// transaction, never executed:
//   - with enable_seqscan off: a Seq Scan that remains means no index can serve the lookup
//     (the planner only falls back to one when there is no other path) — on any table size;
//   - as the planner would run it: a Seq Scan on a large table (core/large-table.ts) means the
//     index exists but is not chosen (stale statistics, a type mismatch). On a small table a
//     seq scan is the planner's right choice and passes.
import type pg from 'pg';
import { isLargeTable, LARGE_TABLE_ROWS } from '../../core/large-table.js';
import type { CheckOutcome } from './database-checks.js';

export interface HotPathLookup { table: string; column: string; why: string }

export const HOT_PATH_LOOKUPS: readonly HotPathLookup[] = [
  { table: 'wallets', column: 'id', why: 'every operation locks its wallet by id' },
  { table: 'idempotency_keys', column: 'key', why: 'every write looks its idempotency key up first' },
  { table: 'funding_intents', column: 'id', why: 'each Stripe webhook finds its payment intent' },
  { table: 'stripe_events', column: 'event_id', why: 'each Stripe webhook checks for a duplicate delivery' },
  { table: 'products', column: 'id', why: 'each order prices its lines' },
  { table: 'terminals', column: 'id', why: 'each order checks its terminal' },
  { table: 'gateways', column: 'id', why: 'each gate scan checks its gateway' },
];

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] }

/** Relations the plan reads whole. A lookup may go through a view (README: views over your own schema), so any relation counts. */
function seqScanned(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScanned)];
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function plan(db: pg.ClientBase, l: HotPathLookup, value: string): Promise<PlanNode> {
  // A parameter of unknown type takes the column's own type, as in the procedures: no cast hides the index.
  const { rows } = await db.query(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${ident(l.table)} WHERE ${ident(l.column)} = $1`, [value]);
  return (rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
}

async function liveRows(db: pg.ClientBase, relation: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT greatest(coalesce(s.n_live_tup, 0), c.reltuples)::bigint AS n FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = to_regclass($1)`, [relation]);
  return Math.max(0, Number(rows[0]?.n ?? 0));
}

/** A value the column can hold: one of its own, else a neutral one of its type's kind. */
async function sampleValue(db: pg.ClientBase, l: HotPathLookup): Promise<string> {
  const { rows } = await db.query(`SELECT ${ident(l.column)}::text AS v FROM ${ident(l.table)} LIMIT 1`);
  if (rows[0]?.v != null) return String(rows[0].v);
  const { rows: t } = await db.query(
    `SELECT ty.typname, ty.typcategory FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid WHERE a.attrelid = to_regclass($1) AND a.attname = $2`, [l.table, l.column]);
  if (t[0]?.typname === 'uuid') return '00000000-0000-0000-0000-000000000000';
  return t[0]?.typcategory === 'N' ? '0' : 'k6-preflight-explain';
}

export async function checkHotPathIndexes(db: pg.ClientBase, lookups: readonly HotPathLookup[] = HOT_PATH_LOOKUPS): Promise<CheckOutcome> {
  const problems: string[] = [];
  const passed: string[] = [];
  await db.query('BEGIN READ ONLY');
  try {
    for (const l of lookups) {
      if ((await db.query('SELECT to_regclass($1) AS r', [l.table])).rows[0].r === null) {
        problems.push(`${l.table} is missing`);
        continue;
      }
      const value = await sampleValue(db, l);
      await db.query('SET LOCAL enable_seqscan = on');
      const chosen = seqScanned(await plan(db, l, value));
      await db.query('SET LOCAL enable_seqscan = off');
      const forced = seqScanned(await plan(db, l, value));
      if (forced.length) {
        problems.push(`no index serves ${l.table}.${l.column} (${l.why}): every lookup reads ${[...new Set(forced)].join(', ')} whole`);
        continue;
      }
      const large: string[] = [];
      for (const rel of new Set(chosen)) {
        const rows = await liveRows(db, rel);
        if (isLargeTable(rows)) large.push(`${rel} (${rows} rows)`);
      }
      if (large.length) problems.push(`${large.join(', ')} is scanned whole for ${l.table}.${l.column} lookups although an index exists: ANALYZE?`);
      else passed.push(`${l.table}.${l.column}`);
    }
  } finally {
    await db.query('ROLLBACK');
  }
  return problems.length
    ? { ok: false, detail: `hot-path lookups without an index: ${problems.join('; ')}` }
    : { ok: true, detail: `${passed.length} hot-path lookups use an index (EXPLAIN; seq scans allowed below ${LARGE_TABLE_ROWS} rows): ${passed.join(', ')}` };
}
