// Pre-flight checks against the database: reachable, the target's procedures and the tables
// the validators read exist, the fixtures are all there and nothing else under the prefix,
// and the festival settings are the ones k6 will expect.
import type pg from 'pg';
import type { FixtureSet } from './fixtures.js';

export interface CheckOutcome {
  ok: boolean;
  detail: string;
  /** The check ran and the platform moved money wrongly: a money failure, not "not ready". */
  money?: boolean;
}

/** The target contract's procedures (platform/API.md); get_funding_intent serves the funding flow's read-back. */
export const REQUIRED_PROCEDURES = [
  'sp_process_bar_order',
  'sp_process_checkpoint_recharge',
  'sp_process_stripe_recharge',
  'sp_process_gate_scan',
  'sp_create_funding_intent',
  'get_wallet',
  'get_funding_intent',
] as const;

/** Tables post-run validation reads (platform/migrations/001_schema.sql). */
export const VALIDATED_TABLES = [
  'festival_settings', 'venue_state', 'wallets', 'products', 'terminals', 'gateways', 'ledger', 'app_transaction_log',
  'nfc_scan_log', 'orders', 'order_lines', 'recharges', 'funding_intents', 'stripe_events', 'idempotency_keys',
] as const;

export async function checkReachable(db: pg.ClientBase): Promise<CheckOutcome> {
  const { rows } = await db.query(`SELECT current_setting('server_version') AS version, current_database() AS database`);
  return { ok: true, detail: `PostgreSQL ${rows[0].version}, database ${rows[0].database}` };
}

async function missing(db: pg.ClientBase, sql: string, names: readonly string[]): Promise<string[]> {
  const { rows } = await db.query(sql, [names]);
  return rows.map((r) => r.name as string);
}

export async function checkProcedures(db: pg.ClientBase): Promise<CheckOutcome> {
  const absent = await missing(db, `SELECT n AS name FROM unnest($1::text[]) n WHERE NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = n)`, REQUIRED_PROCEDURES);
  return absent.length
    ? { ok: false, detail: `missing: ${absent.join(', ')} (apply platform/migrations or deploy the procedures)` }
    : { ok: true, detail: `${REQUIRED_PROCEDURES.length}/${REQUIRED_PROCEDURES.length} present: ${REQUIRED_PROCEDURES.join(', ')}` };
}

export async function checkSchema(db: pg.ClientBase): Promise<CheckOutcome> {
  const absent = await missing(db, `SELECT n AS name FROM unnest($1::text[]) n WHERE to_regclass(n) IS NULL`, VALIDATED_TABLES);
  return absent.length
    ? { ok: false, detail: `tables missing: ${absent.join(', ')}` }
    : { ok: true, detail: `${VALIDATED_TABLES.length} tables present` };
}

function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Every fixture row exists, and the prefix holds no rows the fixtures do not describe. */
export async function checkFixturesInDatabase(db: pg.ClientBase, fx: FixtureSet): Promise<CheckOutcome> {
  const { prefix, probe_wallet_id: probe } = fx.manifest;
  const { rows: [c] } = await db.query(
    `SELECT
       (SELECT count(*) FROM wallets WHERE id LIKE $1 AND id ~ $2)::int AS wallets,
       (SELECT count(*) FROM wallets WHERE id = $3)::int AS probe,
       (SELECT count(*) FROM products WHERE id LIKE $1 AND active)::int AS products,
       (SELECT count(*) FROM products WHERE id = ANY($4::text[]) AND active)::int AS products_found,
       (SELECT count(*) FROM terminals WHERE id LIKE $1)::int AS terminals,
       (SELECT count(*) FROM terminals WHERE id = ANY($5::text[]))::int AS terminals_found,
       (SELECT count(*) FROM gateways WHERE id LIKE $1)::int AS gateways,
       (SELECT count(*) FROM gateways WHERE id = ANY($6::text[]))::int AS gateways_found`,
    [likePrefix(prefix), `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}w-[0-9]+$`, probe,
      fx.products.map((p) => p.id), fx.terminals.map((t) => t.id), fx.gateways.map((g) => g.id)],
  );
  const problems: string[] = [];
  if (c.wallets !== fx.manifest.wallets) problems.push(`wallets ${c.wallets}/${fx.manifest.wallets}`);
  if (c.probe !== 1) problems.push(`probe wallet ${probe} missing`);
  const lists: Array<[string, number, number, number]> = [
    ['products', c.products, c.products_found, fx.products.length],
    ['terminals', c.terminals, c.terminals_found, fx.terminals.length],
    ['gateways', c.gateways, c.gateways_found, fx.gateways.length],
  ];
  for (const [what, inDb, found, expected] of lists) {
    if (found !== expected || inDb !== expected) problems.push(`${what} ${found}/${expected}${inDb !== found ? ` (${inDb} under the prefix)` : ''}`);
  }
  const counts = `wallets ${c.wallets}, products ${c.products}, terminals ${c.terminals}, gateways ${c.gateways}, probe wallet ${c.probe ? 'present' : 'missing'}`;
  return problems.length
    ? { ok: false, detail: `fixtures and database disagree for prefix '${prefix}': ${problems.join(', ')} (re-run 'moshpit seed')` }
    : { ok: true, detail: `prefix '${prefix}': ${counts}` };
}

export async function checkSettings(db: pg.ClientBase, fx: FixtureSet): Promise<CheckOutcome> {
  const expected = fx.manifest.settings;
  const { rows } = await db.query(`SELECT platform_fee_bps, reentry_fee_cents::bigint::text AS reentry_fee_cents, venue_capacity FROM festival_settings`);
  const actual = rows[0];
  if (!actual) return { ok: false, detail: 'festival_settings has no row' };
  const now = { platform_fee_bps: Number(actual.platform_fee_bps), reentry_fee_cents: Number(actual.reentry_fee_cents), venue_capacity: Number(actual.venue_capacity) };
  const text = `fee ${now.platform_fee_bps} bps, re-entry ${now.reentry_fee_cents} cents, capacity ${now.venue_capacity}`;
  if (!expected) return { ok: true, detail: `${text} (manifest records no settings)` };
  const diff = (Object.keys(now) as Array<keyof typeof now>).filter((k) => now[k] !== expected[k]);
  return diff.length
    ? { ok: false, detail: `differ from the fixtures' (${diff.map((k) => `${k} ${now[k]} != ${expected[k]}`).join(', ')}): k6 would expect the wrong fees` }
    : { ok: true, detail: text };
}
