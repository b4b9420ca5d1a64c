// One aggregate query per large table, read once per validation: every count, sum and
// fingerprint the checkers need from that table (validate/README.md, "Single pass"). Checkers
// compare the passes' numbers in TypeScript (their `screen`), and run their exact witness
// query only when the numbers disagree. The scan log's checkers need row order: they share one
// ordered pass (a window over wallet_id, id with several frames, one sort).
import { ADMISSION_RESULTS, EFFECTIVE_SCAN_RESULTS } from '../checkers/gate-sequence.js';
import { keyScopeCondition, keyScopeParams } from '../checkers/key-scope.js';
import type { CheckContext } from '../types.js';
import { big, h32, hi, high32, hx, int, pairHash, sumOf, total, walletSeed, walletValueHash } from './fingerprints.js';

export type PassName =
  | 'wallets' | 'ledger' | 'ledger:chain' | 'audit' | 'orders' | 'order_lines' | 'recharges' | 'funding' | 'scans' | 'idempotency_keys'
  | 'keys:ledger' | 'keys:orders' | 'keys:recharges' | 'keys:funding_intents' | 'keys:nfc_scan_log';

export interface Pass {
  name: PassName;
  sql: string;
  params(ctx: Omit<CheckContext, 'db'>): unknown[];
  /**
   * The table whose rows the pass reads (its size orders the passes, biggest first) and
   * whether it reads them in order (a window: costs about twice a plain aggregate).
   */
  reads: { table: string; ordered?: boolean };
  /** Session settings for this pass only (SET LOCAL). */
  settings?: Record<string, string>;
  /** Reshapes the query's rows into what the screens read (e.g. groups into one row). */
  combine?(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>>;
}

const wallet = (ctx: Omit<CheckContext, 'db'>) => [ctx.scope.walletLike];

// "Which record of which wallet": a business record's key and its wallet hashed as a pair
// (ph: Σ ph counts the pairs, Σ high32(ph) × amount weighs them), the same expression on both
// sides of an invariant. Every pass reads its table through a subquery fenced with OFFSET 0:
// without the fence the planner inlines it, and each aggregate that reads s, r, hw or ph
// computes the LIKE or the hash again for every row.

const WALLETS: Pass = {
  name: 'wallets',
  reads: { table: 'wallets' },
  // Every wallet is read (the venue's inside count is global), scope sums filtered.
  sql: `
    SELECT count(*) FILTER (WHERE s) AS wallets,
           count(*) FILTER (WHERE s AND balance_cents < 0) AS negative,
           ${total('hw * (balance_cents - opening_balance_cents)', 's')} AS moved_fp,
           ${total('balance_cents - opening_balance_cents', 's')} AS moved_cents,
           count(*) FILTER (WHERE s AND inside) AS inside_scope,
           count(*) FILTER (WHERE inside) AS inside_all,
           ${total(hx('id'), 's AND inside')} AS inside_fp,
           ${total('hw * entry_count', 's')} AS entry_count_fp,
           ${total('entry_count', 's')} AS entry_count_sum,
           ${total(walletValueHash('opening_balance_cents', 'hw'), 's')} - ${total(walletValueHash('balance_cents', 'hw'), 's')} AS chain_ends_fp,
           (SELECT occupancy FROM venue_state) AS occupancy,
           (SELECT venue_capacity FROM festival_settings) AS venue_capacity,
           (SELECT count(*) FROM venue_state) AS venue_state_rows,
           (SELECT count(*) FROM festival_settings) AS festival_settings_rows
    FROM (SELECT w.id, w.balance_cents, w.opening_balance_cents, w.inside, w.entry_count,
                 w.id LIKE $1 AS s, ${walletSeed('w.id')} AS hw
          FROM wallets w OFFSET 0) w`,
  params: wallet,
};

const LEDGER_KINDS: ReadonlyArray<{ kind: string; sign: 1 | -1 }> = [
  { kind: 'order', sign: -1 },
  { kind: 'recharge', sign: 1 },
  { kind: 'funding', sign: 1 },
  { kind: 'reentry_fee', sign: -1 },
];

/**
 * Rows of the scope's wallets (s) and, for reconciliation's "held" side, of the run's keys (r):
 * one scan for both; every invariant aggregate is filtered by s. `columns`: what the pass
 * reads; hw is the wallet's seed, ph the pair hash of (keyColumn, wallet) when one is named.
 */
const scoped = (table: string, columns: string, keyColumn?: string) => `
  SELECT ${columns}, t.wallet_id LIKE $1 AS s, coalesce(t.idempotency_key LIKE $2::text, false) AS r,
         ${walletSeed('t.wallet_id')} AS hw${keyColumn ? `, ${pairHash(keyColumn, walletSeed('t.wallet_id'))} AS ph` : ''}
  FROM ${table} t WHERE t.wallet_id LIKE $1 OR t.idempotency_key LIKE $2::text
  OFFSET 0`;

const scopeAndRun = (ctx: Omit<CheckContext, 'db'>) => [ctx.scope.walletLike, ctx.scope.runKeyLike];

// The ledger is read in two passes: an aggregate pass (no order, so no sort or window) and a
// narrow ordered pass for the one thing that needs row order.
// Refused attempts (rejected, failed, replayed) of the scope: a ledger row written by one of
// their transactions is an effect they must not have. The aggregate pass counts ledger rows
// whose transaction (xmin) refused an attempt, hashed on the xid alone: the exact query also
// asks for the same wallet, so this can only find more, and then the exact query decides.
// The balance chain: each row's balance_after = the previous row's + amount, in id order per
// wallet (the ordered pass counts breaks, lag only). Its ends need no order: when no link is
// broken, Σ h(wallet, balance before) - Σ h(wallet, balance after) over a wallet's rows
// telescopes to h(first row's start) - h(last row's end), so the aggregate pass's chain_fp
// equals the wallets pass's Σ h(wallet, opening) - h(wallet, balance) exactly when every
// chain starts at its wallet's opening balance and ends at its balance.
const REFUSED_TRANSACTIONS = `SELECT a.xmin FROM app_transaction_log a
  WHERE a.status IN ('rejected', 'failed', 'replayed') AND a.wallet_id LIKE $1`;

const LEDGER: Pass = {
  name: 'ledger',
  reads: { table: 'ledger' },
  // Grouped by kind (four groups, one hash lookup a row) rather than a filter per kind per
  // aggregate. combine() flattens the groups.
  sql: `
    SELECT kind,
           count(*) FILTER (WHERE s) AS rows,
           ${total('hw * amount_cents', 's')} AS sum_fp,
           ${total(hi('id'), 's')} AS id_fp,
           ${total('ph', 's')} AS cfp,
           ${total(`${high32('ph')} * amount_cents`, 's')} AS afp,
           ${total('-amount_cents', 'r')} AS run_debited_cents,
           count(*) FILTER (WHERE s AND x IN (${REFUSED_TRANSACTIONS})) AS in_refused_transaction,
           ${total(walletValueHash('balance_after_cents - amount_cents', 'hw'), 's')}
             - ${total(walletValueHash('balance_after_cents', 'hw'), 's')} AS chain_fp
    FROM (${scoped('ledger', 't.kind, t.id, t.amount_cents, t.balance_after_cents, t.xmin AS x', 't.reference_id')}) l
    GROUP BY kind`,
  params: scopeAndRun,
  // One row: totals over the kinds, and <kind>_n / _cfp / _afp per kind (debits as positive amounts).
  combine(rows) {
    const out: Record<string, unknown> = {};
    for (const f of ['rows', 'sum_fp', 'id_fp', 'in_refused_transaction', 'chain_fp']) out[f] = int(sumOf(...rows.map((r) => r[f])));
    out.run_reentry_fee_cents = int(rows.find((r) => r.kind === 'reentry_fee')?.run_debited_cents);
    for (const { kind, sign } of LEDGER_KINDS) {
      const g = rows.find((r) => r.kind === kind);
      out[`${kind}_n`] = g?.rows ?? 0;
      out[`${kind}_cfp`] = g?.cfp ?? 0;
      out[`${kind}_afp`] = int(BigInt(sign) * big(g?.afp));
    }
    return [out];
  },
};

// The ledger's ordered pass: only the columns the link needs, one window function.
const LEDGER_CHAIN: Pass = {
  name: 'ledger:chain',
  reads: { table: 'ledger', ordered: true },
  sql: `
    SELECT count(*) FILTER (WHERE previous_balance IS NOT NULL AND balance_after_cents <> previous_balance + amount_cents) AS chain_breaks
    FROM (SELECT t.amount_cents, t.balance_after_cents,
                 lag(t.balance_after_cents) OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS previous_balance
          FROM ledger t WHERE t.wallet_id LIKE $1) c`,
  params: wallet,
};

// Grouped by what the report breaks down (type, status, code, in the run): a handful of groups.
// A rejected, failed or replayed attempt has an effect when it moved a balance, applied an
// amount or references a ledger row (sharing its transaction with a ledger row: ledger pass).
const AUDIT: Pass = {
  name: 'audit',
  reads: { table: 'app_transaction_log' },
  sql: `
    SELECT transaction_type, status, code, coalesce(in_run, false) AS in_run,
           count(*) AS n,
           count(ledger_id) AS ledger_refs,
           ${total(hi('ledger_id'), 'ledger_id IS NOT NULL')} AS ledger_ref_fp,
           count(*) FILTER (WHERE effect) AS with_effect
    FROM (
      SELECT a.transaction_type, a.status, a.code, a.ledger_id, a.idempotency_key LIKE $2::text AS in_run,
             CASE WHEN a.status IN ('rejected', 'failed', 'replayed') THEN
               a.previous_balance IS DISTINCT FROM a.new_balance OR a.amount_cents <> 0 OR a.ledger_id IS NOT NULL
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
  reads: { table: 'orders' },
  sql: `
    SELECT count(*) FILTER (WHERE s) AS n,
           count(*) FILTER (WHERE s AND status = 'completed') AS completed,
           count(*) FILTER (WHERE s AND status = 'offline_shortfall') AS offline_shortfall,
           ${total('shortfall_cents', 's')} AS shortfall_cents,
           ${total('total_cents - shortfall_cents', 's')} AS debited_cents,
           ${total('hw * (total_cents - shortfall_cents)', 's')} AS debited_wallet_fp,
           ${total('ph', 's')} AS debit_cfp,
           ${total(`${high32('ph')} * (total_cents - shortfall_cents)`, 's')} AS debit_afp,
           ${total('uuid_hash(id)::bigint * total_cents', 's')} AS total_fp,
           count(*) FILTER (WHERE s AND (platform_fee_cents <> ${EXPECTED_FEE} OR vendor_share_cents + platform_fee_cents <> total_cents)) AS fee_split_bad,
           count(*) FILTER (WHERE r) AS run_rows, ${total('total_cents', 'r')} AS run_cents
    FROM (${scoped('orders', 't.id, t.status, t.total_cents, t.shortfall_cents, t.platform_fee_cents, t.vendor_share_cents, t.fee_bps', 't.id::text')}) o`,
  params: scopeAndRun,
};

// Every line (lines carry no wallet): lines of other prefixes' orders make the totals
// disagree, and the exact query then decides.
const ORDER_LINES: Pass = {
  name: 'order_lines',
  reads: { table: 'order_lines' },
  sql: `
    SELECT count(*) AS n,
           count(*) FILTER (WHERE ol.line_total_cents <> ol.quantity * ol.unit_price_cents) AS bad_line,
           count(*) FILTER (WHERE p.price_cents IS DISTINCT FROM ol.unit_price_cents) AS off_price,
           ${total('uuid_hash(ol.order_id)::bigint * ol.line_total_cents')} AS total_fp
    FROM order_lines ol LEFT JOIN products p ON p.id = ol.product_id`,
  params: () => [],
};

// A credit table's rows (amount_cents; ph of its id and wallet): what the ledger's credits of
// that kind must match, and the run's share for reconciliation. Recharges and funding alike.
const CREDITS = `count(*) FILTER (WHERE s) AS n, ${total('amount_cents', 's')} AS cents,
           ${total('hw * amount_cents', 's')} AS wallet_fp,
           ${total('ph', 's')} AS credit_cfp,
           ${total(`${high32('ph')} * amount_cents`, 's')} AS credit_afp,
           count(*) FILTER (WHERE r) AS run_rows, ${total('amount_cents', 'r')} AS run_cents`;

const RECHARGES: Pass = {
  name: 'recharges',
  reads: { table: 'recharges' },
  sql: `
    SELECT ${CREDITS}
    FROM (${scoped('recharges', 't.amount_cents', 't.id::text')}) x`,
  params: scopeAndRun,
};

const FUNDING: Pass = {
  name: 'funding',
  reads: { table: 'funding_intents' },
  sql: `
    SELECT status, ${CREDITS}
    FROM (${scoped('funding_intents', 't.status, t.amount_cents', 't.id')}) x GROUP BY status`,
  params: scopeAndRun,
};

// The scan log's ordered pass: one window over (wallet_id, id), one frame (the default:
// every earlier scan of the wallet and this one).
//   balance: admissions - exits so far, this scan included. Effective scans alternate,
//            starting with an admission, exactly when it is 1 after every admission and 0
//            after every exit; then a wallet is inside exactly when its final balance is 1.
//   nth:     admissions so far, this one included.
const SCANS: Pass = {
  name: 'scans',
  reads: { table: 'nfc_scan_log', ordered: true },
  sql: `
    WITH s AS (
      SELECT s.id, s.wallet_id, s.result, s.entry_number, s.fee_cents, s.occupancy_after,
             s.result IN ${ADMISSION_RESULTS} AS adm, s.result = 'exited' AS ex,
             count(*) FILTER (WHERE s.result IN ${ADMISSION_RESULTS}) OVER w AS nth,
             count(*) FILTER (WHERE s.result = 'exited') OVER w AS exits_so_far,
             s.scanned_at - lag(s.scanned_at) OVER w AS since_previous
      FROM nfc_scan_log s WHERE s.wallet_id LIKE $1
      WINDOW w AS (PARTITION BY s.wallet_id ORDER BY s.id ROWS UNBOUNDED PRECEDING)
    ), f AS (SELECT reentry_fee_cents AS fee, venue_capacity AS cap FROM festival_settings)
    SELECT count(*) AS scans,
           count(*) FILTER (WHERE adm) AS admissions,
           count(*) FILTER (WHERE (adm AND nth - exits_so_far <> 1) OR (ex AND nth - exits_so_far <> 0)) AS out_of_sequence,
           count(*) FILTER (WHERE adm AND entry_number IS DISTINCT FROM nth) AS misnumbered,
           ${total(h32('wallet_id'), 'adm')} AS admissions_fp,
           count(*) FILTER (WHERE adm) - count(*) FILTER (WHERE ex) AS inside,
           ${total(hx('wallet_id'), 'adm')} - ${total(hx('wallet_id'), 'ex')} AS inside_fp,
           count(*) FILTER (WHERE adm AND fee_cents IS DISTINCT FROM CASE WHEN nth = 1 THEN 0 ELSE (SELECT fee FROM f) END) AS fee_recorded_bad,
           count(*) FILTER (WHERE adm AND nth > 1 AND (SELECT fee FROM f) <> 0) AS fee_due_n,
           ${total(pairHash('id::text', walletSeed('wallet_id')), 'adm AND nth > 1 AND (SELECT fee FROM f) <> 0')} AS fee_due_cfp,
           ${total(`${high32(pairHash('id::text', walletSeed('wallet_id')))} * (SELECT fee FROM f)`, 'adm AND nth > 1 AND (SELECT fee FROM f) <> 0')} AS fee_due_afp,
           ${total('fee_cents', 'adm')} AS fee_cents,
           ${total(`${h32('wallet_id')} * fee_cents`, 'adm AND fee_cents <> 0')} AS fee_wallet_fp,
           count(*) FILTER (WHERE adm AND occupancy_after > (SELECT cap FROM f)) AS over_capacity,
           max(occupancy_after) FILTER (WHERE adm) AS peak_occupancy_after,
           count(*) FILTER (WHERE since_previous < (SELECT make_interval(secs => $2))) AS duplicate_scans
    FROM s`,
  params: (ctx) => [ctx.scope.walletLike, ctx.bounds.duplicateScanWindowSeconds],
};

const IDEMPOTENCY_KEYS: Pass = {
  name: 'idempotency_keys',
  reads: { table: 'idempotency_keys' },
  sql: `
    SELECT count(*) FILTER (WHERE locked_at < (SELECT $3::timestamptz - make_interval(secs => $4))) AS stuck,
           count(*) FILTER (WHERE locked_at >= (SELECT $3::timestamptz - make_interval(secs => $4))) AS fresh_in_progress
    FROM idempotency_keys k
    WHERE k.status = 'in_progress' AND (CASE WHEN $2::text IS NULL THEN k.wallet_id LIKE $1 ELSE k.key LIKE $2 END)`,
  params: (ctx) => [ctx.scope.walletLike, ctx.scope.runKeyLike, ctx.asOf, ctx.bounds.stuckKeySeconds],
};

/**
 * Keys applied more than once, one keyed table at a time (no UNION of all tables): neighbours
 * in the key index's order (an index-only scan where no other column is needed, no hash of
 * millions of groups). Counts repeated rows; the exact query counts the keys.
 */
function keysPass(table: 'ledger' | 'orders' | 'recharges' | 'funding_intents' | 'nfc_scan_log', where: string | null, extra = ''): Pass {
  return {
    name: `keys:${table}`,
    reads: { table, ordered: true },
    sql: `
      SELECT count(*) FILTER (WHERE k = previous_k) AS repeated_keys${extra}
      FROM (SELECT t.idempotency_key AS k, lag(t.idempotency_key) OVER (ORDER BY t.idempotency_key USING ~<~) AS previous_k${extra ? ', t.result' : ''}
            FROM ${table} t
            WHERE t.idempotency_key IS NOT NULL AND ${keyScopeCondition('t')}${where ? ` AND ${where}` : ''}) g`,
    params: (ctx) => keyScopeParams(ctx.scope),
  };
}

export const KEYED_TABLE_PASSES = {
  ledger: keysPass('ledger', null),
  orders: keysPass('orders', null),
  recharges: keysPass('recharges', null),
  funding_intents: keysPass('funding_intents', null),
  // The scan log's effective scans of the run's keys are also reconciliation's entries and exits.
  nfc_scan_log: keysPass('nfc_scan_log', `t.result IN ${EFFECTIVE_SCAN_RESULTS}`,
    `, count(*) FILTER (WHERE result IN ${ADMISSION_RESULTS}) AS admissions, count(*) FILTER (WHERE result = 'exited') AS exits`),
} as const;

export const PASSES: Readonly<Record<PassName, Pass>> = {
  wallets: WALLETS,
  ledger: LEDGER,
  'ledger:chain': LEDGER_CHAIN,
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
