// Supabase Edge Function (Deno): POST /functions/v1/create-funding-intent with
// {"wallet_id", "amount_cents"} and an Idempotency-Key header; sp_create_funding_intent through
// PostgREST with the service role key. The logic is platform/edge-functions/ (bundled into
// ../_shared/moshpit-edge.js by `npm run supabase:sync`: run it before deploying), tested on Node. The Supabase gateway
// checks the caller's key (JWT verification on) before this runs.
import { handleCreateFundingIntent, postgrestRpc } from '../_shared/moshpit-edge.js';

const env = (name: string): string => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const deps = {
  rpc: postgrestRpc(env('SUPABASE_URL'), env('SUPABASE_SERVICE_ROLE_KEY')),
  onInternalError: (err: unknown) => console.error('create-funding-intent:', err instanceof Error ? err.message : String(err)),
};

Deno.serve((req: Request) => handleCreateFundingIntent(req, deps));
