// One percentile definition: nearest rank, the same over sorted samples (request-log analyzer)
// and over merged histograms (verdict, chaos report).
import { describe, expect, it } from 'vitest';
import { ACCURACY, addSample, emptyHistogram, quantile } from '../../core/metrics-stream/histogram.js';
import { nearestRank, percentileOfSorted } from '../../core/percentile.js';

describe('percentile', () => {
  it('is the ceil(q·n)-th smallest sample, an observed value', () => {
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2);
    expect(percentileOfSorted([1, 2, 3, 4], 51)).toBe(3);
    expect(percentileOfSorted([10], 99)).toBe(10);
    expect(percentileOfSorted([], 95)).toBeNull();
    expect(percentileOfSorted([5, 6, 7], 0)).toBe(5);
    expect(percentileOfSorted([5, 6, 7], 100)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(hundred, 95)).toBe(95);
    expect(percentileOfSorted(hundred, 7)).toBe(7); // 0.07 * 100 is not 7 in floating point
    expect(nearestRank(0.07, 100)).toBe(7);
  });

  it('agrees with the merged histogram the verdict reads, within its accuracy', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % 1000) * 0.37);
    const h = emptyHistogram();
    for (const v of samples) addSample(h, v);
    const sorted = [...samples].sort((a, b) => a - b);
    for (const p of [1, 7, 50, 90, 95, 99, 99.9]) {
      const exact = percentileOfSorted(sorted, p)!;
      expect(Math.abs(quantile(h, p / 100) - exact) / exact, `p${p}`).toBeLessThanOrEqual(ACCURACY + 1e-12);
    }
  });
});
