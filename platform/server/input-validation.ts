// Validates request input before anything reaches the database: exact field sets (unknown
// fields are rejected on both surfaces), non-empty ids, integer cents, known enums, and no
// control characters in any string (PostgreSQL cannot store NUL: it would be a 500).
import { isCents } from '../../core/money.js';
import { ApiError } from './api-error.js';

type Fields = Record<string, unknown>;

// The same bounds as the procedures' own checks (002_procedures.sql), so bad input is refused
// here, before it reaches the database (where even a refusal leaves an audit row).
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const MAX_ID_LENGTH = 255;
const MAX_ORDER_ITEMS = 50;
const MAX_ITEM_QUANTITY = 100;
export const MAX_AMOUNT_CENTS = 50_000_000;

export type ScanDirection = 'entry' | 'exit';
export type RechargeMethod = 'cash' | 'card';

export interface GateScanInput { idempotencyKey: string; walletId: string; gatewayId: string; direction: ScanDirection }
export interface OrderItem { product_id: string; quantity: number }
export interface BarOrderInput { idempotencyKey: string; walletId: string; terminalId: string; items: OrderItem[] }
export interface RechargeInput { idempotencyKey: string; walletId: string; amountCents: number; checkpointId: string; method: RechargeMethod }
export interface FundingIntentInput { idempotencyKey: string; walletId: string; amountCents: number }

function invalid(message: string): ApiError {
  return new ApiError('validation_failed', message);
}

// C0 (NUL..US), DEL and C1 controls; and unpaired surrogates, which have no UTF-8 form.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** 400 invalid_input for a control character or invalid Unicode; the value itself is not echoed. */
export function assertCleanText(value: string, what: string): void {
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new ApiError('invalid_input', `${what} contains a control character (U+${code})`);
  }
  if (LONE_SURROGATE.test(value)) throw new ApiError('invalid_input', `${what} is not valid Unicode (unpaired surrogate)`);
}

/** Every string in a parsed JSON value, object keys included, before any field is read. */
export function assertCleanJson(value: unknown, where = 'body'): void {
  if (typeof value === 'string') assertCleanText(value, where);
  else if (Array.isArray(value)) value.forEach((v, i) => assertCleanJson(v, `${where}[${i}]`));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      assertCleanText(k, `a field name in ${where}`);
      assertCleanJson(v, where === 'body' ? k : `${where}.${k}`);
    }
  }
}

/** Rejects fields outside `allowed`; `where` names the object in messages. */
export function onlyFields(body: Fields, allowed: readonly string[], where = 'body'): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalid(`unknown field ${JSON.stringify(key)} in ${where}; allowed: ${allowed.join(', ')}`);
  }
}

export function requireId(body: Fields, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim().length === 0) throw invalid(`${field} must be a non-empty string`);
  assertCleanText(value, field);
  if (value.length > MAX_ID_LENGTH) throw invalid(`${field} must be at most ${MAX_ID_LENGTH} characters`);
  return value;
}

/** Integer cents in 1..MAX_AMOUNT_CENTS: a float, a string, zero or a negative amount is refused. */
export function requirePositiveCents(body: Fields, field: string): number {
  const value = body[field];
  if (!isCents(value)) throw invalid(`${field} must be an integer number of cents, got ${JSON.stringify(value) ?? 'nothing'}`);
  if (value < 1 || value > MAX_AMOUNT_CENTS) throw invalid(`${field} must be from 1 to ${MAX_AMOUNT_CENTS} cents, got ${value}`);
  return value;
}

export function requireOneOf<T extends string>(body: Fields, field: string, allowed: readonly T[]): T {
  const value = body[field];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value as T;
}

export function requireItems(body: Fields, field: string): OrderItem[] {
  const value = body[field];
  if (!Array.isArray(value) || value.length === 0) throw invalid(`${field} must be a non-empty array`);
  if (value.length > MAX_ORDER_ITEMS) throw invalid(`${field} must have at most ${MAX_ORDER_ITEMS} entries`);
  return value.map((item: unknown, i) => {
    const where = `${field}[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw invalid(`${where} must be an object`);
    const line = item as Fields;
    onlyFields(line, ['product_id', 'quantity'], where);
    const productId = requireId(line, 'product_id');
    const quantity = line.quantity;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_ITEM_QUANTITY) {
      throw invalid(`${where}.quantity must be an integer from 1 to ${MAX_ITEM_QUANTITY}`);
    }
    return { product_id: productId, quantity };
  });
}

/** A funding intent's body (POST /v1/funding-intents, the create-funding-intent edge function). */
export function fundingIntentInput(body: Fields, idempotencyKey: string, onWallet: (walletId: string) => void = () => {}): FundingIntentInput {
  onlyFields(body, ['wallet_id', 'amount_cents']);
  const walletId = requireId(body, 'wallet_id');
  onWallet(walletId);
  const amountCents = requirePositiveCents(body, 'amount_cents');
  return { idempotencyKey, walletId, amountCents };
}

/** Missing or empty: 400 idempotency_key_missing; longer than 255 characters: 400 validation_failed. */
export function requireIdempotencyKey(value: unknown): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new ApiError('idempotency_key_missing', 'an idempotency key is required for this write');
  }
  if (typeof value !== 'string') throw invalid('idempotency key must be a string');
  assertCleanText(value, 'idempotency key');
  if (value.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw invalid(`idempotency key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  return value;
}

/** Path segment ids arrive percent-encoded. */
export function pathId(raw: string | undefined, what: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw ?? '');
  } catch {
    throw invalid(`${what} is not a valid path segment`);
  }
  assertCleanText(value, what);
  if (value.trim().length === 0 || value.length > MAX_ID_LENGTH) throw invalid(`${what} must be 1 to ${MAX_ID_LENGTH} characters`);
  return value;
}
