// Small SQL fixtures for the stored-procedure tests: a catalog (vendor, products, terminal,
// gateway), wallets, settings, and readers for the invariants the tests assert.
import pg from 'pg';

type Db = pg.Pool | pg.PoolClient | pg.Client;

/** jsonb result of an sp_* / get_* function. */
export interface SpResult {
  ok: boolean;
  http_status: number;
  code?: string;
  message?: string;
  replayed?: true;
  [field: string]: unknown;
}

/** `SELECT fn($1, $2, ...)`, returning the jsonb result. */
export async function call(db: Db, fn: string, ...args: unknown[]): Promise<SpResult> {
  if (!/^[a-z_]+$/.test(fn)) throw new Error(`bad function name ${fn}`);
  const params = args.map((_, i) => `$${i + 1}`).join(', ');
  const { rows } = await db.query(`SELECT ${fn}(${params}) AS r`, args);
  return rows[0].r as SpResult;
}

/** A pool whose sessions run with the given defect modes (moshpit.defects GUC). */
export function defectPool(url: string, defects: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, options: `-c moshpit.defects=${defects}` });
  // The test database is dropped with force at teardown: its idle sessions are terminated then.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export const CATALOG = {
  vendor: 'v-bar',
  terminal: 't-bar-1',
  gateway: 'g-door-1',
  beer: { id: 'p-beer', price: 650 },
  water: { id: 'p-water', price: 250 },
  cent20: { id: 'p-20', price: 20 },     // fee 0.5 cent at 250 bps: rounding matters
  retired: { id: 'p-retired', price: 400 }, // inactive
} as const;

export async function seedCatalog(db: Db): Promise<void> {
  await db.query(`INSERT INTO vendors (id, name) VALUES ($1, 'Main bar') ON CONFLICT DO NOTHING`, [CATALOG.vendor]);
  for (const [p, active] of [[CATALOG.beer, true], [CATALOG.water, true], [CATALOG.cent20, true], [CATALOG.retired, false]] as const) {
    await db.query(
      `INSERT INTO products (id, vendor_id, name, price_cents, active) VALUES ($1, $2, $1, $3, $4) ON CONFLICT DO NOTHING`,
      [p.id, CATALOG.vendor, p.price, active],
    );
  }
  await db.query(`INSERT INTO terminals (id, vendor_id, name) VALUES ($1, $2, 'Bar 1') ON CONFLICT DO NOTHING`, [CATALOG.terminal, CATALOG.vendor]);
  await db.query(`INSERT INTO gateways (id, name) VALUES ($1, 'Door 1') ON CONFLICT DO NOTHING`, [CATALOG.gateway]);
}

export interface WalletSpec { balance?: number; status?: 'active' | 'blocked'; inside?: boolean; entryCount?: number }

export async function createWallet(db: Db, id: string, spec: WalletSpec = {}): Promise<string> {
  const balance = spec.balance ?? 0;
  await db.query(
    `INSERT INTO wallets (id, balance_cents, opening_balance_cents, status, inside, entry_count)
     VALUES ($1, $2, $2, $3, $4, $5)`,
    [id, balance, spec.status ?? 'active', spec.inside ?? false, spec.entryCount ?? 0],
  );
  return id;
}

export async function setSettings(db: Db, s: { feeBps?: number; reentryFee?: number; capacity?: number }): Promise<void> {
  await db.query(
    `UPDATE festival_settings SET platform_fee_bps = coalesce($1, platform_fee_bps),
       reentry_fee_cents = coalesce($2, reentry_fee_cents), venue_capacity = coalesce($3, venue_capacity)`,
    [s.feeBps ?? null, s.reentryFee ?? null, s.capacity ?? null],
  );
}

export async function setOccupancy(db: Db, n: number): Promise<void> {
  await db.query(`UPDATE venue_state SET occupancy = $1`, [n]);
}

export async function occupancy(db: Db): Promise<number> {
  return (await db.query(`SELECT occupancy FROM venue_state`)).rows[0].occupancy as number;
}

export interface WalletRow { balance: number; inside: boolean; entryCount: number; status: string }

export async function wallet(db: Db, id: string): Promise<WalletRow> {
  const { rows } = await db.query(`SELECT balance_cents, inside, entry_count, status FROM wallets WHERE id = $1`, [id]);
  if (!rows[0]) throw new Error(`no wallet ${id}`);
  return { balance: Number(rows[0].balance_cents), inside: rows[0].inside, entryCount: rows[0].entry_count, status: rows[0].status };
}

export async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.query(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0].n);
}

export interface LedgerCheck {
  opening: number;
  balance: number;
  ledgerSum: number;
  rows: number;
  /** opening + Σ ledger = balance */
  sumMatches: boolean;
  /** each row's balance_after = previous balance_after (or opening) + amount, in id order */
  chainIntact: boolean;
}

export async function ledgerCheck(db: Db, walletId: string): Promise<LedgerCheck> {
  const w = (await db.query(`SELECT balance_cents, opening_balance_cents FROM wallets WHERE id = $1`, [walletId])).rows[0];
  const { rows } = await db.query(
    `SELECT amount_cents, balance_after_cents FROM ledger WHERE wallet_id = $1 ORDER BY id`, [walletId]);
  const opening = Number(w.opening_balance_cents);
  let running = opening;
  let chainIntact = true;
  let sum = 0;
  for (const r of rows) {
    running += Number(r.amount_cents);
    sum += Number(r.amount_cents);
    if (Number(r.balance_after_cents) !== running) chainIntact = false;
  }
  const balance = Number(w.balance_cents);
  return { opening, balance, ledgerSum: sum, rows: rows.length, sumMatches: opening + sum === balance, chainIntact };
}

/** Counts of everything a write may touch; equal snapshots = no state change. */
export async function stateSnapshot(db: Db): Promise<Record<string, unknown>> {
  const { rows } = await db.query(`
    SELECT (SELECT count(*) FROM ledger) AS ledger,
           (SELECT count(*) FROM orders) AS orders,
           (SELECT count(*) FROM order_lines) AS order_lines,
           (SELECT count(*) FROM recharges) AS recharges,
           (SELECT count(*) FROM funding_intents) AS funding_intents,
           (SELECT count(*) FROM idempotency_keys) AS idempotency_keys,
           (SELECT json_agg(json_build_object('id', id, 'b', balance_cents, 'in', inside, 'n', entry_count, 's', status) ORDER BY id) FROM wallets) AS wallets,
           (SELECT json_agg(json_build_object('id', id, 's', status) ORDER BY id) FROM funding_intents) AS intents,
           (SELECT occupancy FROM venue_state) AS occupancy`);
  return rows[0];
}
