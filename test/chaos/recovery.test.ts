import { describe, expect, it } from 'vitest';
import { computeRecoveries, recoveryAfter, spansFromRecords, type MetricSample } from '../../chaos/recovery.js';

const th = { maxErrorRate: 0.01, maxP95Ms: 500, stableSamples: 3 };
const good = (t: number): MetricSample => ({ t, errorRate: 0, p95: 120 });
const slow = (t: number): MetricSample => ({ t, errorRate: 0, p95: 2000 });
const failing = (t: number): MetricSample => ({ t, errorRate: 0.3, p95: 100 });

describe('recovery time', () => {
  it('is the time from the window end to the first sample of a stable healthy run', () => {
    const samples = [failing(10_000), failing(11_000), slow(12_000), good(13_000), good(14_000), good(15_000), good(16_000)];
    expect(recoveryAfter(10_000, samples, th)).toBe(3000); // 13 s is the first of three healthy samples
  });

  it('needs both metrics within bounds', () => {
    const samples = [good(1000), { t: 2000, errorRate: 0.02, p95: 100 }, { t: 3000, errorRate: 0, p95: 501 }, good(4000), good(5000), good(6000)];
    expect(recoveryAfter(0, samples, th)).toBe(4000);
  });

  it('restarts the count when health relapses', () => {
    const samples = [good(1000), good(2000), failing(3000), good(4000), good(5000), good(6000)];
    expect(recoveryAfter(0, samples, th)).toBe(4000);
    expect(recoveryAfter(0, samples, { ...th, stableSamples: 1 })).toBe(1000);
  });

  it('is null when the system never stays healthy long enough', () => {
    expect(recoveryAfter(0, [good(1000), good(2000), slow(3000), good(4000)], th)).toBeNull();
    expect(recoveryAfter(0, [], th)).toBeNull();
  });

  it('ignores samples up to the window end, sorts input, and does not trust intervals without data', () => {
    const samples = [good(6000), good(5000), good(1000), { t: 3000, errorRate: NaN, p95: NaN }, good(4000), good(2000)];
    // 1000 is inside the window (end 1000); NaN at 3000 breaks the run 2000..; 4000-6000 is the run
    expect(recoveryAfter(1000, samples, th)).toBe(3000);
  });

  it('for several windows, stops observing one when the next starts', () => {
    const windows = [
      { fault: 'db-latency', startMs: 0, endMs: 10_000 },
      { fault: 'db-reset', startMs: 14_000, endMs: 16_000 },
    ];
    const samples = [
      slow(11_000), slow(12_000), good(13_000), // only one healthy sample before db-reset starts
      failing(15_000), failing(16_500), good(17_000), good(18_000), good(19_000),
    ];
    expect(computeRecoveries(windows, samples, th)).toEqual([
      { fault: 'db-latency', windowEndMs: 10_000, recoveredAtMs: null, recoveryMs: null },
      { fault: 'db-reset', windowEndMs: 16_000, recoveredAtMs: 17_000, recoveryMs: 1000 },
    ]);
    expect(computeRecoveries(windows, samples, th, { untilNextWindow: false })[0]!.recoveryMs).toBe(7000);
  });

  it('takes the windows that really happened from chaos-windows.json records', () => {
    expect(spansFromRecords([
      { fault: 'a', startMs: 1, endMs: 2 },
      { fault: 'b', startMs: null, endMs: null },
      { fault: 'c', startMs: 3, endMs: null },
    ])).toEqual([{ fault: 'a', startMs: 1, endMs: 2 }]);
  });
});
