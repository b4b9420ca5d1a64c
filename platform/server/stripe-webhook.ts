// The Stripe webhook (both /v1/webhooks/stripe and /functions/v1/stripe-webhook). Authenticated
// only by the Stripe-Signature header, verified by the official library over the raw body
// bytes before anything is parsed; a bad, missing or stale signature changes nothing.
import Stripe from 'stripe';
import { ApiError } from './api-error.js';
import { assertCleanText } from './input-validation.js';
import type { Procedures } from './procedures.js';
import { resultPayload } from './procedure-result.js';
import { restReply } from './replies.js';
import { readRawBody } from './request-body.js';
import type { Reply, RequestContext } from './routing.js';

/** Seconds a signed timestamp stays valid (Stripe's default, stated explicitly). */
export const SIGNATURE_TOLERANCE_S = 300;

interface VerifiedEvent { id: string; type: string; intentId: string | null }

export class StripeWebhookReceiver {
  constructor(private readonly secret: string, private readonly procedures: Procedures) {}

  async receive(ctx: RequestContext): Promise<Reply> {
    const raw = await readRawBody(ctx.req);
    const event = this.verify(raw, ctx.req.headers['stripe-signature']);
    const { result, defect } = await this.procedures.stripeRecharge(event.id, event.type, event.intentId);
    ctx.defect = defect;
    if (typeof result.wallet_id === 'string') ctx.walletId = result.wallet_id;
    if (!result.ok) return restReply(ctx, result);
    return { status: result.http_status, body: { received: true, ...resultPayload(result) } };
  }

  private verify(raw: Buffer, signature: string | string[] | undefined): VerifiedEvent {
    if (typeof signature !== 'string' || signature.length === 0) {
      throw new ApiError('signature_invalid', 'missing Stripe-Signature header');
    }
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(raw, signature, this.secret, SIGNATURE_TOLERANCE_S);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw new ApiError('signature_invalid', 'Stripe signature verification failed');
      }
      if (err instanceof SyntaxError) throw new ApiError('malformed_json', 'webhook body is not valid JSON');
      throw new ApiError('validation_failed', 'webhook body is not a Stripe snapshot event');
    }
    return eventFields(event as unknown);
  }
}

/** A signed body is trusted, but still has to be the shape we act on. */
function eventFields(event: unknown): VerifiedEvent {
  const e = event as { id?: unknown; type?: unknown; data?: { object?: { id?: unknown } } } | null;
  if (e === null || typeof e !== 'object') throw new ApiError('validation_failed', 'webhook body must be a Stripe event object');
  if (typeof e.id !== 'string' || e.id.length === 0) throw new ApiError('validation_failed', 'event id missing');
  if (typeof e.type !== 'string' || e.type.length === 0) throw new ApiError('validation_failed', 'event type missing');
  const objectId = e.data?.object?.id;
  const isIntentEvent = e.type.startsWith('payment_intent.');
  if (isIntentEvent && (typeof objectId !== 'string' || objectId.length === 0)) {
    throw new ApiError('validation_failed', 'payment_intent event without data.object.id');
  }
  // Signed, but still text for the database: no NUL or other control characters.
  assertCleanText(e.id, 'event id');
  assertCleanText(e.type, 'event type');
  if (isIntentEvent) assertCleanText(objectId as string, 'data.object.id');
  return { id: e.id, type: e.type, intentId: isIntentEvent ? (objectId as string) : null };
}
