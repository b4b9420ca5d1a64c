import { describe, expect, it } from 'vitest';
import { platformFee, splitOrder } from '../../core/fees.js';
import { assertCents } from '../../core/money.js';

describe('platform fee', () => {
  it('rounds half up to the cent', () => {
    expect(platformFee(1000, 250)).toBe(25);
    expect(platformFee(20, 250)).toBe(1); // 0.5 -> 1
    expect(platformFee(19, 250)).toBe(0); // 0.475 -> 0
    expect(platformFee(0, 250)).toBe(0);
  });
  it('vendor share + fee = total', () => {
    for (let total = 0; total < 5000; total += 7) {
      const s = splitOrder([{ unitPriceCents: total, quantity: 1 }], 275);
      expect(s.vendorShare + s.fee).toBe(s.total);
    }
  });
  it('refuses floats and bad rates', () => {
    expect(() => platformFee(10.5, 250)).toThrow(/integer number of cents/);
    expect(() => platformFee(100, 10001)).toThrow(/bps/);
    expect(() => assertCents('12')).toThrow();
  });
});
