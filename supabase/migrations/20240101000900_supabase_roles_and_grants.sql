-- moshpit on Supabase: roles, grants and row-level security for the objects of the platform
-- migrations (the links before this file). Runs after them; re-runnable.
--
-- Supabase's roles are created when missing, so this also applies to a plain PostgreSQL.
-- anon and authenticated (the public API keys) get nothing: RLS on every table with no policy,
-- and no EXECUTE. service_role (the key moshpit's load and the edge functions use) gets the
-- tables and the procedures. The table and function lists must name exactly what the platform
-- migrations create: test/supabase/layout.test.ts fails otherwise.

DO $$
DECLARE
  v_role text;
BEGIN
  FOREACH v_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
      BEGIN
        -- Supabase's service_role bypasses RLS; so does its stand-in here.
        EXECUTE format('CREATE ROLE %I NOLOGIN', v_role) || CASE WHEN v_role = 'service_role' THEN ' BYPASSRLS' ELSE '' END;
      EXCEPTION WHEN duplicate_object THEN
        NULL;  -- roles are cluster-wide: another database's migration created it just now
      END;
    END IF;
  END LOOP;
END
$$;

GRANT USAGE ON SCHEMA public TO service_role;

-- Tables: never reachable through the public keys (PostgREST's /rest/v1/<table>). The table
-- owner (DATABASE_URL, the validators) and service_role bypass RLS.
DO $$
DECLARE
  v_table text;
BEGIN
  FOREACH v_table IN ARRAY ARRAY['festival_settings', 'venue_state', 'wallets', 'vendors', 'products', 'terminals', 'gateways', 'ledger', 'app_transaction_log', 'nfc_scan_log', 'orders', 'order_lines', 'recharges', 'funding_intents', 'stripe_events', 'idempotency_keys', 'schema_migrations'] LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', v_table);
    EXECUTE format('REVOKE ALL ON TABLE public.%I FROM PUBLIC, anon, authenticated', v_table);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.%I TO service_role', v_table);
  END LOOP;
END
$$;
DO $$
DECLARE
  v_seq regclass;
BEGIN
  FOR v_seq IN SELECT s.oid::regclass FROM pg_class AS s
               JOIN pg_depend AS d ON d.objid = s.oid AND d.deptype = 'a'
               JOIN pg_class AS t ON t.oid = d.refobjid
               WHERE s.relkind = 'S' AND t.relname = ANY (ARRAY['festival_settings', 'venue_state', 'wallets', 'vendors', 'products', 'terminals', 'gateways', 'ledger', 'app_transaction_log', 'nfc_scan_log', 'orders', 'order_lines', 'recharges', 'funding_intents', 'stripe_events', 'idempotency_keys', 'schema_migrations']) LOOP
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO service_role', v_seq);
  END LOOP;
END
$$;

-- Functions are executable by PUBLIC unless revoked: the procedures (and the helpers they call,
-- as SECURITY INVOKER) are service_role's only.
DO $$
DECLARE
  v_fn regprocedure;
BEGIN
  FOR v_fn IN SELECT p.oid::regprocedure FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.proname = ANY (ARRAY['mp_defects', 'mp_defect', 'mp_platform_fee', 'mp_error', 'mp_clip', 'mp_check_id', 'mp_audit', 'mp_audit_refusal', 'mp_idem_key_error', 'mp_idem_claim', 'mp_idem_complete', 'mp_audit_replay', 'mp_idem_open', 'mp_gate_reject', 'mp_gate_scan_apply', 'sp_process_gate_scan', 'mp_check_order_items', 'mp_order_request_hash', 'mp_order_apply', 'mp_bar_order_apply', 'sp_process_bar_order', 'mp_check_amount', 'mp_checkpoint_recharge_apply', 'sp_process_checkpoint_recharge', 'mp_create_funding_intent_apply', 'sp_create_funding_intent', 'sp_process_stripe_recharge', 'get_wallet', 'get_funding_intent', 'mp_check_offline_orders', 'mp_offline_order_key', 'mp_offline_order_one', 'sp_sync_offline_orders']) LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC, anon, authenticated', v_fn);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO service_role', v_fn);
  END LOOP;
END
$$;
