// The stripe-webhook edge function (POST /functions/v1/stripe-webhook): the Node server's
// receiver (platform/server/stripe-webhook.ts) for web-standard runtimes. Stripe's own library
// verifies the signature over the raw body, asynchronously with SubtleCrypto (Deno has no
// node:crypto HMAC), before anything is parsed; then sp_process_stripe_recharge applies it.
import type Stripe from 'stripe';
import { webhookAnswer } from '../server/replies.js';
import { eventFields, missingSignature, SIGNATURE_TOLERANCE_S, verificationError } from '../server/stripe-event.js';
import { answer, callProcedure, postOnly, readBodyText, type Rpc } from './edge-io.js';

/** The parts of the official library used: the class itself (npm:stripe in Deno, stripe in Node). */
export type StripeLibrary = Pick<typeof Stripe, 'webhooks' | 'createSubtleCryptoProvider' | 'errors'>;

export interface WebhookDeps {
  stripe: StripeLibrary;
  /** whsec_... of the Stripe endpoint. */
  webhookSecret: string;
  rpc: Rpc;
  onInternalError?: (err: unknown) => void;
}

export function handleStripeWebhook(req: Request, deps: WebhookDeps): Promise<Response> {
  return answer(async () => {
    postOnly(req);
    const raw = await readBodyText(req);
    const signature = req.headers.get('stripe-signature');
    if (signature === null || signature.length === 0) throw missingSignature();
    let event: unknown;
    try {
      event = await deps.stripe.webhooks.constructEventAsync(
        raw, signature, deps.webhookSecret, SIGNATURE_TOLERANCE_S, deps.stripe.createSubtleCryptoProvider(),
      );
    } catch (err) {
      throw verificationError(err, (e) => e instanceof deps.stripe.errors.StripeSignatureVerificationError);
    }
    const verified = eventFields(event);
    const result = await callProcedure(deps.rpc, 'sp_process_stripe_recharge', {
      p_event_id: verified.id, p_event_type: verified.type, p_intent_id: verified.intentId,
    });
    return webhookAnswer(result);
  }, deps.onInternalError);
}
