-- moshpit reference festival platform: stored procedures.
--
-- Every sp_* function is one transaction when called as `SELECT sp_...(...)` and returns
-- jsonb {"ok", "http_status", "code"?, "message"?, "replayed"?, ...payload}; platform/API.md has
-- the payloads. Bad user input never raises: it becomes a 400/422 result. Anything that
-- raises is a bug (or an infrastructure failure) and rolls the whole call back.
--
-- Lock order (never violated, so these procedures cannot deadlock each other):
--   idempotency advisory lock (try-lock only, never waits)
--   -> funding_intents row -> wallets row -> venue_state row.
--
-- Opt-in defect modes (mp_defects) deliberately break single invariants so the suite's
-- validators can be shown to catch them; with `moshpit.defects` unset the code is correct.
-- The order logic is written once (mp_order_apply, mp_order_request_hash): 003_offline_sync.sql
-- calls the same functions, so a defect mode in it reaches online and offline orders alike.
-- So is the idempotency preamble of every write (validation refusal, key claim, replay):
-- mp_idem_open.
--
-- Re-runnable: stack/migrate.ts applies every file on every `up`.

-- ---------------------------------------------------------------------------------------
-- Shared helpers
-- ---------------------------------------------------------------------------------------

-- The defect modes switched on for this session. The server sets the custom GUC
-- moshpit.defects (comma-separated) per connection; unset/empty = none. Procedures read it
-- once per call into a text[] and test `'mode' = ANY (v_defects)`.
CREATE OR REPLACE FUNCTION mp_defects() RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN coalesce(current_setting('moshpit.defects', true), '') = '' THEN '{}'::text[]
    ELSE ARRAY(SELECT btrim(d.item)
               FROM unnest(string_to_array(current_setting('moshpit.defects', true), ',')) AS d(item)
               WHERE btrim(d.item) <> '')
  END
$$;

-- Is defect mode `name` switched on for this session? (For single checks and tests.)
CREATE OR REPLACE FUNCTION mp_defect(name text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT $1 <> '' AND $1 = ANY (mp_defects())
$$;

-- fee = total * bps / 10000 rounded half-up; twin of core/fees.ts platformFee().
-- Integer arithmetic only: for total >= 0 integer division is floor, so +5000 rounds half-up.
CREATE OR REPLACE FUNCTION mp_platform_fee(total bigint, bps integer) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  IF total < 0 THEN
    RAISE EXCEPTION 'mp_platform_fee: total must be >= 0, got %', total;
  END IF;
  IF bps < 0 OR bps > 10000 THEN
    RAISE EXCEPTION 'mp_platform_fee: fee rate must be 0..10000 bps, got %', bps;
  END IF;
  RETURN (total * bps + 5000) / 10000;
END
$$;

CREATE OR REPLACE FUNCTION mp_error(p_http_status integer, p_code text, p_message text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('ok', false, 'http_status', p_http_status, 'code', p_code, 'message', p_message)
$$;

-- Identifiers from user input go into indexed audit/log columns only when they are of sane
-- length: an oversized value would make the btree insert fail (an SQL error for bad input).
CREATE OR REPLACE FUNCTION mp_clip(p_value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(p_value) <= 255 THEN p_value END
$$;

-- NULL when p_value is a usable identifier, else a 400 result naming the field.
CREATE OR REPLACE FUNCTION mp_check_id(p_field text, p_value text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_value IS NULL OR btrim(p_value) = '' THEN mp_error(400, 'validation_failed', p_field || ' is required')
    WHEN length(p_value) > 255 THEN mp_error(400, 'validation_failed', p_field || ' is longer than 255 characters')
  END
$$;

-- One app_transaction_log row. Every attempt writes exactly one (defect missing_audit aside).
CREATE OR REPLACE FUNCTION mp_audit(
  p_wallet_id text, p_type text, p_status text, p_code text, p_amount bigint,
  p_previous bigint, p_new bigint, p_key text, p_ledger_id bigint, p_reference text, p_details jsonb
) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  INSERT INTO app_transaction_log (wallet_id, transaction_type, status, code, amount_cents, previous_balance,
                                   new_balance, idempotency_key, ledger_id, reference_id, details)
  VALUES (mp_clip(p_wallet_id), p_type, p_status, p_code, coalesce(p_amount, 0), p_previous,
          p_new, mp_clip(p_key), p_ledger_id, p_reference, coalesce(p_details, '{}'::jsonb))
  RETURNING id
$$;

-- Audit row for a request answered before any business logic ran (400s, key conflicts).
CREATE OR REPLACE FUNCTION mp_audit_refusal(p_wallet_id text, p_type text, p_key text, p_result jsonb) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT mp_audit(p_wallet_id, p_type, 'rejected', p_result->>'code', 0, NULL, NULL, p_key, NULL, NULL,
                  jsonb_build_object('http_status', p_result->'http_status', 'message', p_result->'message'));
$$;

-- ---------------------------------------------------------------------------------------
-- Idempotency keys (IETF draft semantics), all inside the caller's transaction
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION mp_idem_key_error(p_key text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_key IS NULL OR btrim(p_key) = '' THEN
      mp_error(400, 'idempotency_key_missing', 'an Idempotency-Key is required for every write')
    WHEN length(p_key) > 255 THEN
      mp_error(400, 'validation_failed', 'Idempotency-Key is longer than 255 characters')
  END
$$;

-- Claims p_key for this transaction. action:
--   proceed: key unused, the xact advisory lock is ours until commit;
--   replay:  completed with the same request hash, result = stored response + "replayed": true;
--   error:   result = 409 idempotency_key_in_flight or 422 idempotency_key_reused.
-- The try-lock never waits: a concurrent holder is a request still running (409). Once the
-- holder commits, its idempotency_keys row is visible to our next statement's snapshot.
CREATE OR REPLACE FUNCTION mp_idem_claim(p_key text, p_hash text, OUT action text, OUT result jsonb)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_row idempotency_keys%ROWTYPE;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended(p_key, 0)) THEN
    action := 'error';
    result := mp_error(409, 'idempotency_key_in_flight', 'a request with this Idempotency-Key is still being processed');
    RETURN;
  END IF;
  SELECT * INTO v_row FROM idempotency_keys WHERE key = p_key;
  IF NOT FOUND THEN
    action := 'proceed';
  ELSIF v_row.request_hash <> p_hash THEN
    action := 'error';
    result := mp_error(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  ELSIF v_row.status <> 'completed' THEN
    -- Written by a deployment that records keys before the effect: treat as still running.
    action := 'error';
    result := mp_error(409, 'idempotency_key_in_flight', 'a request with this Idempotency-Key is still being processed');
  ELSE
    action := 'replay';
    result := v_row.response || '{"replayed": true}'::jsonb;
  END IF;
END
$$;

-- Stores the outcome in the same transaction as its effect. Pure validation errors (400)
-- are not stored: the client may fix the request and retry under the same key.
CREATE OR REPLACE FUNCTION mp_idem_complete(p_key text, p_operation text, p_hash text, p_wallet_id text, p_result jsonb)
RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO idempotency_keys (key, operation, wallet_id, request_hash, status, http_status, response, completed_at)
  SELECT p_key, p_operation, mp_clip(p_wallet_id), p_hash, 'completed', (p_result->>'http_status')::integer,
         p_result, clock_timestamp()
  WHERE (p_result->>'http_status')::integer <> 400
$$;

-- Audit row for a replay: no effect, the balance as currently seen before and after.
CREATE OR REPLACE FUNCTION mp_audit_replay(p_wallet_id text, p_type text, p_key text, p_result jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_balance bigint;
BEGIN
  SELECT balance_cents INTO v_balance FROM wallets WHERE id = p_wallet_id;
  PERFORM mp_audit(p_wallet_id, p_type, 'replayed', NULL, 0, v_balance, v_balance, p_key, NULL, NULL,
                   jsonb_build_object('original_http_status', p_result->'http_status',
                                      'original_code', p_result->'code'));
END
$$;

-- The idempotency preamble of every write, written once. Answers NULL when the caller goes on
-- (p_key claimed: its advisory lock is held until commit), else the answer to give back,
-- already audited:
--   p_err, the caller's input validation (400): audited as a refusal, the key is not touched;
--   key in flight (409) or reused with another request (422): audited as a refusal;
--   completed before with the same request: the stored response + "replayed": true, audited
--   by mp_audit_replay unless p_audit_replay is false (the caller audits that replay itself).
-- p_hash is only read when p_err is NULL.
CREATE OR REPLACE FUNCTION mp_idem_open(p_key text, p_hash text, p_wallet_id text, p_type text,
                                        p_err jsonb DEFAULT NULL, p_audit_replay boolean DEFAULT true)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_claim record;
BEGIN
  IF p_err IS NOT NULL THEN
    PERFORM mp_audit_refusal(p_wallet_id, p_type, p_key, p_err);
    RETURN p_err;
  END IF;
  SELECT * INTO v_claim FROM mp_idem_claim(p_key, p_hash);
  IF v_claim.action = 'error' THEN
    PERFORM mp_audit_refusal(p_wallet_id, p_type, p_key, v_claim.result);
  ELSIF v_claim.action = 'replay' AND p_audit_replay THEN
    PERFORM mp_audit_replay(p_wallet_id, p_type, p_key, v_claim.result);
  END IF;
  RETURN v_claim.result;  -- NULL on proceed
END
$$;

-- ---------------------------------------------------------------------------------------
-- Gate scans: entry (first admission / paid re-entry) and exit
-- ---------------------------------------------------------------------------------------

-- A definite gate rejection: one scan log row, one audit row, nothing else changes.
CREATE OR REPLACE FUNCTION mp_gate_reject(
  p_key text, p_wallet_id text, p_gateway_id text, p_direction text, p_type text, p_balance bigint,
  p_http_status integer, p_code text, p_message text, p_details jsonb DEFAULT '{}'::jsonb
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_scan_id bigint;
BEGIN
  INSERT INTO nfc_scan_log (wallet_id, gateway_id, direction, result, idempotency_key)
  VALUES (p_wallet_id, p_gateway_id, p_direction, p_code, p_key)
  RETURNING id INTO v_scan_id;
  PERFORM mp_audit(p_wallet_id, p_type, 'rejected', p_code, 0, p_balance, p_balance, p_key, NULL, v_scan_id::text,
                   jsonb_build_object('gateway_id', p_gateway_id, 'direction', p_direction) || p_details);
  RETURN mp_error(p_http_status, p_code, p_message);
END
$$;

CREATE OR REPLACE FUNCTION mp_gate_scan_apply(p_key text, p_wallet_id text, p_gateway_id text, p_direction text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_wallet    wallets%ROWTYPE;
  v_settings  festival_settings%ROWTYPE;
  v_type      text := p_direction;   -- audit transaction_type: entry | reentry_fee | exit
  v_fee       bigint := 0;
  v_occupancy integer;
  v_new       bigint;
  v_result    text;
  v_scan_id   bigint;
  v_ledger_id bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM gateways WHERE id = p_gateway_id) THEN
    RETURN mp_gate_reject(p_key, p_wallet_id, p_gateway_id, p_direction, v_type, NULL,
                          422, 'unknown_gateway', format('gateway %s does not exist', p_gateway_id));
  END IF;

  -- Wallet first, venue_state second: the fixed lock order.
  SELECT * INTO v_wallet FROM wallets WHERE id = p_wallet_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN mp_gate_reject(p_key, p_wallet_id, p_gateway_id, p_direction, v_type, NULL,
                          404, 'wallet_not_found', format('wallet %s does not exist', p_wallet_id));
  END IF;
  IF v_wallet.status = 'blocked' THEN
    RETURN mp_gate_reject(p_key, p_wallet_id, p_gateway_id, p_direction, v_type, v_wallet.balance_cents,
                          403, 'wallet_blocked', format('wallet %s is blocked', p_wallet_id));
  END IF;

  SELECT * INTO v_settings FROM festival_settings WHERE id;

  IF p_direction = 'entry' THEN
    IF v_wallet.inside THEN
      RETURN mp_gate_reject(p_key, p_wallet_id, p_gateway_id, p_direction, v_type, v_wallet.balance_cents,
                            409, 'duplicate_entry', format('wallet %s is already inside', p_wallet_id));
    END IF;
    IF v_wallet.entry_count >= 1 THEN
      v_fee := v_settings.reentry_fee_cents;
    END IF;
    IF v_fee > 0 THEN
      v_type := 'reentry_fee';
    END IF;
    -- Funds before capacity: a declined re-entry must not hold a slot.
    IF v_wallet.balance_cents < v_fee THEN
      RETURN mp_gate_reject(p_key, p_wallet_id, p_gateway_id, p_direction, v_type, v_wallet.balance_cents,
                            402, 'insufficient_funds',
                            format('re-entry fee is %s cents, balance is %s cents', v_fee, v_wallet.balance_cents),
                            jsonb_build_object('fee_cents', v_fee));
    END IF;

    IF mp_defect('capacity_not_enforced') THEN
      -- defect: takes a slot without looking at the capacity.
      UPDATE venue_state SET occupancy = occupancy + 1 WHERE id RETURNING occupancy INTO v_occupancy;
    ELSE
      -- Atomic check-and-take: concurrent scans re-check the predicate on the locked row.
      UPDATE venue_state SET occupancy = occupancy + 1
      WHERE id AND occupancy < v_settings.venue_capacity
      RETURNING occupancy INTO v_occupancy;
      IF NOT FOUND THEN
        RETURN mp_gate_reject(p_key, p_wallet_id, p_gateway_id, p_direction, v_type, v_wallet.balance_cents,
                              409, 'capacity_reached',
                              format('venue is at capacity (%s)', v_settings.venue_capacity));
      END IF;
    END IF;

    v_result := CASE WHEN v_wallet.entry_count = 0 THEN 'admitted' ELSE 'readmitted' END;
    UPDATE wallets
    SET inside = true, entry_count = entry_count + 1, balance_cents = balance_cents - v_fee, updated_at = now()
    WHERE id = p_wallet_id
    RETURNING balance_cents INTO v_new;

    INSERT INTO nfc_scan_log (wallet_id, gateway_id, direction, result, entry_number, fee_cents, occupancy_after, idempotency_key)
    VALUES (p_wallet_id, p_gateway_id, 'entry', v_result, v_wallet.entry_count + 1, v_fee, v_occupancy, p_key)
    RETURNING id INTO v_scan_id;

    IF v_fee > 0 THEN
      INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id)
      VALUES (p_wallet_id, 'reentry_fee', -v_fee, v_new, p_key, v_scan_id::text)
      RETURNING id INTO v_ledger_id;
    END IF;

    PERFORM mp_audit(p_wallet_id, v_type, 'completed', NULL, -v_fee, v_wallet.balance_cents, v_new, p_key,
                     v_ledger_id, v_scan_id::text,
                     jsonb_build_object('gateway_id', p_gateway_id, 'direction', 'entry', 'result', v_result,
                                        'entry_number', v_wallet.entry_count + 1, 'occupancy_after', v_occupancy));

    RETURN jsonb_build_object('ok', true, 'http_status', 200, 'result', v_result,
                              'entry_number', v_wallet.entry_count + 1, 'fee_cents', v_fee,
                              'balance_cents', v_new, 'occupancy', v_occupancy);
  END IF;

  -- exit
  IF NOT v_wallet.inside THEN
    RETURN mp_gate_reject(p_key, p_wallet_id, p_gateway_id, p_direction, v_type, v_wallet.balance_cents,
                          409, 'not_inside', format('wallet %s is not inside', p_wallet_id));
  END IF;
  IF mp_defect('exit_not_recorded') THEN
    -- defect: reports and logs the exit, but neither the wallet nor the occupancy changes.
    SELECT occupancy INTO v_occupancy FROM venue_state WHERE id;
  ELSE
    UPDATE venue_state SET occupancy = occupancy - 1 WHERE id RETURNING occupancy INTO v_occupancy;
    UPDATE wallets SET inside = false, updated_at = now() WHERE id = p_wallet_id;
  END IF;

  INSERT INTO nfc_scan_log (wallet_id, gateway_id, direction, result, fee_cents, occupancy_after, idempotency_key)
  VALUES (p_wallet_id, p_gateway_id, 'exit', 'exited', 0, v_occupancy, p_key)
  RETURNING id INTO v_scan_id;
  PERFORM mp_audit(p_wallet_id, 'exit', 'completed', NULL, 0, v_wallet.balance_cents, v_wallet.balance_cents, p_key,
                   NULL, v_scan_id::text,
                   jsonb_build_object('gateway_id', p_gateway_id, 'direction', 'exit', 'result', 'exited',
                                      'occupancy_after', v_occupancy));
  RETURN jsonb_build_object('ok', true, 'http_status', 200, 'result', 'exited', 'occupancy', v_occupancy);
END
$$;

CREATE OR REPLACE FUNCTION sp_process_gate_scan(p_idempotency_key text, p_wallet_id text, p_gateway_id text, p_direction text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_type   text := CASE WHEN p_direction = 'exit' THEN 'exit' ELSE 'entry' END;
  v_err    jsonb;
  v_hash   text;
  v_answer jsonb;
  v_result jsonb;
BEGIN
  v_err := coalesce(mp_idem_key_error(p_idempotency_key),
                    mp_check_id('wallet_id', p_wallet_id),
                    mp_check_id('gateway_id', p_gateway_id),
                    CASE WHEN p_direction IS NULL OR p_direction NOT IN ('entry', 'exit')
                         THEN mp_error(400, 'validation_failed', 'direction must be entry or exit') END);
  v_hash := md5(jsonb_build_object('fn', 'sp_process_gate_scan', 'wallet_id', p_wallet_id,
                                   'gateway_id', p_gateway_id, 'direction', p_direction)::text);
  v_answer := mp_idem_open(p_idempotency_key, v_hash, p_wallet_id, v_type, v_err);
  IF v_answer IS NOT NULL THEN
    RETURN v_answer;
  END IF;

  v_result := mp_gate_scan_apply(p_idempotency_key, p_wallet_id, p_gateway_id, p_direction);
  PERFORM mp_idem_complete(p_idempotency_key, p_direction, v_hash, p_wallet_id, v_result);
  RETURN v_result;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Concession orders
-- ---------------------------------------------------------------------------------------

-- NULL when p_items is a well-formed order, else a 400 result. Pure: reads no tables.
CREATE OR REPLACE FUNCTION mp_check_order_items(p_items jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_n    integer;
  v_item jsonb;
  v_i    integer := 0;
  v_q    numeric;
BEGIN
  IF p_items IS NULL OR jsonb_typeof(p_items) <> 'array' THEN
    RETURN mp_error(400, 'validation_failed', 'items must be a JSON array');
  END IF;
  v_n := jsonb_array_length(p_items);
  IF v_n = 0 OR v_n > 50 THEN
    RETURN mp_error(400, 'validation_failed', format('items must have 1..50 lines, got %s', v_n));
  END IF;
  FOR v_item IN SELECT e FROM jsonb_array_elements(p_items) AS e LOOP
    v_i := v_i + 1;
    -- IS DISTINCT FROM: jsonb_typeof of a missing field is NULL, not a mismatch.
    IF jsonb_typeof(v_item) IS DISTINCT FROM 'object' THEN
      RETURN mp_error(400, 'validation_failed', format('items[%s] must be an object', v_i - 1));
    END IF;
    IF jsonb_typeof(v_item->'product_id') IS DISTINCT FROM 'string'
       OR mp_check_id('product_id', v_item->>'product_id') IS NOT NULL THEN
      RETURN mp_error(400, 'validation_failed', format('items[%s].product_id must be a non-empty string of at most 255 characters', v_i - 1));
    END IF;
    IF jsonb_typeof(v_item->'quantity') IS DISTINCT FROM 'number' THEN
      RETURN mp_error(400, 'validation_failed', format('items[%s].quantity must be an integer', v_i - 1));
    END IF;
    v_q := (v_item->'quantity')::numeric;
    IF v_q <> trunc(v_q) OR v_q < 1 OR v_q > 100 THEN
      RETURN mp_error(400, 'validation_failed', format('items[%s].quantity must be an integer 1..100', v_i - 1));
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

-- The request hash of one sale: the idempotency contract of an order, online or synced
-- offline. One sale, whichever way it reached us, hashes the same, so a sale first sent online
-- whose answer was lost and then queued offline is recognised as the same sale.
-- Existing keys store this value: the expression must stay byte-identical.
CREATE OR REPLACE FUNCTION mp_order_request_hash(p_wallet_id text, p_terminal_id text, p_items jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT md5(jsonb_build_object('fn', 'sp_process_bar_order', 'wallet_id', p_wallet_id,
                                'terminal_id', p_terminal_id, 'items', p_items)::text)
$$;

-- The one order-apply path: pricing, fee, wallet debit, order and lines, ledger and audit,
-- for an online order (p_offline_sale NULL) and an offline-synced sale (p_offline_sale = the
-- device's order: device_order_id, device_seq, sold_at). What differs is what a blocked or
-- short wallet means:
--   online:  403 wallet_blocked / 402 insufficient_funds, and nothing changes;
--   offline: the sale already happened, so the wallet pays what it can cover (nothing when
--            blocked) and the rest is the order's shortfall_cents (status offline_shortfall).
-- Online it takes the wallet row lock; offline the caller holds it already.
-- p_defects: the caller's mp_defects(), read once per call.
CREATE OR REPLACE FUNCTION mp_order_apply(p_key text, p_wallet_id text, p_terminal terminals, p_items jsonb,
                                          p_offline_sale jsonb, p_defects text[])
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_offline     boolean := p_offline_sale IS NOT NULL;
  v_lost_update boolean := p_offline_sale IS NULL AND 'lost_update' = ANY (p_defects);
  v_details     jsonb;    -- what every audit row of this order says about where it came from
  v_device_id   text;
  v_device_seq  bigint;
  v_wallet      wallets%ROWTYPE;
  v_missing     text;
  v_bps         integer;
  v_total       bigint;
  v_fee         bigint;
  v_fee_stored  bigint;
  v_share       bigint;
  v_prev        bigint;
  v_covered     bigint;
  v_shortfall   bigint;
  v_new         bigint;
  v_order_id    uuid;
  v_ledger_id   bigint;
  v_result      jsonb;
BEGIN
  IF v_offline THEN
    v_device_id := p_offline_sale->>'device_order_id';
    v_device_seq := (p_offline_sale->'device_seq')::numeric::bigint;
    v_details := jsonb_strip_nulls(jsonb_build_object('offline', true, 'terminal_id', p_terminal.id,
                                                      'device_order_id', v_device_id, 'device_seq', v_device_seq,
                                                      'sold_at', p_offline_sale->>'sold_at'));
    IF EXISTS (SELECT 1 FROM orders WHERE terminal_id = p_terminal.id AND device_order_id = v_device_id) THEN
      -- The device reused an id for a different sale (another key): nothing is applied.
      PERFORM mp_audit(p_wallet_id, 'order', 'rejected', 'device_order_conflict', 0, NULL, NULL, p_key, NULL, NULL, v_details);
      RETURN mp_error(409, 'device_order_conflict',
                      format('device order %s of terminal %s was already synced under another idempotency key', v_device_id, p_terminal.id));
    END IF;
  ELSE
    v_details := jsonb_build_object('terminal_id', p_terminal.id);
  END IF;

  SELECT min(i.pid) INTO v_missing
  FROM (SELECT e->>'product_id' AS pid FROM jsonb_array_elements(p_items) AS e) AS i
  LEFT JOIN products AS p ON p.id = i.pid AND p.active
  WHERE p.id IS NULL;
  IF v_missing IS NOT NULL THEN
    PERFORM mp_audit(p_wallet_id, 'order', 'rejected', 'unknown_product', 0, NULL, NULL, p_key, NULL, NULL,
                     v_details || jsonb_build_object('product_id', v_missing));
    RETURN mp_error(422, 'unknown_product', format('product %s does not exist or is not on sale', v_missing));
  END IF;

  IF v_offline OR v_lost_update THEN
    -- offline: locked by the caller. defect lost_update: no row lock, so a concurrent order
    -- can read the same balance.
    SELECT * INTO v_wallet FROM wallets WHERE id = p_wallet_id;
  ELSE
    SELECT * INTO v_wallet FROM wallets WHERE id = p_wallet_id FOR UPDATE;
  END IF;
  IF NOT FOUND THEN
    PERFORM mp_audit(p_wallet_id, 'order', 'rejected', 'wallet_not_found', 0, NULL, NULL, p_key, NULL, NULL, v_details);
    RETURN mp_error(404, 'wallet_not_found', format('wallet %s does not exist', p_wallet_id));
  END IF;
  v_prev := v_wallet.balance_cents;
  IF v_wallet.status = 'blocked' AND NOT v_offline THEN
    PERFORM mp_audit(p_wallet_id, 'order', 'rejected', 'wallet_blocked', 0, v_prev, v_prev, p_key, NULL, NULL, v_details);
    RETURN mp_error(403, 'wallet_blocked', format('wallet %s is blocked', p_wallet_id));
  END IF;

  SELECT platform_fee_bps INTO v_bps FROM festival_settings WHERE id;
  SELECT sum(p.price_cents * (e->'quantity')::numeric::bigint) INTO v_total
  FROM jsonb_array_elements(p_items) AS e
  JOIN products AS p ON p.id = e->>'product_id';
  v_fee := mp_platform_fee(v_total, v_bps);
  v_share := v_total - v_fee;
  -- defect fee_rounding: stores the truncated fee next to the half-up vendor share.
  v_fee_stored := CASE WHEN 'fee_rounding' = ANY (p_defects) THEN v_total * v_bps / 10000 ELSE v_fee END;

  -- What the wallet pays.
  IF v_wallet.status = 'blocked' THEN
    v_covered := 0;                                   -- offline: a blocked wristband is never debited
  ELSIF v_prev >= v_total OR 'no_funds_check' = ANY (p_defects) THEN
    v_covered := v_total;                             -- (defect no_funds_check: the balance may go negative)
  ELSIF v_offline THEN
    v_covered := greatest(least(v_prev, v_total), 0); -- the sale happened: take what the wallet covers
  ELSE
    v_new := v_prev;
    IF 'failed_op_moves_money' = ANY (p_defects) THEN
      -- defect: the declined order still drains what it can, with no ledger row.
      UPDATE wallets SET balance_cents = balance_cents - greatest(least(v_prev, v_total), 0), updated_at = now()
      WHERE id = p_wallet_id
      RETURNING balance_cents INTO v_new;
    END IF;
    PERFORM mp_audit(p_wallet_id, 'order', 'rejected', 'insufficient_funds', 0, v_prev, v_new, p_key, NULL, NULL,
                     v_details || jsonb_build_object('total_cents', v_total));
    RETURN mp_error(402, 'insufficient_funds',
                    format('order total is %s cents, balance is %s cents', v_total, v_prev));
  END IF;
  v_shortfall := v_total - v_covered;

  IF v_lost_update THEN
    -- defect: writes back a value computed from the stale read.
    PERFORM pg_sleep(0.01);
    v_new := v_prev - v_covered;
    UPDATE wallets SET balance_cents = v_new, updated_at = now() WHERE id = p_wallet_id;
  ELSE
    UPDATE wallets SET balance_cents = balance_cents - v_covered, updated_at = now()
    WHERE id = p_wallet_id
    RETURNING balance_cents INTO v_new;
  END IF;

  INSERT INTO orders (wallet_id, terminal_id, vendor_id, total_cents, platform_fee_cents, vendor_share_cents,
                      fee_bps, status, idempotency_key, device_order_id, device_seq, shortfall_cents)
  VALUES (p_wallet_id, p_terminal.id, p_terminal.vendor_id, v_total, v_fee_stored, v_share, v_bps,
          CASE WHEN v_shortfall > 0 THEN 'offline_shortfall' ELSE 'completed' END,
          p_key, v_device_id, v_device_seq, v_shortfall)
  RETURNING id INTO v_order_id;

  INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents, line_total_cents)
  SELECT v_order_id, e.ord::integer, p.id, (e.item->'quantity')::numeric::integer, p.price_cents,
         p.price_cents * (e.item->'quantity')::numeric::bigint
  FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(item, ord)
  JOIN products AS p ON p.id = e.item->>'product_id';

  -- Exactly one ledger row per order, of -(total - shortfall); 0 when nothing was covered.
  INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id)
  VALUES (p_wallet_id, 'order', -v_covered, v_new, p_key, v_order_id::text)
  RETURNING id INTO v_ledger_id;

  PERFORM mp_audit(p_wallet_id, 'order', 'completed', CASE WHEN v_shortfall > 0 THEN 'offline_shortfall' END,
                   -v_covered, v_prev, v_new, p_key, v_ledger_id, v_order_id::text,
                   v_details || jsonb_build_object('vendor_id', p_terminal.vendor_id, 'total_cents', v_total,
                                                   'platform_fee_cents', v_fee_stored, 'vendor_share_cents', v_share)
                   || CASE WHEN v_offline THEN jsonb_build_object('shortfall_cents', v_shortfall) ELSE '{}'::jsonb END);

  v_result := jsonb_build_object('ok', true, 'http_status', 201, 'order_id', v_order_id, 'total_cents', v_total,
                                 'platform_fee_cents', v_fee_stored, 'vendor_share_cents', v_share,
                                 'balance_cents', v_new);
  IF v_offline THEN
    v_result := v_result || jsonb_build_object('status', CASE WHEN v_shortfall > 0 THEN 'offline_shortfall' ELSE 'completed' END,
                                               'wallet_id', p_wallet_id, 'debited_cents', v_covered,
                                               'shortfall_cents', v_shortfall)
                || CASE WHEN v_wallet.status = 'blocked' THEN '{"code": "wallet_blocked"}'::jsonb ELSE '{}'::jsonb END;
  END IF;
  RETURN v_result;
END
$$;

-- Signatures before SQL was written once (re-runs on an older database drop them).
DROP FUNCTION IF EXISTS mp_bar_order_apply(text, text, text, jsonb);

-- An online order: the terminal must exist, then the shared apply path.
CREATE OR REPLACE FUNCTION mp_bar_order_apply(p_key text, p_wallet_id text, p_terminal_id text, p_items jsonb,
                                              p_defects text[])
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_terminal terminals%ROWTYPE;
BEGIN
  SELECT * INTO v_terminal FROM terminals WHERE id = p_terminal_id;
  IF NOT FOUND THEN
    PERFORM mp_audit(p_wallet_id, 'order', 'rejected', 'unknown_terminal', 0, NULL, NULL, p_key, NULL, NULL,
                     jsonb_build_object('terminal_id', p_terminal_id));
    RETURN mp_error(422, 'unknown_terminal', format('terminal %s does not exist', p_terminal_id));
  END IF;
  RETURN mp_order_apply(p_key, p_wallet_id, v_terminal, p_items, NULL, p_defects);
END
$$;

CREATE OR REPLACE FUNCTION sp_process_bar_order(p_idempotency_key text, p_wallet_id text, p_terminal_id text, p_items jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_defects text[] := mp_defects();
  v_double  boolean := 'replay_double_charge' = ANY (v_defects);
  v_err     jsonb;
  v_hash    text;
  v_answer  jsonb;
  v_result  jsonb;
BEGIN
  v_err := coalesce(mp_idem_key_error(p_idempotency_key),
                    mp_check_id('wallet_id', p_wallet_id),
                    mp_check_id('terminal_id', p_terminal_id),
                    mp_check_order_items(p_items));
  v_hash := mp_order_request_hash(p_wallet_id, p_terminal_id, p_items);
  -- Under replay_double_charge the replay is audited here: a charged replay is not one.
  v_answer := mp_idem_open(p_idempotency_key, v_hash, p_wallet_id, 'order', v_err, NOT v_double);
  IF v_double AND (v_answer->>'replayed')::boolean THEN
    IF (v_answer->>'ok')::boolean THEN
      -- defect: charges again, then answers with the stored response as if it were a replay.
      PERFORM mp_bar_order_apply(p_idempotency_key, p_wallet_id, p_terminal_id, p_items, v_defects);
    ELSE
      PERFORM mp_audit_replay(p_wallet_id, 'order', p_idempotency_key, v_answer);
    END IF;
  END IF;
  IF v_answer IS NOT NULL THEN
    RETURN v_answer;
  END IF;

  v_result := mp_bar_order_apply(p_idempotency_key, p_wallet_id, p_terminal_id, p_items, v_defects);
  PERFORM mp_idem_complete(p_idempotency_key, 'order', v_hash, p_wallet_id, v_result);
  RETURN v_result;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Checkpoint recharges (cash / card at a top-up point)
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION mp_check_amount(p_amount_cents bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_amount_cents IS NULL OR p_amount_cents < 1 OR p_amount_cents > 50000000 THEN
    mp_error(400, 'validation_failed', 'amount_cents must be an integer 1..50000000')
  END
$$;

CREATE OR REPLACE FUNCTION mp_checkpoint_recharge_apply(p_key text, p_wallet_id text, p_amount_cents bigint,
                                                        p_checkpoint_id text, p_method text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_wallet      wallets%ROWTYPE;
  v_new         bigint;
  v_recharge_id uuid;
  v_ledger_id   bigint;
BEGIN
  SELECT * INTO v_wallet FROM wallets WHERE id = p_wallet_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM mp_audit(p_wallet_id, 'recharge', 'rejected', 'wallet_not_found', 0, NULL, NULL, p_key, NULL, NULL,
                     jsonb_build_object('checkpoint_id', p_checkpoint_id, 'amount_cents', p_amount_cents));
    RETURN mp_error(404, 'wallet_not_found', format('wallet %s does not exist', p_wallet_id));
  END IF;
  IF v_wallet.status = 'blocked' THEN
    PERFORM mp_audit(p_wallet_id, 'recharge', 'rejected', 'wallet_blocked', 0, v_wallet.balance_cents,
                     v_wallet.balance_cents, p_key, NULL, NULL,
                     jsonb_build_object('checkpoint_id', p_checkpoint_id, 'amount_cents', p_amount_cents));
    RETURN mp_error(403, 'wallet_blocked', format('wallet %s is blocked', p_wallet_id));
  END IF;

  UPDATE wallets SET balance_cents = balance_cents + p_amount_cents, updated_at = now()
  WHERE id = p_wallet_id
  RETURNING balance_cents INTO v_new;
  INSERT INTO recharges (wallet_id, amount_cents, checkpoint_id, method, idempotency_key)
  VALUES (p_wallet_id, p_amount_cents, p_checkpoint_id, p_method, p_key)
  RETURNING id INTO v_recharge_id;
  INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id)
  VALUES (p_wallet_id, 'recharge', p_amount_cents, v_new, p_key, v_recharge_id::text)
  RETURNING id INTO v_ledger_id;

  IF NOT mp_defect('missing_audit') THEN  -- defect missing_audit: the money moves unlogged
    PERFORM mp_audit(p_wallet_id, 'recharge', 'completed', NULL, p_amount_cents, v_wallet.balance_cents, v_new,
                     p_key, v_ledger_id, v_recharge_id::text,
                     jsonb_build_object('checkpoint_id', p_checkpoint_id, 'method', p_method));
  END IF;

  RETURN jsonb_build_object('ok', true, 'http_status', 201, 'recharge_id', v_recharge_id, 'balance_cents', v_new);
END
$$;

CREATE OR REPLACE FUNCTION sp_process_checkpoint_recharge(p_idempotency_key text, p_wallet_id text, p_amount_cents bigint,
                                                          p_checkpoint_id text, p_method text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_err    jsonb;
  v_hash   text;
  v_answer jsonb;
  v_result jsonb;
BEGIN
  v_err := coalesce(mp_idem_key_error(p_idempotency_key),
                    mp_check_id('wallet_id', p_wallet_id),
                    mp_check_amount(p_amount_cents),
                    mp_check_id('checkpoint_id', p_checkpoint_id),
                    CASE WHEN p_method IS NULL OR p_method NOT IN ('cash', 'card')
                         THEN mp_error(400, 'validation_failed', 'method must be cash or card') END);
  v_hash := md5(jsonb_build_object('fn', 'sp_process_checkpoint_recharge', 'wallet_id', p_wallet_id,
                                   'amount_cents', p_amount_cents, 'checkpoint_id', p_checkpoint_id,
                                   'method', p_method)::text);
  v_answer := mp_idem_open(p_idempotency_key, v_hash, p_wallet_id, 'recharge', v_err);
  IF v_answer IS NOT NULL THEN
    RETURN v_answer;
  END IF;

  v_result := mp_checkpoint_recharge_apply(p_idempotency_key, p_wallet_id, p_amount_cents, p_checkpoint_id, p_method);
  PERFORM mp_idem_complete(p_idempotency_key, 'recharge', v_hash, p_wallet_id, v_result);
  RETURN v_result;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Funding through Stripe: intent creation, then webhook-driven credit
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION mp_create_funding_intent_apply(p_key text, p_wallet_id text, p_amount_cents bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_wallet    wallets%ROWTYPE;
  v_intent_id text;
BEGIN
  SELECT * INTO v_wallet FROM wallets WHERE id = p_wallet_id;
  IF NOT FOUND THEN
    PERFORM mp_audit(p_wallet_id, 'funding_intent', 'rejected', 'wallet_not_found', 0, NULL, NULL, p_key, NULL, NULL,
                     jsonb_build_object('amount_cents', p_amount_cents));
    RETURN mp_error(404, 'wallet_not_found', format('wallet %s does not exist', p_wallet_id));
  END IF;
  IF v_wallet.status = 'blocked' THEN
    PERFORM mp_audit(p_wallet_id, 'funding_intent', 'rejected', 'wallet_blocked', 0, v_wallet.balance_cents,
                     v_wallet.balance_cents, p_key, NULL, NULL, jsonb_build_object('amount_cents', p_amount_cents));
    RETURN mp_error(403, 'wallet_blocked', format('wallet %s is blocked', p_wallet_id));
  END IF;

  -- pi_ + 24 hex chars from a v4 UUID (core gen_random_uuid, no pgcrypto needed).
  v_intent_id := 'pi_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 24);
  INSERT INTO funding_intents (id, wallet_id, amount_cents, status, idempotency_key)
  VALUES (v_intent_id, p_wallet_id, p_amount_cents, 'pending', p_key);
  -- No money moves yet: amount_cents 0, the requested amount is in details.
  PERFORM mp_audit(p_wallet_id, 'funding_intent', 'completed', NULL, 0, v_wallet.balance_cents,
                   v_wallet.balance_cents, p_key, NULL, v_intent_id,
                   jsonb_build_object('amount_cents', p_amount_cents));

  RETURN jsonb_build_object('ok', true, 'http_status', 201, 'intent_id', v_intent_id, 'status', 'pending',
                            'amount_cents', p_amount_cents, 'wallet_id', p_wallet_id);
END
$$;

CREATE OR REPLACE FUNCTION sp_create_funding_intent(p_idempotency_key text, p_wallet_id text, p_amount_cents bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_err    jsonb;
  v_hash   text;
  v_answer jsonb;
  v_result jsonb;
BEGIN
  v_err := coalesce(mp_idem_key_error(p_idempotency_key),
                    mp_check_id('wallet_id', p_wallet_id),
                    mp_check_amount(p_amount_cents));
  v_hash := md5(jsonb_build_object('fn', 'sp_create_funding_intent', 'wallet_id', p_wallet_id,
                                   'amount_cents', p_amount_cents)::text);
  v_answer := mp_idem_open(p_idempotency_key, v_hash, p_wallet_id, 'funding_intent', v_err);
  IF v_answer IS NOT NULL THEN
    RETURN v_answer;
  END IF;

  v_result := mp_create_funding_intent_apply(p_idempotency_key, p_wallet_id, p_amount_cents);
  PERFORM mp_idem_complete(p_idempotency_key, 'funding_intent', v_hash, p_wallet_id, v_result);
  RETURN v_result;
END
$$;

-- Applies one signature-verified Stripe delivery. Dedupes on the event id and on the intent's
-- state; the intent row lock serialises concurrent deliveries for one intent, so a second
-- delivery waits, then sees the first one's committed effect and answers `duplicate`.
CREATE OR REPLACE FUNCTION sp_process_stripe_recharge(p_event_id text, p_event_type text, p_intent_id text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_intent      funding_intents%ROWTYPE;
  v_wallet      wallets%ROWTYPE;
  v_type        text := CASE WHEN p_event_type = 'payment_intent.payment_failed' THEN 'funding_failed' ELSE 'funding' END;
  v_seen        boolean;
  v_outcome     text;
  v_new         bigint;
  v_ledger_id   bigint;
  v_base        jsonb;
  v_err         jsonb;
BEGIN
  v_err := coalesce(mp_check_id('event_id', p_event_id), mp_check_id('event_type', p_event_type));
  IF v_err IS NOT NULL THEN
    RETURN v_err;  -- nothing identifiable to record
  END IF;
  v_base := jsonb_strip_nulls(jsonb_build_object('ok', true, 'http_status', 200, 'received', true,
                                                 'event_id', p_event_id, 'intent_id', mp_clip(p_intent_id)));

  IF p_event_type NOT IN ('payment_intent.succeeded', 'payment_intent.payment_failed') THEN
    INSERT INTO stripe_events (event_id, event_type, intent_id, outcome)
    VALUES (p_event_id, p_event_type, mp_clip(p_intent_id), 'ignored');
    RETURN v_base || '{"outcome": "ignored"}'::jsonb;
  END IF;

  -- Intent row first (lock order: intent -> wallet).
  IF mp_clip(p_intent_id) IS NOT NULL THEN
    SELECT * INTO v_intent FROM funding_intents WHERE id = p_intent_id FOR UPDATE;
  END IF;
  IF v_intent.id IS NULL THEN
    INSERT INTO stripe_events (event_id, event_type, intent_id, outcome)
    VALUES (p_event_id, p_event_type, mp_clip(p_intent_id), 'unknown_intent');
    PERFORM mp_audit(NULL, v_type, 'rejected', 'unknown_intent', 0, NULL, NULL, NULL, NULL, mp_clip(p_intent_id),
                     jsonb_build_object('event_id', p_event_id, 'event_type', p_event_type));
    RETURN mp_error(404, 'unknown_intent', format('payment intent %s is unknown', p_intent_id))
           || jsonb_strip_nulls(jsonb_build_object('received', true, 'outcome', 'unknown_intent',
                                                   'event_id', p_event_id, 'intent_id', mp_clip(p_intent_id)));
  END IF;

  -- Runs after the intent lock, so a concurrent delivery of this event has committed by now.
  v_seen := EXISTS (SELECT 1 FROM stripe_events
                    WHERE event_id = p_event_id AND outcome IN ('applied', 'superseded'));

  IF p_event_type = 'payment_intent.succeeded' THEN
    IF (v_seen OR v_intent.status = 'confirmed') AND NOT mp_defect('webhook_double_credit') THEN
      v_outcome := 'duplicate';
    ELSE
      -- Credits pending and failed intents alike: success is Stripe's final word.
      -- (defect webhook_double_credit: also re-credits confirmed intents / applied events.)
      SELECT * INTO v_wallet FROM wallets WHERE id = v_intent.wallet_id FOR UPDATE;
      IF NOT FOUND THEN
        -- The wallet was deleted under a live intent (test-data cleanup): refuse; Stripe retries.
        INSERT INTO stripe_events (event_id, event_type, intent_id, outcome)
        VALUES (p_event_id, p_event_type, v_intent.id, 'wallet_not_found');
        PERFORM mp_audit(v_intent.wallet_id, v_type, 'rejected', 'wallet_not_found', 0, NULL, NULL,
                         v_intent.idempotency_key, NULL, v_intent.id,
                         jsonb_build_object('event_id', p_event_id, 'event_type', p_event_type));
        RETURN mp_error(404, 'wallet_not_found', format('wallet %s does not exist', v_intent.wallet_id))
               || jsonb_build_object('received', true, 'outcome', 'wallet_not_found', 'event_id', p_event_id,
                                     'intent_id', v_intent.id);
      END IF;
      -- A blocked wallet is still credited: the customer has paid.
      UPDATE wallets SET balance_cents = balance_cents + v_intent.amount_cents, updated_at = now()
      WHERE id = v_intent.wallet_id
      RETURNING balance_cents INTO v_new;
      -- The intent's idempotency key (run-prefixed by the suite) lets validators find the credit.
      INSERT INTO ledger (wallet_id, kind, amount_cents, balance_after_cents, idempotency_key, reference_id)
      VALUES (v_intent.wallet_id, 'funding', v_intent.amount_cents, v_new, v_intent.idempotency_key, v_intent.id)
      RETURNING id INTO v_ledger_id;
      UPDATE funding_intents
      SET status = 'confirmed', confirmed_at = coalesce(confirmed_at, clock_timestamp()),
          confirmed_by_event = coalesce(confirmed_by_event, p_event_id)
      WHERE id = v_intent.id;
      INSERT INTO stripe_events (event_id, event_type, intent_id, outcome)
      VALUES (p_event_id, p_event_type, v_intent.id, 'applied');
      PERFORM mp_audit(v_intent.wallet_id, 'funding', 'completed', NULL, v_intent.amount_cents,
                       v_wallet.balance_cents, v_new, v_intent.idempotency_key, v_ledger_id, v_intent.id,
                       jsonb_build_object('event_id', p_event_id, 'event_type', p_event_type,
                                          'outcome', 'applied', 'previous_status', v_intent.status));
      RETURN v_base || jsonb_build_object('outcome', 'applied', 'intent_status', 'confirmed',
                                          'wallet_id', v_intent.wallet_id, 'amount_cents', v_intent.amount_cents,
                                          'balance_cents', v_new);
    END IF;
  ELSE  -- payment_intent.payment_failed
    IF v_seen THEN
      v_outcome := 'duplicate';
    ELSIF v_intent.status = 'pending' THEN
      UPDATE funding_intents SET status = 'failed', failed_at = clock_timestamp() WHERE id = v_intent.id;
      INSERT INTO stripe_events (event_id, event_type, intent_id, outcome)
      VALUES (p_event_id, p_event_type, v_intent.id, 'applied');
      SELECT * INTO v_wallet FROM wallets WHERE id = v_intent.wallet_id;
      PERFORM mp_audit(v_intent.wallet_id, 'funding_failed', 'completed', NULL, 0, v_wallet.balance_cents,
                       v_wallet.balance_cents, v_intent.idempotency_key, NULL, v_intent.id,
                       jsonb_build_object('event_id', p_event_id, 'event_type', p_event_type, 'outcome', 'applied'));
      RETURN v_base || jsonb_build_object('outcome', 'applied', 'intent_status', 'failed');
    ELSIF v_intent.status = 'confirmed' THEN
      v_outcome := 'superseded';
    ELSE
      v_outcome := 'duplicate';  -- another failure for an intent already failed
    END IF;
  END IF;

  -- duplicate / superseded: recorded, nothing else changes.
  INSERT INTO stripe_events (event_id, event_type, intent_id, outcome)
  VALUES (p_event_id, p_event_type, v_intent.id, v_outcome);
  SELECT * INTO v_wallet FROM wallets WHERE id = v_intent.wallet_id;
  PERFORM mp_audit(v_intent.wallet_id, v_type, CASE WHEN v_outcome = 'duplicate' THEN 'replayed' ELSE 'rejected' END,
                   NULL, 0, v_wallet.balance_cents, v_wallet.balance_cents, v_intent.idempotency_key, NULL, v_intent.id,
                   jsonb_build_object('event_id', p_event_id, 'event_type', p_event_type, 'outcome', v_outcome));
  RETURN v_base || jsonb_build_object('outcome', v_outcome, 'intent_status', v_intent.status);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Reads
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION get_wallet(p_wallet_id text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    (SELECT jsonb_build_object('ok', true, 'http_status', 200, 'wallet_id', w.id, 'balance_cents', w.balance_cents,
                               'status', w.status, 'inside', w.inside, 'entry_count', w.entry_count)
     FROM wallets AS w WHERE w.id = p_wallet_id),
    mp_error(404, 'wallet_not_found', format('wallet %s does not exist', p_wallet_id)))
$$;

CREATE OR REPLACE FUNCTION get_funding_intent(p_intent_id text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    (SELECT jsonb_build_object('ok', true, 'http_status', 200, 'intent_id', f.id, 'status', f.status,
                               'amount_cents', f.amount_cents, 'wallet_id', f.wallet_id)
     FROM funding_intents AS f WHERE f.id = p_intent_id),
    mp_error(404, 'unknown_intent', format('payment intent %s is unknown', p_intent_id)))
$$;
