// Supabase Edge Function (Deno): POST /functions/v1/stripe-webhook. Stripe's library verifies
// the Stripe-Signature over the raw body (SubtleCrypto), then sp_process_stripe_recharge applies
// the event through PostgREST with the service role key. The logic is platform/edge-functions/
// (bundled into ../_shared/moshpit-edge.js by `npm run supabase:sync`: run it before deploying),
// tested on Node.
// Deploy with --no-verify-jwt (config.toml says so too): Stripe sends no Supabase JWT.
import Stripe from 'npm:stripe@23';
import { handleStripeWebhook, postgrestRpc } from '../_shared/moshpit-edge.js';

const env = (name: string): string => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set (supabase secrets set ${name}=...)`);
  return value;
};

const deps = {
  stripe: Stripe,
  webhookSecret: env('STRIPE_WEBHOOK_SECRET'),
  rpc: postgrestRpc(env('SUPABASE_URL'), env('SUPABASE_SERVICE_ROLE_KEY')),
  onInternalError: (err: unknown) => console.error('stripe-webhook:', err instanceof Error ? err.message : String(err)),
};

Deno.serve((req: Request) => handleStripeWebhook(req, deps));
