-- moshpit reference festival platform: offline terminal sync.
--
-- A concession terminal that loses its connection keeps selling offline. It stores each sale
-- with an id it generated itself (device_order_id), a device sequence number (device_seq) and
-- an idempotency key, and uploads them in a burst when it reconnects:
--
--   sp_sync_offline_orders(p_idempotency_key, p_terminal_id, p_orders) -> jsonb
--   p_orders = [{"device_order_id", "device_seq", "wallet_id", "items": [{"product_id", "quantity"}],
--                "idempotency_key"?, "sold_at"?}, ...]   (1..500 orders)
--
-- Rules (platform/API.md, "Offline terminal sync"):
--   * Orders are applied in device_seq order. The sale already happened (the goods were handed
--     over), so an order is never refused for lack of funds: the wallet is debited what it can
--     cover, and the rest is recorded on the order as shortfall_cents with status
--     'offline_shortfall' (reported for collection). A balance never goes negative.
--     A blocked wallet is not debited at all: the whole total is the shortfall.
--   * Every order is idempotent on its own key (default 'offline:<terminal>:<device_order_id>'),
--     hashed by the online order's mp_order_request_hash, so a sale first sent online
--     whose answer was lost and then queued offline is recognised as the same sale. Orders
--     already applied answer "duplicate" with their original result and change nothing.
--   * The batch itself is idempotent on p_idempotency_key: replaying a sync returns the stored
--     answer with "replayed": true. Syncs of one terminal are serialised.
--   * Pricing, fee, wallet debit, ledger and audit are mp_order_apply's (002_procedures.sql):
--     one path for online and offline orders, so a defect mode is written once.
--   * Each order runs in its own subtransaction, so the rows one order writes (ledger, audit)
--     carry their own xmin: the validators' "same transaction" checks see one order at a time.
--
-- Lock order (compatible with 002): idempotency advisory try-locks -> terminal sync advisory
-- lock (waits) -> the batch's wallet rows, all of them up front, in id order.
--
-- Re-runnable: CREATE OR REPLACE / IF NOT EXISTS only.

-- One device order id per terminal, whatever its idempotency key.
CREATE UNIQUE INDEX IF NOT EXISTS orders_device_order_uq ON orders (terminal_id, device_order_id)
  WHERE device_order_id IS NOT NULL;

-- NULL when p_orders is a well-formed batch, else a 400 result. Pure: reads no tables.
CREATE OR REPLACE FUNCTION mp_check_offline_orders(p_orders jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_n     integer;
  v_o     jsonb;
  v_i     integer := 0;
  v_seq   numeric;
  v_err   jsonb;
  v_ids   text[] := '{}';
  v_keys  text[] := '{}';
BEGIN
  IF p_orders IS NULL OR jsonb_typeof(p_orders) <> 'array' THEN
    RETURN mp_error(400, 'validation_failed', 'orders must be a JSON array');
  END IF;
  v_n := jsonb_array_length(p_orders);
  IF v_n = 0 OR v_n > 500 THEN
    RETURN mp_error(400, 'validation_failed', format('orders must have 1..500 entries, got %s', v_n));
  END IF;
  FOR v_o IN SELECT e FROM jsonb_array_elements(p_orders) AS e LOOP
    v_i := v_i + 1;
    IF jsonb_typeof(v_o) IS DISTINCT FROM 'object' THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s] must be an object', v_i - 1));
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_object_keys(v_o) AS k
               WHERE k NOT IN ('device_order_id', 'device_seq', 'wallet_id', 'items', 'idempotency_key', 'sold_at')) THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s] has an unknown field; allowed: device_order_id, device_seq, wallet_id, items, idempotency_key, sold_at', v_i - 1));
    END IF;
    IF jsonb_typeof(v_o->'device_order_id') IS DISTINCT FROM 'string'
       OR mp_check_id('device_order_id', v_o->>'device_order_id') IS NOT NULL THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s].device_order_id must be a non-empty string of at most 255 characters', v_i - 1));
    END IF;
    IF jsonb_typeof(v_o->'wallet_id') IS DISTINCT FROM 'string'
       OR mp_check_id('wallet_id', v_o->>'wallet_id') IS NOT NULL THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s].wallet_id must be a non-empty string of at most 255 characters', v_i - 1));
    END IF;
    IF jsonb_typeof(v_o->'device_seq') IS DISTINCT FROM 'number' THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s].device_seq must be an integer', v_i - 1));
    END IF;
    v_seq := (v_o->'device_seq')::numeric;
    IF v_seq <> trunc(v_seq) OR v_seq < 0 OR v_seq > 9007199254740991 THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s].device_seq must be an integer 0..2^53-1', v_i - 1));
    END IF;
    IF v_o ? 'idempotency_key' AND (jsonb_typeof(v_o->'idempotency_key') IS DISTINCT FROM 'string'
                                    OR mp_idem_key_error(v_o->>'idempotency_key') IS NOT NULL) THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s].idempotency_key must be a non-empty string of at most 255 characters', v_i - 1));
    END IF;
    IF v_o ? 'sold_at' AND (jsonb_typeof(v_o->'sold_at') IS DISTINCT FROM 'string' OR length(v_o->>'sold_at') > 64) THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s].sold_at must be a timestamp string', v_i - 1));
    END IF;
    v_err := mp_check_order_items(v_o->'items');
    IF v_err IS NOT NULL THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s]: %s', v_i - 1, v_err->>'message'));
    END IF;
    IF (v_o->>'device_order_id') = ANY (v_ids) THEN
      RETURN mp_error(400, 'validation_failed', format('orders[%s].device_order_id %s appears twice in the batch', v_i - 1, v_o->>'device_order_id'));
    END IF;
    v_ids := v_ids || (v_o->>'device_order_id');
    IF v_o ? 'idempotency_key' THEN
      IF (v_o->>'idempotency_key') = ANY (v_keys) THEN
        RETURN mp_error(400, 'validation_failed', format('orders[%s].idempotency_key appears twice in the batch', v_i - 1));
      END IF;
      v_keys := v_keys || (v_o->>'idempotency_key');
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

-- The idempotency key an offline order is applied under.
CREATE OR REPLACE FUNCTION mp_offline_order_key(p_terminal_id text, p_order jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(p_order->>'idempotency_key', 'offline:' || p_terminal_id || ':' || (p_order->>'device_order_id'))
$$;

-- Signatures before SQL was written once (re-runs on an older database drop them): the apply
-- path is mp_order_apply (002) now, shared with online orders.
DROP FUNCTION IF EXISTS mp_offline_order_apply(text, terminals, jsonb);
DROP FUNCTION IF EXISTS mp_offline_order_one(terminals, jsonb);

-- One order of a batch, in its own subtransaction (see the header). Returns the per-order
-- result as the device sees it: the stored result of the key plus device_order_id,
-- device_seq, idempotency_key and "duplicate": true when it was already applied.
CREATE OR REPLACE FUNCTION mp_offline_order_one(p_terminal terminals, p_order jsonb, p_defects text[]) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_key    text := mp_offline_order_key(p_terminal.id, p_order);
  v_double boolean := 'replay_double_charge' = ANY (p_defects);
  v_hash   text;
  v_answer jsonb;
  v_result jsonb;
  v_echo   jsonb;
BEGIN
  v_echo := jsonb_build_object('device_order_id', p_order->>'device_order_id', 'device_seq', p_order->'device_seq',
                               'idempotency_key', v_key, 'wallet_id', p_order->>'wallet_id');
  -- The EXCEPTION clause makes this block a subtransaction; the condition never occurs.
  BEGIN
    -- The online order's hash: one sale, whichever way it reached us.
    v_hash := mp_order_request_hash(p_order->>'wallet_id', p_terminal.id, p_order->'items');
    -- Under replay_double_charge the replay is audited here: a charged replay is not one.
    v_answer := mp_idem_open(v_key, v_hash, p_order->>'wallet_id', 'order', NULL, NOT v_double);
    IF (v_answer->>'replayed')::boolean THEN
      IF v_double AND (v_answer->>'ok')::boolean THEN
        -- defect: a re-synced order is charged again (its unique device id aside).
        PERFORM mp_order_apply(v_key, p_order->>'wallet_id', p_terminal, p_order->'items',
                               p_order || jsonb_build_object('device_order_id', (p_order->>'device_order_id') || ':again:' || gen_random_uuid()),
                               p_defects);
      ELSIF v_double THEN
        PERFORM mp_audit_replay(p_order->>'wallet_id', 'order', v_key, v_answer);
      END IF;
      RETURN (v_answer - 'replayed') || v_echo || '{"duplicate": true}'::jsonb;
    ELSIF v_answer IS NOT NULL THEN
      RETURN v_answer || v_echo;
    END IF;

    v_result := mp_order_apply(v_key, p_order->>'wallet_id', p_terminal, p_order->'items', p_order, p_defects);
    PERFORM mp_idem_complete(v_key, 'order', v_hash, p_order->>'wallet_id', v_result);
    RETURN v_result || v_echo;
  EXCEPTION WHEN SQLSTATE 'MPX01' THEN
    RAISE;
  END;
END
$$;

CREATE OR REPLACE FUNCTION sp_sync_offline_orders(p_idempotency_key text, p_terminal_id text, p_orders jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_err       jsonb;
  v_hash      text;
  v_answer    jsonb;
  v_terminal  terminals%ROWTYPE;
  v_order     jsonb;
  v_one       jsonb;
  v_results   jsonb := '[]'::jsonb;
  v_result    jsonb;
  v_applied   integer := 0;
  v_dups      integer := 0;
  v_rejected  integer := 0;
  v_short_n   integer := 0;
  v_short_c   bigint := 0;
  v_debited   bigint := 0;
  v_defects   text[] := mp_defects();
BEGIN
  v_err := coalesce(mp_idem_key_error(p_idempotency_key),
                    mp_check_id('terminal_id', p_terminal_id),
                    mp_check_offline_orders(p_orders));
  v_hash := md5(jsonb_build_object('fn', 'sp_sync_offline_orders', 'terminal_id', p_terminal_id,
                                   'orders', p_orders)::text);
  -- A batch has no wallet: its replay is audited here, with the terminal as the reference.
  v_answer := mp_idem_open(p_idempotency_key, v_hash, NULL, 'offline_sync', v_err, false);
  IF (v_answer->>'replayed')::boolean THEN
    PERFORM mp_audit(NULL, 'offline_sync', 'replayed', NULL, 0, NULL, NULL, p_idempotency_key, NULL, p_terminal_id,
                     jsonb_build_object('original_http_status', v_answer->'http_status'));
  END IF;
  IF v_answer IS NOT NULL THEN
    RETURN v_answer;
  END IF;

  SELECT * INTO v_terminal FROM terminals WHERE id = p_terminal_id;
  IF NOT FOUND THEN
    v_result := mp_error(422, 'unknown_terminal', format('terminal %s does not exist', p_terminal_id));
    PERFORM mp_audit(NULL, 'offline_sync', 'rejected', 'unknown_terminal', 0, NULL, NULL, p_idempotency_key, NULL,
                     mp_clip(p_terminal_id), jsonb_build_object('orders', jsonb_array_length(p_orders)));
    PERFORM mp_idem_complete(p_idempotency_key, 'offline_sync', v_hash, NULL, v_result);
    RETURN v_result;
  END IF;

  -- One sync per terminal at a time; then every wallet of the batch, in id order.
  PERFORM pg_advisory_xact_lock(hashtextextended('mp_offline_sync:' || p_terminal_id, 0));
  PERFORM 1 FROM wallets
  WHERE id IN (SELECT DISTINCT e->>'wallet_id' FROM jsonb_array_elements(p_orders) AS e)
  ORDER BY id
  FOR UPDATE;

  FOR v_order IN
    SELECT e.item FROM jsonb_array_elements(p_orders) WITH ORDINALITY AS e(item, ord)
    ORDER BY (e.item->'device_seq')::numeric, e.ord
  LOOP
    v_one := mp_offline_order_one(v_terminal, v_order, v_defects);
    v_results := v_results || jsonb_build_array(v_one);
    IF (v_one->>'ok')::boolean IS NOT TRUE THEN
      v_rejected := v_rejected + 1;
    ELSIF v_one ? 'duplicate' THEN
      v_dups := v_dups + 1;
    ELSE
      v_applied := v_applied + 1;
      v_debited := v_debited + coalesce((v_one->>'debited_cents')::bigint, 0);
      IF coalesce((v_one->>'shortfall_cents')::bigint, 0) > 0 THEN
        v_short_n := v_short_n + 1;
        v_short_c := v_short_c + (v_one->>'shortfall_cents')::bigint;
      END IF;
    END IF;
  END LOOP;

  v_result := jsonb_build_object('ok', true, 'http_status', 200, 'terminal_id', p_terminal_id,
                                 'orders', jsonb_array_length(p_orders), 'applied', v_applied,
                                 'duplicates', v_dups, 'rejected', v_rejected,
                                 'shortfall_orders', v_short_n, 'shortfall_cents', v_short_c,
                                 'debited_cents', v_debited, 'results', v_results);
  PERFORM mp_audit(NULL, 'offline_sync', 'completed', NULL, 0, NULL, NULL, p_idempotency_key, NULL, p_terminal_id,
                   jsonb_build_object('orders', jsonb_array_length(p_orders), 'applied', v_applied,
                                      'duplicates', v_dups, 'rejected', v_rejected,
                                      'shortfall_orders', v_short_n, 'shortfall_cents', v_short_c));
  PERFORM mp_idem_complete(p_idempotency_key, 'offline_sync', v_hash, NULL, v_result);
  RETURN v_result;
END
$$;
