// Order-independent fingerprints: a per-row hash of a key, summed (or multiplied by an amount
// and summed) over a whole table. Two sides of an invariant (a wallet's balance move and its
// ledger rows, an order and its debit, ...) agree row for row exactly when their sums agree,
// up to a hash collision that cancels out (about 2^-32 for amount sums, 2^-64 for count sums).
// A disagreement only means "look closer": the checker then runs its exact query, which
// decides the verdict and finds the witnesses. So a collision can cost time, never a false alarm;
// the one way to miss a violation is a cancelling collision.

/** 64-bit hash of a text expression: for "which rows" (count) fingerprints, summed as numeric. */
export const hx = (textExpr: string) => `hashtextextended(${textExpr}, 0)`;

/** 32-bit hash widened to bigint: times an amount in cents without overflowing below 2^31 cents. */
export const h32 = (textExpr: string) => `hashtext(${textExpr})::bigint`;

/** 64-bit hash of an integer key (an id): no text conversion. */
export const hi = (intExpr: string) => `hashint8extended(${intExpr}, 0)`;

/**
 * A wallet's 32-bit hash, widened: times an amount in its per-wallet sums, and the seed of
 * every pair hash below, so "key/wallet" text is never built per row.
 */
export const walletSeed = (walletExpr: string) => h32(walletExpr);

/** 64-bit hash of (a record's text key, its wallet), given the wallet's seed. */
export const pairHash = (keyExpr: string, seedExpr: string) => `hashtextextended(coalesce(${keyExpr}, ''), ${seedExpr})`;

/** A pair hash cut to 32 bits (its high half), to multiply by an amount in cents. */
export const high32 = (hashExpr: string) => `(${hashExpr} >> 32)`;

/** 64-bit hash of (wallet, an amount in cents), given the wallet's seed: one end of a chain link. */
export const walletValueHash = (valueExpr: string, seedExpr: string) => `hashint8extended(${valueExpr}, ${seedExpr})`;

/** A sum that is 0 over no rows. */
export const total = (expr: string, filter?: string) => `coalesce(sum(${expr})${filter ? ` FILTER (WHERE ${filter})` : ''}, 0)`;

/** Exact integer value of a count or sum as pg returns it (number or decimal string). */
export function big(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`fingerprint value is not an integer: ${v}`);
    return BigInt(v);
  }
  const s = String(v);
  if (!/^-?\d+$/.test(s)) throw new RangeError(`fingerprint value is not an integer: ${s}`);
  return BigInt(s);
}

/** Do two integer values agree? */
export const same = (a: unknown, b: unknown) => big(a) === big(b);

/** Sum of integer values. */
export const sumOf = (...vs: unknown[]) => vs.reduce<bigint>((s, v) => s + big(v), 0n);

/** A checker settled clean by the passes (info as its exact query would report it). */
export function agreed(info?: Record<string, unknown>): { violations: 0; witnesses: []; info?: Record<string, unknown> } {
  return info ? { violations: 0, witnesses: [], info } : { violations: 0, witnesses: [] };
}

/** An integer for a report: a number when safe, else its exact decimal string (like pg-integers.ts). */
export function int(v: unknown): number | string {
  const b = big(v);
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b.toString();
}
