// `moshpit bench --quick`: proves the harness works end to end (real PostgreSQL, real k6, the
// reference target), not how fast anything is. It asserts the report's structure, never a
// figure whose value depends on the machine's speed: capacity may be measured, a lower bound
// ("at least") or "below the lowest step" on a busy machine; all three pass, NaN never does.
// Its databases (mpbench_*) are its own, on the test server, and dropped at the end.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { BENCHMARK_NAMES, formatTable, runBench, type BenchReport } from '../../bench/index.js';
import { capacityNote, estimateCapacity, type Step } from '../../bench/capacity.js';
import { parsePgbenchInit, parsePgbenchRun } from '../../bench/harness/postgres.js';
import { figure, growthFactors, median } from '../../bench/harness/stats.js';
import { peakRate, type K6Sample } from '../../bench/harness/k6.js';
import { schedule, walletsNeeded } from '../../bench/harness/schedule.js';
import { withDatabase } from '../support/databases.js';

const outDir = mkdtempSync(join(tmpdir(), 'moshpit-bench-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('harness pieces', () => {
  it('summarises samples as median with range', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const f = figure([90, 100, 110], 's');
    expect(f).toMatchObject({ value: 100, min: 90, max: 110, spreadPercent: 20, unit: 's' });
    expect(growthFactors([{ size: 10, seconds: 1 }, { size: 100, seconds: 8 }])).toEqual([{ from: 10, to: 100, sizeFactor: 10, timeFactor: 8 }]);
  });

  it('parses pgbench output', () => {
    const init = parsePgbenchInit('creating tables...\ndone in 5.43 s (drop tables 0.00 s, create tables 0.01 s, client-side generate 3.21 s, vacuum 0.80 s, primary keys 1.41 s).\n');
    expect(init.seconds).toBe(5.43);
    expect(init.steps['client-side generate']).toBe(3.21);
    const run = parsePgbenchRun('number of transactions actually processed: 12345\nlatency average = 16.2 ms\ntps = 1234.5 (without initial connection time)\n');
    expect(run).toEqual({ tps: 1234.5, transactions: 12345, latencyAvgMs: 16.2 });
  });

  it('takes peak rates over a sliding window of REST API samples', () => {
    const s = (t: number, iterations: number): K6Sample => ({ t, iterations, httpReqs: iterations * 2, vus: 1, rssKiB: 1, cpuSeconds: 0 });
    const samples = [s(0, 0), s(1, 10), s(2, 30), s(3, 60), s(4, 70)];
    expect(peakRate(samples, 'iterations', 2)).toBe(25); // (60 - 10) / 2
    expect(peakRate(samples, 'httpReqs', 2)).toBe(50);
  });

  it('capacity is a number in every case: measured, at least, or below the lowest step (never NaN)', () => {
    const st = (scheduledPerSecond: number, pass: boolean, p95Ms: number | null = pass ? 300 : 1200): Step => ({
      scheduledPerSecond, ordersPerSecond: scheduledPerSecond * 0.98, p95Ms, achievedRatio: pass ? 1 : 0.5, dropped: 0, exitCode: 0, pass,
    });
    // The busy machine of issue 13: the first step already fails.
    const below = estimateCapacity([st(5, false)]);
    expect(below).toMatchObject({ value: 5, bound: 'below', text: '< 5 orders/s' });
    expect(capacityNote(below)).toMatch(/^< 5 orders\/s: below the lowest step/);
    expect(estimateCapacity([st(5, false, null)]).value).toBe(5); // not even a p95
    expect(estimateCapacity([st(5, true), st(10, true)])).toMatchObject({ value: 9.8, bound: 'at-least', text: '>= 9.8 orders/s' });
    expect(estimateCapacity([st(5, true), st(10, false), st(8, true)])).toMatchObject({ value: 7.84, bound: 'measured' });
    expect(() => estimateCapacity([])).toThrow(/no step ran/);
  });

  it('integrates the schedule the bundles run from core/profiles.ts', () => {
    // pilot concession: 4 terminals x 30/min; 10x for 30 s = 4 x (5/s x 30 s + the one at t = 0)
    expect(schedule('pilot', 'concession', { duration: 30 / 1500, rate: 10 })).toMatchObject({ iterations: 604, seconds: 30, openModelOnly: true });
    // pilot entry: 2 doors x 100/min for 20 s = 2 x (floor(33.3) + 1)
    expect(schedule('pilot', 'entry', { duration: 20 / 1500, rate: 1 }).iterations).toBe(68);
    expect(schedule('pilot', 'full', { duration: 0.04, rate: 1 }).openModelOnly).toBe(false);
    expect(walletsNeeded('pilot', 'concession', { duration: 1, rate: 10 })).toBeGreaterThan(0);
  });
});

describe('moshpit bench --quick', () => {
  let report: BenchReport;

  it('runs every benchmark and writes the JSON report', async () => {
    const lines: string[] = [];
    report = await runBench({ quick: true, databaseUrl: inject('pgServerUrl'), outDir, log: (l) => lines.push(l) });
    const failed = report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error}`);
    expect(failed, lines.slice(-30).join('\n')).toEqual([]);
    expect(report.results.map((r) => r.name)).toEqual([...BENCHMARK_NAMES]);
    expect(report.mode).toBe('quick');
    expect(existsSync(report.file!)).toBe(true);
    const written = JSON.parse(readFileSync(report.file!, 'utf8')) as BenchReport;
    expect(written.results.length).toBe(BENCHMARK_NAMES.length);
    expect(written.machine).toMatchObject({ cores: expect.any(Number), memoryGiB: expect.any(Number), kernel: expect.any(String), node: process.version });
    expect(written.machine.postgres).toMatch(/^\d+/);
    expect(written.machine.k6).toMatch(/^\d+\.\d+\.\d+$/);
  }, 600_000);

  // Structure only: a ratio exists and is a number; how big it is depends on the machine.
  it('gives every row a figure, and every reference a finite ratio', () => {
    for (const result of report.results) {
      expect(result.rows.length, result.name).toBeGreaterThan(0);
      for (const r of result.rows) {
        expect(r.subject.samples.length, r.measure).toBeGreaterThan(0);
        expect(typeof r.subject.unit).toBe('string');
        if (r.reference) {
          expect(r.referenceLabel, r.measure).toEqual(expect.any(String));
          expect(Number.isFinite(r.ratio), `${result.name}: ${r.measure} ratio ${r.ratio}`).toBe(true);
          expect(r.ratio!, r.measure).toBeGreaterThanOrEqual(0);
        } else {
          expect(r.ratio).toBeNull();
        }
      }
    }
    // Capacity: pass or fail on this machine, a number with what kind of number it is.
    const capacity = report.results.find((r) => r.name === 'capacity')!;
    const estimate = capacity.details.capacity as { value: number; bound: string; text: string };
    expect(Number.isFinite(estimate.value)).toBe(true);
    expect(['measured', 'at-least', 'below']).toContain(estimate.bound);
    expect((capacity.rows[0]!.subject as { bound?: string }).bound).toBe(estimate.bound);
    if (estimate.bound === 'below') expect(capacity.rows[0]!.note).toMatch(/below the lowest step/);
  });

  it('has the rows the issue asks for', () => {
    const measures = (name: string) => report.results.find((r) => r.name === name)!.rows.map((r) => r.measure).join('\n');
    expect(measures('seeding')).toMatch(/wallets\/s/);
    expect(measures('seeding')).toMatch(/growth/);
    expect(measures('validation')).toMatch(/validation time/);
    expect(measures('validation')).toMatch(/growth/);
    expect(measures('load-generator')).toMatch(/peak iterations\/s/);
    expect(measures('load-generator')).toMatch(/RSS per VU/);
    expect(measures('load-generator')).toMatch(/peak k6 memory/);
    expect(measures('open-model')).toMatch(/1× pilot/);
    expect(measures('open-model')).toMatch(/10× pilot/);
    expect(measures('capacity')).toMatch(/p95 < 800 ms/);
    expect(measures('bundle')).toMatch(/full: build time/);
    // The generated validation data must pass every checker, or the timing means nothing.
    const sizes = (report.results.find((r) => r.name === 'validation')!.details.sizes as Array<{ failures: string[] }>);
    expect(sizes.flatMap((s) => s.failures)).toEqual([]);
    expect(formatTable(report)).toMatch(/^\| benchmark \| measure \| subject \| reference \| ratio \| note \|/);
  });

  it('leaves no bench database behind', async () => {
    const c = new pg.Client({ connectionString: withDatabase(inject('pgServerUrl'), 'postgres') });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`mpbench\\_%\\_${process.pid}\\_%`]);
      expect(rows).toEqual([]);
    } finally {
      await c.end();
    }
  });
});
