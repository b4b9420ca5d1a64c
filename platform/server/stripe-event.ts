// What a signature-verified Stripe delivery must hold before it is acted on: the event id and
// type, and for payment_intent.* events the intent id, all clean text. Shared by the Node
// server's receiver and the Supabase edge function (platform/edge-functions/).
import { ApiError } from './api-error.js';
import { assertCleanText } from './input-validation.js';

/** Seconds a signed timestamp stays valid (Stripe's default, stated explicitly). */
export const SIGNATURE_TOLERANCE_S = 300;

export interface VerifiedEvent { id: string; type: string; intentId: string | null }

/** A signed body is trusted, but still has to be the shape we act on. */
export function eventFields(event: unknown): VerifiedEvent {
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

/** What a library verification failure means to the client (signature, JSON, or shape). */
export function verificationError(err: unknown, isSignatureError: (err: unknown) => boolean): ApiError {
  if (isSignatureError(err)) return new ApiError('signature_invalid', 'Stripe signature verification failed');
  if (err instanceof SyntaxError) return new ApiError('malformed_json', 'webhook body is not valid JSON');
  return new ApiError('validation_failed', 'webhook body is not a Stripe snapshot event');
}

export function missingSignature(): ApiError {
  return new ApiError('signature_invalid', 'missing Stripe-Signature header');
}
