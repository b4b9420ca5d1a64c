// Stripe webhook deliveries under faults: redelivered until they land (Stripe retries for days,
// never gives up after a few seconds), delivered twice at once, and forged.
import { attemptWrite, type Attempted } from '../attempts.js';
import { randomToken } from '../random.js';
import { stripeSignatureHeader, unixSeconds } from '../stripe-signer.js';
import type { OpResult, WebhookBody } from '../targets/index.js';
import { batch, run } from './calls.js';
import type { ChaosContext } from './context.js';

/** How long a delivery keeps being retried while the platform is down. */
export const REDELIVERY_DEADLINE_MS = 60_000;
const REDELIVERY_PAUSE_S = 2;
const MAX_REDELIVERY_ROUNDS = 30;

const secretOf = (ctx: ChaosContext) => ctx.rt.config.stripeWebhookSecret as string;

const unresolved = (r: OpResult<unknown>) => r.outcome === 'indeterminate' || r.code === 'idempotency_key_in_flight';

/** Signed afresh per delivery, like Stripe. */
const signed = (ctx: ChaosContext, payload: string) => ({ payload, signatureHeader: stripeSignatureHeader(ctx.port, payload, secretOf(ctx)) });

/** One delivery, retried until answered or the deadline. */
export async function deliverReliably(ctx: ChaosContext, payload: string): Promise<Attempted<WebhookBody>> {
  const deadline = Date.now() + REDELIVERY_DEADLINE_MS;
  const send = () => ctx.target.deliverWebhook(signed(ctx, payload));
  let r = await attemptWrite(ctx, 'funding_webhook', ctx.rt.profile.client, send);
  for (let round = 0; round < MAX_REDELIVERY_ROUNDS && unresolved(r) && Date.now() < deadline; round++) {
    await ctx.port.sleep(REDELIVERY_PAUSE_S);
    const again = await attemptWrite(ctx, 'funding_webhook', ctx.rt.profile.client, send);
    r = { ...again, attempts: r.attempts + again.attempts };
  }
  return r;
}

/** The same event delivered `copies` times at once; any copy left unanswered is redelivered. */
export async function deliverConcurrently(ctx: ChaosContext, payload: string, copies: number): Promise<Array<OpResult<WebhookBody>>> {
  const { calls } = ctx.chaos;
  const sent = await batch(ctx, Array.from({ length: copies }, () => {
    const d = signed(ctx, payload);
    return calls.webhook(d.payload, d.signatureHeader);
  }));
  const out: Array<OpResult<WebhookBody>> = [];
  for (const r of sent) out.push(unresolved(r) ? await deliverReliably(ctx, payload) : r);
  return out;
}

export const FORGERIES = ['wrong_secret', 'stale_timestamp', 'tampered_payload', 'no_signature'] as const;
export type Forgery = (typeof FORGERIES)[number];

/** A delivery the platform must refuse (400 signature_invalid) and never act on. */
export async function deliverForged(ctx: ChaosContext, payload: string, amountCents: number, forgery: Forgery): Promise<OpResult<WebhookBody>> {
  const secret = secretOf(ctx);
  let body = payload;
  let header: string;
  switch (forgery) {
    case 'wrong_secret':
      header = stripeSignatureHeader(ctx.port, payload, `whsec_${randomToken(32)}`);
      break;
    case 'stale_timestamp':
      header = stripeSignatureHeader(ctx.port, payload, secret, unixSeconds() - 3600); // Stripe's tolerance is 300 s
      break;
    case 'tampered_payload':
      header = stripeSignatureHeader(ctx.port, payload, secret);
      body = payload.replace(`"amount":${amountCents},`, `"amount":${amountCents * 10},`);
      break;
    case 'no_signature':
      header = `t=${unixSeconds()}`;
      break;
  }
  return run(ctx, ctx.chaos.calls.webhook(body, header, true));
}
