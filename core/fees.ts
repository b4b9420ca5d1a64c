// Platform fee math shared by the target's server, the k6 checks and the validators.
// The SQL twin is mp_platform_fee() in platform/migrations; test/core/fees.test.ts keeps them equal.
import { assertCents, type Cents } from './money.js';

/** Basis points: 250 = 2.50 %. */
export type BasisPoints = number;

/** fee = total * bps / 10000, rounded half-up to the cent (total >= 0). */
export function platformFee(total: Cents, bps: BasisPoints): Cents {
  assertCents(total, 'total');
  if (total < 0) throw new RangeError('total must be >= 0');
  if (!Number.isInteger(bps) || bps < 0 || bps > 10000) throw new RangeError(`fee rate must be 0..10000 bps, got ${bps}`);
  return Math.floor((total * bps + 5000) / 10000);
}

export interface OrderSplit { total: Cents; fee: Cents; vendorShare: Cents }

export function splitOrder(lines: ReadonlyArray<{ unitPriceCents: Cents; quantity: number }>, bps: BasisPoints): OrderSplit {
  let total = 0;
  for (const line of lines) {
    assertCents(line.unitPriceCents, 'unit price');
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) throw new RangeError('quantity must be a positive integer');
    total += line.unitPriceCents * line.quantity;
  }
  const fee = platformFee(total, bps);
  return { total, fee, vendorShare: total - fee };
}
