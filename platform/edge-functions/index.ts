// Entry of the edge-function bundle (supabase/functions/_shared/moshpit-edge.js, built by
// `npm run supabase:sync`, not committed): what the Deno functions import.
export { handleStripeWebhook, type StripeLibrary, type WebhookDeps } from './stripe-webhook.js';
export { handleCreateFundingIntent, type FundingIntentDeps } from './create-funding-intent.js';
export { postgrestRpc, RpcUnavailable, type Rpc } from './edge-io.js';
