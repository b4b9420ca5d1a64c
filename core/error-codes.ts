// Stable, machine-readable outcome codes. The target returns them in every JSON error body
// (and in RPC results); the k6 side classifies outcomes by them; validators report them.

/** Definite rejections: the target said no and changed nothing. */
export const REJECTION_CODES = [
  'insufficient_funds',
  'duplicate_entry',
  'capacity_reached',
  'not_inside',
  'wallet_not_found',
  'wallet_blocked',
  'unknown_product',
  'unknown_terminal',
  'unknown_gateway',
  'unknown_intent',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Request errors: the client sent something wrong (also definite, also no change). */
export const REQUEST_ERROR_CODES = [
  'unauthorized',
  'validation_failed',
  'malformed_json',
  'idempotency_key_missing',
  'idempotency_key_reused', // same key, different payload: 422
  'idempotency_key_in_flight', // same key, request still running: 409
  'signature_invalid',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

export const SERVER_ERROR_CODES = ['internal_error', 'unavailable'] as const;
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

export type ErrorCode = RejectionCode | RequestErrorCode | ServerErrorCode;

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  insufficient_funds: 402,
  duplicate_entry: 409,
  capacity_reached: 409,
  not_inside: 409,
  wallet_not_found: 404,
  wallet_blocked: 403,
  unknown_product: 422,
  unknown_terminal: 422,
  unknown_gateway: 422,
  unknown_intent: 404,
  unauthorized: 401,
  validation_failed: 400,
  malformed_json: 400,
  idempotency_key_missing: 400,
  idempotency_key_reused: 422,
  idempotency_key_in_flight: 409,
  signature_invalid: 400,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  internal_error: 500,
  unavailable: 503,
};

export function isRejectionCode(code: string): code is RejectionCode {
  return (REJECTION_CODES as readonly string[]).includes(code);
}
