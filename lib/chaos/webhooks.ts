// Stripe webhook deliveries under faults: redelivered until they land (Stripe retries for days,
// never gives up after a few seconds), delivered twice at once, and forged.
import { sleep } from 'k6';
import { attemptWrite, type Attempted } from '../attempts.js';
import { randomToken } from '../random.js';
import type { Runtime } from '../runtime.js';
import { stripeSignatureHeader, unixSeconds } from '../stripe-signer.js';
import type { OpResult, WebhookBody } from '../targets/index.js';
import type { ChaosCalls } from './calls.js';

/** How long a delivery keeps being retried while the platform is down. */
export const REDELIVERY_DEADLINE_MS = 60_000;
const REDELIVERY_PAUSE_S = 2;
const MAX_REDELIVERY_ROUNDS = 30;

const secretOf = (rt: Runtime) => rt.config.stripeWebhookSecret as string;

const unresolved = (r: OpResult<unknown>) => r.outcome === 'indeterminate' || r.code === 'idempotency_key_in_flight';

/** One delivery (signed afresh per attempt, like Stripe), retried until answered or the deadline. */
export function deliverReliably(rt: Runtime, payload: string): Attempted<WebhookBody> {
  const deadline = Date.now() + REDELIVERY_DEADLINE_MS;
  let r = attemptWrite('funding_webhook', rt.profile.client, () => rt.target.deliverWebhook({ payload, signatureHeader: stripeSignatureHeader(payload, secretOf(rt)) }));
  for (let round = 0; round < MAX_REDELIVERY_ROUNDS && unresolved(r) && Date.now() < deadline; round++) {
    sleep(REDELIVERY_PAUSE_S);
    const again = attemptWrite('funding_webhook', rt.profile.client, () => rt.target.deliverWebhook({ payload, signatureHeader: stripeSignatureHeader(payload, secretOf(rt)) }));
    r = { ...again, attempts: r.attempts + again.attempts };
  }
  return r;
}

/** The same event delivered `copies` times at once; any copy left unanswered is redelivered. */
export function deliverConcurrently(rt: Runtime, calls: ChaosCalls, payload: string, copies: number): Array<OpResult<WebhookBody>> {
  const sent = calls.batch(Array.from({ length: copies }, () => calls.webhook(payload, stripeSignatureHeader(payload, secretOf(rt)))));
  return sent.map((r) => (unresolved(r) ? deliverReliably(rt, payload) : r));
}

export const FORGERIES = ['wrong_secret', 'stale_timestamp', 'tampered_payload', 'no_signature'] as const;
export type Forgery = (typeof FORGERIES)[number];

/** A delivery the platform must refuse (400 signature_invalid) and never act on. */
export function deliverForged(rt: Runtime, calls: ChaosCalls, payload: string, amountCents: number, forgery: Forgery): OpResult<WebhookBody> {
  const secret = secretOf(rt);
  let body = payload;
  let header: string;
  switch (forgery) {
    case 'wrong_secret':
      header = stripeSignatureHeader(payload, `whsec_${randomToken(32)}`);
      break;
    case 'stale_timestamp':
      header = stripeSignatureHeader(payload, secret, unixSeconds() - 3600); // Stripe's tolerance is 300 s
      break;
    case 'tampered_payload':
      header = stripeSignatureHeader(payload, secret);
      body = payload.replace(`"amount":${amountCents},`, `"amount":${amountCents * 10},`);
      break;
    case 'no_signature':
      header = `t=${unixSeconds()}`;
      break;
  }
  return calls.run(calls.webhook(body, header, true));
}
