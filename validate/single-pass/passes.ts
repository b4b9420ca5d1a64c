// One aggregate query per large table, read once per validation: every count, sum and
// fingerprint the checkers need from that table (validate/README.md, "Single pass"). Checkers
// compare the passes' numbers in TypeScript (their `screen`), and run their exact witness
// query only when the numbers disagree. The scan log's checkers need row order: they share one
// ordered pass (a window over wallet_id, id with several frames, one sort).
import { ADMISSION_RESULTS, EFFECTIVE_SCAN_RESULTS } from '../checkers/gate-sequence.js';
import { keyScopeCondition, keyScopeParams } from '../checkers/key-scope.js';
import type { CheckContext } from '../types.js';
import { h32, hx, total } from './fingerprints.js';

export type PassName =
  | 'wallets' | 'ledger' | 'audit' | 'orders' | 'order_lines' | 'recharges' | 'funding' | 'scans' | 'idempotency_keys'
  | 'keys:ledger' | 'keys:orders' | 'keys:recharges' | 'keys:funding_intents' | 'keys:nfc_scan_log';

export interface Pass {
  name: PassName;
  sql: string;
  params(ctx: Omit<CheckContext, 'db'>): unknown[];
  /** Session settings for this pass only (SET LOCAL). */
  settings?: Record<string, string>;
}

const wallet = (ctx: Omit<CheckContext, 'db'>) => [ctx.scope.walletLike];

/** "<reference>/<wallet>": a business record and the wallet it belongs to, as one hash key. */
const refWallet = (ref: string, walletCol = 'wallet_id') => `coalesce(${ref}, '') || '/' || ${walletCol}`;

const WALLETS: Pass = {
  name: 'wallets',
  // Every wallet is read (the venue's inside count is global), scope sums filtered.
  sql: `
    SELECT count(*) FILTER (WHERE s) AS wallets,
           count(*) FILTER (WHERE s AND balance_cents < 0) AS negative,
           ${total(`${h32('id')} * (balance_cents - opening_balance_cents)`, 's')} AS moved_fp,
           ${total('balance_cents - opening_balance_cents', 's')} AS moved_cents,
           count(*) FILTER (WHERE s AND inside) AS inside_scope,
           count(*) FILTER (WHERE inside) AS inside_all,
           ${total(hx('id'), 's AND inside')} AS inside_fp,
           ${total(`${h32('id')} * entry_count`, 's')} AS entry_count_fp,
           ${total('entry_count', 's')} AS entry_count_sum,
           (SELECT occupancy FROM venue_state) AS occupancy,
           (SELECT venue_capacity FROM festival_settings) AS venue_capacity,
           (SELECT count(*) FROM venue_state) AS venue_state_rows,
           (SELECT count(*) FROM festival_settings) AS festival_settings_rows
    FROM (SELECT w.*, w.id LIKE $1 AS s FROM wallets w) w`,
  params: wallet,
};

const LEDGER_KINDS: ReadonlyArray<{ kind: string; sign: 1 | -1 }> = [
  { kind: 'order', sign: -1 },
  { kind: 'recharge', sign: 1 },
  { kind: 'funding', sign: 1 },
  { kind: 'reentry_fee', sign: -1 },
];

const LEDGER: Pass = {
  name: 'ledger',
  sql: `
    SELECT count(*) AS rows,
           ${total(`${h32('wallet_id')} * amount_cents`)} AS sum_fp,
           ${total(hx('id::text'))} AS id_fp,
           ${LEDGER_KINDS.map(({ kind, sign }) => `
           count(*) FILTER (WHERE kind = '${kind}') AS ${kind}_n,
           ${total(hx('rw'), `kind = '${kind}'`)} AS ${kind}_cfp,
           ${total(`${h32('rw')} * ${sign === -1 ? '-' : ''}amount_cents`, `kind = '${kind}'`)} AS ${kind}_afp`).join(',')}
    FROM (SELECT l.*, ${refWallet('l.reference_id', 'l.wallet_id')} AS rw FROM ledger l WHERE l.wallet_id LIKE $1) l`,
  params: wallet,
};

// Grouped by what the report breaks down (type, status, code, in the run): a handful of groups.
// A rejected, failed or replayed attempt has an effect when it moved a balance, applied an
// amount, references a ledger row, or shares its transaction (xmin) with a ledger row.
const AUDIT: Pass = {
  name: 'audit',
  sql: `
    SELECT transaction_type, status, code, coalesce(in_run, false) AS in_run,
           count(*) AS n,
           count(ledger_id) AS ledger_refs,
           ${total(hx('ledger_id::text'), 'ledger_id IS NOT NULL')} AS ledger_ref_fp,
           count(*) FILTER (WHERE effect) AS with_effect
    FROM (
      SELECT a.transaction_type, a.status, a.code, a.ledger_id, a.idempotency_key LIKE $2::text AS in_run,
             CASE WHEN a.status IN ('rejected', 'failed', 'replayed') THEN
               a.previous_balance IS DISTINCT FROM a.new_balance OR a.amount_cents <> 0 OR a.ledger_id IS NOT NULL
               OR EXISTS (SELECT 1 FROM ledger l WHERE l.xmin = a.xmin AND l.wallet_id = a.wallet_id)
             END AS effect
      FROM app_transaction_log a WHERE a.wallet_id LIKE $1
    ) a
    GROUP BY 1, 2, 3, 4`,
  params: (ctx) => [ctx.scope.walletLike, ctx.scope.runKeyLike],
};

// Fee: round-half-up(total x bps / 10000), in integers when both are non-negative (exact).
const EXPECTED_FEE = `CASE WHEN total_cents >= 0 AND fee_bps >= 0 THEN (total_cents * fee_bps + 5000) / 10000
                          ELSE floor((total_cents::numeric * fee_bps + 5000) / 10000)::bigint END`;

const ORDERS: Pass = {
  name: 'orders',
  sql: `
    SELECT count(*) AS n,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'offline_shortfall') AS offline_shortfall,
           ${total('shortfall_cents')} AS shortfall_cents,
           ${total('total_cents - shortfall_cents')} AS debited_cents,
           ${total(`${h32('wallet_id')} * (total_cents - shortfall_cents)`)} AS debited_wallet_fp,
           ${total(hx(refWallet('id::text')))} AS debit_cfp,
           ${total(`${h32(refWallet('id::text'))} * (total_cents - shortfall_cents)`)} AS debit_afp,
           ${total('uuid_hash(id)::bigint * total_cents')} AS total_fp,
           count(*) FILTER (WHERE platform_fee_cents <> ${EXPECTED_FEE} OR vendor_share_cents + platform_fee_cents <> total_cents) AS fee_split_bad
    FROM orders WHERE wallet_id LIKE $1`,
  params: wallet,
};

// Every line (lines carry no wallet): lines of other prefixes' orders make the totals
// disagree, and the exact query then decides.
const ORDER_LINES: Pass = {
  name: 'order_lines',
  sql: `
    SELECT count(*) AS n,
           count(*) FILTER (WHERE ol.line_total_cents <> ol.quantity * ol.unit_price_cents) AS bad_line,
           count(*) FILTER (WHERE p.price_cents IS DISTINCT FROM ol.unit_price_cents) AS off_price,
           ${total('uuid_hash(ol.order_id)::bigint * ol.line_total_cents')} AS total_fp
    FROM order_lines ol LEFT JOIN products p ON p.id = ol.product_id`,
  params: () => [],
};

const RECHARGES: Pass = {
  name: 'recharges',
  sql: `
    SELECT count(*) AS n, ${total('amount_cents')} AS cents,
           ${total(`${h32('wallet_id')} * amount_cents`)} AS wallet_fp,
           ${total(hx(refWallet('id::text')))} AS credit_cfp,
           ${total(`${h32(refWallet('id::text'))} * amount_cents`)} AS credit_afp
    FROM recharges WHERE wallet_id LIKE $1`,
  params: wallet,
};

const FUNDING: Pass = {
  name: 'funding',
  sql: `
    SELECT status, count(*) AS n, ${total('amount_cents')} AS cents,
           ${total(`${h32('wallet_id')} * amount_cents`)} AS wallet_fp,
           ${total(hx(refWallet('id')))} AS credit_cfp,
           ${total(`${h32(refWallet('id'))} * amount_cents`)} AS credit_afp
    FROM funding_intents WHERE wallet_id LIKE $1 GROUP BY status`,
  params: wallet,
};

// The ordered pass: one sort by (wallet_id, id), every window shares it.
//   prev_eff: the previous effective scan, encoded id*4 + 1 (admission) or + 2 (exit); the
//             running max over earlier rows is the latest one (ids grow).
//   nth:      admissions so far, this one included.
//   last_eff: the wallet's last effective scan id.
const SCANS: Pass = {
  name: 'scans',
  sql: `
    WITH s AS (
      SELECT s.id, s.wallet_id, s.result, s.entry_number, s.fee_cents, s.occupancy_after,
             s.result IN ${ADMISSION_RESULTS} AS adm,
             max(CASE WHEN s.result IN ${ADMISSION_RESULTS} THEN s.id * 4 + 1 WHEN s.result = 'exited' THEN s.id * 4 + 2 END)
               OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_eff,
             count(*) FILTER (WHERE s.result IN ${ADMISSION_RESULTS}) OVER (w ROWS UNBOUNDED PRECEDING) AS nth,
             max(CASE WHEN s.result IN ${EFFECTIVE_SCAN_RESULTS} THEN s.id END)
               OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_eff,
             s.scanned_at - lag(s.scanned_at) OVER w AS since_previous
      FROM nfc_scan_log s WHERE s.wallet_id LIKE $1
      WINDOW w AS (PARTITION BY s.wallet_id ORDER BY s.id)
    ), f AS (SELECT reentry_fee_cents AS fee, venue_capacity AS cap FROM festival_settings)
    SELECT count(*) AS scans,
           count(*) FILTER (WHERE adm) AS admissions,
           count(*) FILTER (WHERE adm AND prev_eff % 4 = 1) AS admitted_twice,
           count(*) FILTER (WHERE result = 'exited' AND (prev_eff IS NULL OR prev_eff % 4 = 2)) AS exit_without_admission,
           count(*) FILTER (WHERE adm AND entry_number IS DISTINCT FROM nth) AS misnumbered,
           ${total(h32('wallet_id'), 'adm')} AS admissions_fp,
           count(*) FILTER (WHERE adm AND id = last_eff) AS inside,
           ${total(hx('wallet_id'), 'adm AND id = last_eff')} AS inside_fp,
           count(*) FILTER (WHERE adm AND fee_cents IS DISTINCT FROM CASE WHEN nth = 1 THEN 0 ELSE (SELECT fee FROM f) END) AS fee_recorded_bad,
           count(*) FILTER (WHERE adm AND nth > 1 AND (SELECT fee FROM f) <> 0) AS fee_due_n,
           ${total(hx(refWallet('id::text')), 'adm AND nth > 1 AND (SELECT fee FROM f) <> 0')} AS fee_due_cfp,
           ${total(`${h32(refWallet('id::text'))} * (SELECT fee FROM f)`, 'adm AND nth > 1 AND (SELECT fee FROM f) <> 0')} AS fee_due_afp,
           ${total('fee_cents', 'adm')} AS fee_cents,
           ${total(`${h32('wallet_id')} * fee_cents`, 'adm AND fee_cents <> 0')} AS fee_wallet_fp,
           count(*) FILTER (WHERE adm AND occupancy_after > (SELECT cap FROM f)) AS over_capacity,
           max(occupancy_after) FILTER (WHERE adm) AS peak_occupancy_after,
           count(*) FILTER (WHERE since_previous < make_interval(secs => $2)) AS duplicate_scans
    FROM s`,
  params: (ctx) => [ctx.scope.walletLike, ctx.bounds.duplicateScanWindowSeconds],
};

const IDEMPOTENCY_KEYS: Pass = {
  name: 'idempotency_keys',
  sql: `
    SELECT count(*) FILTER (WHERE locked_at < $3::timestamptz - make_interval(secs => $4)) AS stuck,
           count(*) FILTER (WHERE locked_at >= $3::timestamptz - make_interval(secs => $4)) AS fresh_in_progress
    FROM idempotency_keys k
    WHERE k.status = 'in_progress' AND (CASE WHEN $2::text IS NULL THEN k.wallet_id LIKE $1 ELSE k.key LIKE $2 END)`,
  params: (ctx) => [ctx.scope.walletLike, ctx.scope.runKeyLike, ctx.asOf, ctx.bounds.stuckKeySeconds],
};

/**
 * Keys applied more than once, one keyed table at a time (no UNION of all tables), and what the
 * run's keys hold there (the "held" side of reconciliation: with a run id, the key scope is
 * exactly the run's keys).
 */
function keysPass(table: 'ledger' | 'orders' | 'recharges' | 'funding_intents' | 'nfc_scan_log', where: string | null, perKey: string, held: string): Pass {
  return {
    name: `keys:${table}`,
    sql: `
      SELECT count(*) FILTER (WHERE n > 1) AS keys_applied_twice, ${held}
      FROM (SELECT t.idempotency_key, count(*) AS n, ${perKey}
            FROM ${table} t
            WHERE t.idempotency_key IS NOT NULL AND ${keyScopeCondition('t')}${where ? ` AND ${where}` : ''}
            GROUP BY t.idempotency_key) g`,
    params: (ctx) => keyScopeParams(ctx.scope),
  };
}

export const KEYED_TABLE_PASSES = {
  ledger: keysPass('ledger', null, `coalesce(-sum(t.amount_cents) FILTER (WHERE t.kind = 'reentry_fee'), 0) AS fee`, `${total('fee')} AS reentry_fee_cents`),
  orders: keysPass('orders', null, 'sum(t.total_cents) AS cents', `${total('n')} AS rows, ${total('cents')} AS cents`),
  recharges: keysPass('recharges', null, 'sum(t.amount_cents) AS cents', `${total('n')} AS rows, ${total('cents')} AS cents`),
  funding_intents: keysPass('funding_intents', null,
    `count(*) FILTER (WHERE t.status IN ('confirmed', 'failed')) AS settled, coalesce(sum(t.amount_cents) FILTER (WHERE t.status = 'confirmed'), 0) AS cents`,
    `${total('settled')} AS settled, ${total('cents')} AS cents`),
  nfc_scan_log: keysPass('nfc_scan_log', `t.result IN ${EFFECTIVE_SCAN_RESULTS}`,
    `count(*) FILTER (WHERE t.result IN ${ADMISSION_RESULTS}) AS admissions, count(*) FILTER (WHERE t.result = 'exited') AS exits`,
    `${total('admissions')} AS admissions, ${total('exits')} AS exits`),
} as const;

export const PASSES: Readonly<Record<PassName, Pass>> = {
  wallets: WALLETS,
  ledger: LEDGER,
  audit: AUDIT,
  orders: ORDERS,
  order_lines: ORDER_LINES,
  recharges: RECHARGES,
  funding: FUNDING,
  scans: SCANS,
  idempotency_keys: IDEMPOTENCY_KEYS,
  'keys:ledger': KEYED_TABLE_PASSES.ledger,
  'keys:orders': KEYED_TABLE_PASSES.orders,
  'keys:recharges': KEYED_TABLE_PASSES.recharges,
  'keys:funding_intents': KEYED_TABLE_PASSES.funding_intents,
  'keys:nfc_scan_log': KEYED_TABLE_PASSES.nfc_scan_log,
};
