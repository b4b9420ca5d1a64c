-- moshpit reference festival platform: tables.
-- Money is bigint cents. Every balance change is one ledger row; every attempt is one audit row.
-- Invariants (non-negative balance, one application per idempotency key, capacity) are enforced
-- by the stored procedures in 002_procedures.sql, not by constraints here, on purpose: the
-- target's opt-in defect modes must be able to break them so the suite's validators can be
-- shown to catch each one. A production deployment would add the CHECK constraints as well.

CREATE TABLE IF NOT EXISTS festival_settings (
  id                 boolean PRIMARY KEY DEFAULT true CHECK (id),  -- exactly one row
  platform_fee_bps   integer NOT NULL DEFAULT 250 CHECK (platform_fee_bps BETWEEN 0 AND 10000),
  reentry_fee_cents  bigint  NOT NULL DEFAULT 500 CHECK (reentry_fee_cents >= 0),
  venue_capacity     integer NOT NULL DEFAULT 4000 CHECK (venue_capacity > 0)
);
INSERT INTO festival_settings (id) VALUES (true) ON CONFLICT DO NOTHING;

-- Live occupancy: one row, updated atomically with every admission and exit.
CREATE TABLE IF NOT EXISTS venue_state (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  occupancy  integer NOT NULL DEFAULT 0
);
INSERT INTO venue_state (id) VALUES (true) ON CONFLICT DO NOTHING;

-- "table_cards" in the source documents: a wristband / QR wallet.
CREATE TABLE IF NOT EXISTS wallets (
  id                     text PRIMARY KEY,
  holder_name            text NOT NULL DEFAULT '',
  email                  text NOT NULL DEFAULT '',
  status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
  balance_cents          bigint NOT NULL DEFAULT 0,
  opening_balance_cents  bigint NOT NULL DEFAULT 0,   -- balance when seeded; ledger sums start here
  inside                 boolean NOT NULL DEFAULT false,
  entry_count            integer NOT NULL DEFAULT 0,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS vendors (
  id    text PRIMARY KEY,
  name  text NOT NULL
);

CREATE TABLE IF NOT EXISTS products (
  id           text PRIMARY KEY,
  vendor_id    text NOT NULL REFERENCES vendors(id),
  name         text NOT NULL,
  price_cents  bigint NOT NULL CHECK (price_cents > 0),
  active       boolean NOT NULL DEFAULT true
);

-- Concession terminals (point-of-sale devices), each belonging to one vendor's stand.
CREATE TABLE IF NOT EXISTS terminals (
  id         text PRIMARY KEY,
  vendor_id  text NOT NULL REFERENCES vendors(id),
  name       text NOT NULL
);

-- Entry gateways (doors with QR/NFC scanners).
CREATE TABLE IF NOT EXISTS gateways (
  id    text PRIMARY KEY,
  name  text NOT NULL
);

-- Append-only money ledger. amount_cents is signed: credits > 0, debits < 0.
CREATE TABLE IF NOT EXISTS ledger (
  id                   bigserial PRIMARY KEY,
  wallet_id            text NOT NULL,
  kind                 text NOT NULL CHECK (kind IN ('order', 'reentry_fee', 'funding', 'recharge')),
  amount_cents         bigint NOT NULL,
  balance_after_cents  bigint NOT NULL,
  idempotency_key      text,
  reference_id         text,        -- order id, scan id, funding intent id, recharge id
  created_at           timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS ledger_wallet_idx ON ledger (wallet_id, id);
CREATE INDEX IF NOT EXISTS ledger_key_idx ON ledger (idempotency_key text_pattern_ops);
CREATE INDEX IF NOT EXISTS ledger_reference_idx ON ledger (reference_id);

-- "app_transaction_log" in the source documents: every operation attempt, including rejected
-- and failed ones, with the balance before and after as the procedure saw it.
CREATE TABLE IF NOT EXISTS app_transaction_log (
  id                 bigserial PRIMARY KEY,
  transaction_id     uuid NOT NULL DEFAULT gen_random_uuid(),
  wallet_id          text,
  transaction_type   text NOT NULL,   -- order | reentry_fee | entry | exit | funding | funding_failed | recharge
  status             text NOT NULL CHECK (status IN ('completed', 'rejected', 'failed', 'replayed')),
  code               text,            -- rejection / error code (core/error-codes.ts)
  amount_cents       bigint NOT NULL DEFAULT 0,   -- signed, as applied (0 when nothing applied)
  previous_balance   bigint,
  new_balance        bigint,
  idempotency_key    text,
  ledger_id          bigint,          -- the ledger row this attempt wrote, if any
  reference_id       text,
  details            jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS audit_wallet_idx ON app_transaction_log (wallet_id, id);
CREATE INDEX IF NOT EXISTS audit_ledger_idx ON app_transaction_log (ledger_id);
CREATE INDEX IF NOT EXISTS audit_key_idx ON app_transaction_log (idempotency_key text_pattern_ops);

-- "nfc_scan_log" in the source documents: every gate scan and what came of it.
CREATE TABLE IF NOT EXISTS nfc_scan_log (
  id               bigserial PRIMARY KEY,
  wallet_id        text NOT NULL,
  gateway_id       text NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('entry', 'exit')),
  result           text NOT NULL,    -- admitted | readmitted | exited | duplicate_entry | capacity_reached | insufficient_funds | not_inside | wallet_not_found | wallet_blocked
  entry_number     integer,          -- for admissions: 1 = first entry, 2 = first re-entry, ...
  fee_cents        bigint NOT NULL DEFAULT 0,
  occupancy_after  integer,          -- venue occupancy right after this scan was applied
  idempotency_key  text,
  scanned_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS scan_wallet_idx ON nfc_scan_log (wallet_id, id);
CREATE INDEX IF NOT EXISTS scan_key_idx ON nfc_scan_log (idempotency_key text_pattern_ops);

CREATE TABLE IF NOT EXISTS orders (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  wallet_id           text NOT NULL,
  terminal_id         text NOT NULL,
  vendor_id           text NOT NULL,
  total_cents         bigint NOT NULL,
  platform_fee_cents  bigint NOT NULL,
  vendor_share_cents  bigint NOT NULL,
  fee_bps             integer NOT NULL,
  status              text NOT NULL CHECK (status IN ('completed', 'offline_shortfall')),
  idempotency_key     text,
  device_order_id     text,       -- offline terminals: id generated on the device
  device_seq          bigint,     -- offline terminals: device sequence number
  shortfall_cents     bigint NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS orders_wallet_idx ON orders (wallet_id);
CREATE INDEX IF NOT EXISTS orders_key_idx ON orders (idempotency_key text_pattern_ops);

CREATE TABLE IF NOT EXISTS order_lines (
  order_id          uuid NOT NULL REFERENCES orders(id),
  line_no           integer NOT NULL,
  product_id        text NOT NULL,
  quantity          integer NOT NULL CHECK (quantity > 0),
  unit_price_cents  bigint NOT NULL,
  line_total_cents  bigint NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE IF NOT EXISTS recharges (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  wallet_id        text NOT NULL,
  amount_cents     bigint NOT NULL CHECK (amount_cents > 0),
  checkpoint_id    text NOT NULL,
  method           text NOT NULL CHECK (method IN ('cash', 'card')),
  idempotency_key  text,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS recharges_key_idx ON recharges (idempotency_key text_pattern_ops);

-- Wallet funding through Stripe: a PaymentIntent per funding, credited by webhook.
CREATE TABLE IF NOT EXISTS funding_intents (
  id               text PRIMARY KEY,    -- Stripe PaymentIntent id (pi_...)
  wallet_id        text NOT NULL,
  amount_cents     bigint NOT NULL CHECK (amount_cents > 0),
  status           text NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
  idempotency_key  text,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  confirmed_at     timestamptz,
  failed_at        timestamptz,
  confirmed_by_event text
);
CREATE INDEX IF NOT EXISTS funding_wallet_idx ON funding_intents (wallet_id);
CREATE INDEX IF NOT EXISTS funding_key_idx ON funding_intents (idempotency_key text_pattern_ops);

-- Every Stripe event delivery that passed signature verification.
CREATE TABLE IF NOT EXISTS stripe_events (
  id            bigserial PRIMARY KEY,
  event_id      text NOT NULL,      -- evt_...; deliveries of one event repeat it
  event_type    text NOT NULL,
  intent_id     text,
  outcome       text NOT NULL,      -- applied | duplicate | ignored | unknown_intent | superseded
  received_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS stripe_events_event_idx ON stripe_events (event_id);
CREATE INDEX IF NOT EXISTS stripe_events_intent_idx ON stripe_events (intent_id);

-- Idempotency-Key records (IETF draft semantics). One row per key, written in the same
-- transaction as the effect it guards, so a key is never "applied" without its effect.
-- status 'in_progress' exists for deployments that record keys before the effect; the
-- reference procedures complete keys atomically and never leave one in progress.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key            text PRIMARY KEY,
  operation      text NOT NULL,
  wallet_id      text,              -- lets cleanup find a test wallet's keys
  request_hash   text NOT NULL,
  status         text NOT NULL CHECK (status IN ('in_progress', 'completed')),
  http_status    integer,
  response       jsonb,
  locked_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  completed_at   timestamptz
);
-- Prefix lookups (key LIKE 'k6-test-%'). Under the C collation the primary key's btree
-- already serves them, and a second index on the same column only costs every write; under a
-- linguistic collation (a Supabase project's en_US.UTF-8, say) they need text_pattern_ops.
DO $$
BEGIN
  -- (datlocprovider, read through to_jsonb: the column exists from PostgreSQL 15 on.)
  IF EXISTS (SELECT 1 FROM pg_database AS d
             WHERE d.datname = current_database() AND d.datcollate IN ('C', 'POSIX')
               AND coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') <> 'i') THEN
    DROP INDEX IF EXISTS idempotency_keys_prefix_idx;
  ELSE
    CREATE INDEX IF NOT EXISTS idempotency_keys_prefix_idx ON idempotency_keys (key text_pattern_ops);
  END IF;
END
$$;
CREATE INDEX IF NOT EXISTS idempotency_keys_wallet_idx ON idempotency_keys (wallet_id);

-- Applied migrations.
CREATE TABLE IF NOT EXISTS schema_migrations (
  name        text PRIMARY KEY,
  applied_at  timestamptz NOT NULL DEFAULT now()
);
