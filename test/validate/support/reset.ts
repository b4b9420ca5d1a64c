// Empties every table of the festival schema and restores the single-row settings, so each
// test in a file starts from the freshly migrated state without a new database.
import type pg from 'pg';

export async function resetFestivalTables(pool: pg.Pool): Promise<void> {
  await pool.query(`
    TRUNCATE wallets, vendors, products, terminals, gateways, ledger, app_transaction_log, nfc_scan_log,
             orders, order_lines, recharges, funding_intents, stripe_events, idempotency_keys
      RESTART IDENTITY CASCADE;
    UPDATE venue_state SET occupancy = 0;
    UPDATE festival_settings SET platform_fee_bps = 250, reentry_fee_cents = 500, venue_capacity = 4000;`);
}
