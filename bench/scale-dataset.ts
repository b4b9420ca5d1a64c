// Builds a consistent festival dataset at load-test scale, set-based: N wallets, 10 ledger
// rows each (recharge, Stripe funding, 7 orders, a re-entry fee), 7 orders with lines, 4 gate
// scans, a confirmed intent with its event, an audit row per ledger row plus one declined
// order per 10 wallets, and an idempotency key per keyed write. All under run id "bench".
// Every checker must pass on it: npm run bench (bench/validation.ts) and
// test/validate/scale/run-scale-check.ts time them.
import pg from 'pg';

const STATEMENTS = (n: number): Array<[string, string]> => [
  ['catalogue', `
    INSERT INTO vendors VALUES ('k6-test-vendor-1', 'Bar');
    INSERT INTO products (id, vendor_id, name, price_cents) VALUES ('k6-test-p-beer', 'k6-test-vendor-1', 'Lager', 650);
    INSERT INTO terminals VALUES ('k6-test-terminal-1', 'k6-test-vendor-1', 'Till');
    INSERT INTO gateways VALUES ('k6-test-gateway-1', 'Door 1');`],
  ['wallets', `
    INSERT INTO wallets (id, balance_cents, opening_balance_cents, inside, entry_count)
    SELECT 'k6-test-w-' || lpad(i::text, 7, '0'), 2950, 5000, false, 2 FROM generate_series(1, ${n}) i`],
  ['recharges', `
    INSERT INTO recharges (id, wallet_id, amount_cents, checkpoint_id, method, idempotency_key)
    SELECT md5('r' || i)::uuid, 'k6-test-w-' || lpad(i::text, 7, '0'), 1000, 'cp-1', 'cash', 'bench:recharge:' || i
    FROM generate_series(1, ${n}) i`],
  ['funding intents', `
    INSERT INTO funding_intents (id, wallet_id, amount_cents, status, idempotency_key, confirmed_at, confirmed_by_event)
    SELECT 'pi_' || i, 'k6-test-w-' || lpad(i::text, 7, '0'), 2000, 'confirmed', 'bench:funding_intent:' || i, now(), 'evt_' || i
    FROM generate_series(1, ${n}) i`],
  ['stripe events', `
    INSERT INTO stripe_events (event_id, event_type, intent_id, outcome)
    SELECT 'evt_' || i, 'payment_intent.succeeded', 'pi_' || i, 'applied' FROM generate_series(1, ${n}) i`],
  ['orders', `
    INSERT INTO orders (id, wallet_id, terminal_id, vendor_id, total_cents, platform_fee_cents, vendor_share_cents, fee_bps, status, idempotency_key)
    SELECT md5('o' || i || ':' || s)::uuid, 'k6-test-w-' || lpad(i::text, 7, '0'), 'k6-test-terminal-1', 'k6-test-vendor-1',
           650, 16, 634, 250, 'completed', 'bench:order:' || i || ':' || s
    FROM generate_series(1, ${n}) i, generate_series(1, 7) s`],
  ['order lines', `
    INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents, line_total_cents)
    SELECT md5('o' || i || ':' || s)::uuid, 1, 'k6-test-p-beer', 1, 650, 650
    FROM generate_series(1, ${n}) i, generate_series(1, 7) s`],
  // Scan ids (i-1)*4 + k: admitted, exited, readmitted (fee 500), exited.
  ['gate scans', `
    INSERT INTO nfc_scan_log (id, wallet_id, gateway_id, direction, result, entry_number, fee_cents, occupancy_after, idempotency_key, scanned_at)
    SELECT (i - 1) * 4 + k, 'k6-test-w-' || lpad(i::text, 7, '0'), 'k6-test-gateway-1',
           CASE WHEN k IN (1, 3) THEN 'entry' ELSE 'exit' END,
           (ARRAY['admitted', 'exited', 'readmitted', 'exited'])[k],
           CASE k WHEN 1 THEN 1 WHEN 3 THEN 2 END, CASE WHEN k = 3 THEN 500 ELSE 0 END,
           CASE WHEN k IN (1, 3) THEN 1 ELSE 0 END,
           'bench:' || CASE WHEN k IN (1, 3) THEN 'entry' ELSE 'exit' END || ':' || i || ':' || k,
           now() - make_interval(secs => (${n} - i) * 10 + (4 - k) * 60)
    FROM generate_series(1, ${n}) i, generate_series(1, 4) k;
    SELECT setval('nfc_scan_log_id_seq', ${n} * 4)`],
  // Ledger ids (i-1)*10 + s, chained per wallet from the opening balance.
  ['ledger', `
    INSERT INTO ledger (id, wallet_id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id)
    SELECT (i - 1) * 10 + s, 'k6-test-w-' || lpad(i::text, 7, '0'), e.kind, e.amount, 5000 + e.running, e.key_prefix || i || e.key_suffix,
           CASE e.kind WHEN 'recharge' THEN md5('r' || i)::uuid::text WHEN 'funding' THEN 'pi_' || i
                       WHEN 'reentry_fee' THEN ((i - 1) * 4 + 3)::text ELSE md5('o' || i || ':' || e.order_no)::uuid::text END
    FROM generate_series(1, ${n}) i
    CROSS JOIN (VALUES
      (1, 'recharge', 1000, 1000, 'bench:recharge:', '', 0), (2, 'funding', 2000, 3000, 'bench:funding_intent:', '', 0),
      (3, 'order', -650, 2350, 'bench:order:', ':1', 1), (4, 'order', -650, 1700, 'bench:order:', ':2', 2),
      (5, 'order', -650, 1050, 'bench:order:', ':3', 3), (6, 'order', -650, 400, 'bench:order:', ':4', 4),
      (7, 'order', -650, -250, 'bench:order:', ':5', 5), (8, 'order', -650, -900, 'bench:order:', ':6', 6),
      (9, 'reentry_fee', -500, -1400, 'bench:entry:', ':3', 0), (10, 'order', -650, -2050, 'bench:order:', ':7', 7)
    ) AS e(s, kind, amount, running, key_prefix, key_suffix, order_no);
    SELECT setval('ledger_id_seq', ${n} * 10)`],
  ['audit (one per ledger row)', `
    INSERT INTO app_transaction_log (wallet_id, transaction_type, status, amount_cents, previous_balance, new_balance, idempotency_key, ledger_id, reference_id)
    SELECT wallet_id, kind, 'completed', amount_cents, balance_after_cents - amount_cents, balance_after_cents, idempotency_key, id, reference_id
    FROM ledger`],
  ['audit (declined orders)', `
    INSERT INTO app_transaction_log (wallet_id, transaction_type, status, code, amount_cents, previous_balance, new_balance, idempotency_key)
    SELECT 'k6-test-w-' || lpad(i::text, 7, '0'), 'order', 'rejected', 'insufficient_funds', 0, 2950, 2950, 'bench:order:' || i || ':x'
    FROM generate_series(1, ${n}, 10) i`],
  ['idempotency keys', `
    INSERT INTO idempotency_keys (key, operation, wallet_id, request_hash, status, http_status, response, completed_at)
    SELECT idempotency_key, kind, wallet_id, md5(idempotency_key), 'completed', 201, '{}'::jsonb, now() FROM ledger`],
  ['analyze', 'ANALYZE'],
];

export async function generateScaleDataset(databaseUrl: string, wallets: number, log: (s: string) => void = console.log): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SET maintenance_work_mem = '512MB'; SET work_mem = '256MB'`);
    for (const [label, sql] of STATEMENTS(wallets)) {
      const t = performance.now();
      await client.query(sql);
      log(`  ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await client.end();
  }
}
