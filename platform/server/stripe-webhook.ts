// The Stripe webhook (both /v1/webhooks/stripe and /functions/v1/stripe-webhook). Authenticated
// only by the Stripe-Signature header, verified by the official library over the raw body
// bytes before anything is parsed; a bad, missing or stale signature changes nothing.
import Stripe from 'stripe';
import type { Procedures } from './procedures.js';
import { webhookAnswer } from './replies.js';
import { readRawBody } from './request-body.js';
import type { Reply, RequestContext } from './routing.js';
import { eventFields, missingSignature, SIGNATURE_TOLERANCE_S, verificationError, type VerifiedEvent } from './stripe-event.js';

export class StripeWebhookReceiver {
  constructor(private readonly secret: string, private readonly procedures: Procedures) {}

  async receive(ctx: RequestContext): Promise<Reply> {
    const raw = await readRawBody(ctx.req);
    const event = this.verify(raw, ctx.req.headers['stripe-signature']);
    const { result, defect } = await this.procedures.stripeRecharge(event.id, event.type, event.intentId);
    ctx.defect = defect;
    if (typeof result.wallet_id === 'string') ctx.walletId = result.wallet_id;
    return webhookAnswer(result);
  }

  private verify(raw: Buffer, signature: string | string[] | undefined): VerifiedEvent {
    if (typeof signature !== 'string' || signature.length === 0) throw missingSignature();
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(raw, signature, this.secret, SIGNATURE_TOLERANCE_S);
    } catch (err) {
      throw verificationError(err, (e) => e instanceof Stripe.errors.StripeSignatureVerificationError);
    }
    return eventFields(event as unknown);
  }
}
