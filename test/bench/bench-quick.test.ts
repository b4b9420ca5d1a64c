// `moshpit bench --quick`: proves the harness works end to end (real PostgreSQL, the default
// engine Artillery through the pipeline's own load step, the reference target, the bare
// references), not how fast anything is. It asserts the report's structure and sanity only:
// every figure is a number, every ratio that exists is finite and positive, the flags and
// skip reasons are there. Never a threshold on a speed: capacity may be measured, a lower
// bound ("at least") or "below the lowest step" on a busy machine; all three pass, NaN never
// does. k6 rows run only with the user's own k6; without one they must be reported as skipped
// with the reason. Its databases (mpbench_*) are its own, on the test server, dropped at the end.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { BENCHMARK_NAMES, formatTable, runBench, type BenchReport } from '../../bench/index.js';
import { capacityNote, estimateCapacity, type Step } from '../../bench/capacity.js';
import { readCounts } from '../../bench/harness/engine.js';
import { plateauSeconds, workloadFidelity } from '../../bench/harness/fidelity.js';
import { parsePgbenchInit, parsePgbenchRun } from '../../bench/harness/postgres.js';
import { cpuAt, descendants, parentMap, readMemory, readStat, steadyCpuMsPerRequest, type UsageSample } from '../../monitoring/process-sampler.js';
import { figure, growthFactors, median } from '../../bench/harness/stats.js';
import { schedule, walletsNeeded } from '../../bench/harness/schedule.js';
import { mergeStreams } from '../../core/metrics-stream/merge.js';
import type { StreamRecord } from '../../core/metrics-stream/records.js';
import type { WorkloadLoad } from '../../cli/pipeline/engine/artillery-plan.js';
import { findUserK6 } from '../../build/toolchain.js';
import { withDatabase } from '../support/databases.js';

const outDir = mkdtempSync(join(tmpdir(), 'moshpit-bench-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const userK6 = (() => { try { return findUserK6(); } catch { return null; } })();

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

  it('reads CPU and memory of live processes from /proc, and finds descendants by parent PID', () => {
    const self = readStat(process.pid)!;
    expect(self.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(self.ppid).toBe(process.ppid);
    expect(readMemory(process.pid)!.hwmKiB).toBeGreaterThanOrEqual(readMemory(process.pid)!.rssKiB - 1024);
    expect(readStat(2 ** 22 + 1)).toBeNull(); // no such PID
    expect(descendants(1, new Map([[10, 1], [11, 10], [12, 11], [20, 2]])).sort()).toEqual([10, 11, 12]);
    expect(parentMap().get(process.pid)).toBe(process.ppid);
  });

  it('takes CPU per request while requests flow, leaving start-up and drain out', () => {
    // 2 CPU s of start-up before second 100, then 10 ms per second for 100 requests a second.
    const samples: UsageSample[] = [{ tMs: 99_000, cpuSeconds: 2, rssKiB: 1 }];
    for (let t = 100; t <= 110; t++) samples.push({ tMs: t * 1000, cpuSeconds: 2 + (t - 100) * 0.01, rssKiB: 1 });
    expect(cpuAt(samples, 100_500)).toBeCloseTo(2.005);
    const perSecond = new Map([...Array(10).keys()].map((i) => [100 + i, 100] as [number, number]));
    const steady = steadyCpuMsPerRequest(samples, perSecond)!;
    expect(steady.msPerRequest).toBeCloseTo(0.1); // 10 ms / 100 requests
    expect(steady.seconds).toBe(8);
    expect(steadyCpuMsPerRequest(samples, new Map([[100, 5], [101, 5]]))).toBeNull(); // too short
  });

  it('reads a reference script\'s per-second counts and its done line', () => {
    const file = join(outDir, 'counts.jsonl');
    writeFileSync(file, '{"t":5,"n":3}\n{"t":6,"n":4}\n{"t":6,"n":1}\n{"done":true,"ok":8}\n{"t":7,');
    const { perSecond, done } = readCounts(file);
    expect([...perSecond.entries()]).toEqual([[5, 3], [6, 5]]);
    expect(done).toMatchObject({ done: true, ok: 8 });
  });

  it('measures schedule fidelity per workload from the metrics streams', () => {
    const t0 = 1_000_000;
    const open: WorkloadLoad = { workload: 'concession', lanes: 4, shape: { executor: 'constant-arrival-rate', perMinute: 30, durationSeconds: 20, preAllocatedVUs: 2, maxVUs: 8 } };
    const closed: WorkloadLoad = { workload: 'browse', lanes: 1, shape: { executor: 'ramping-vus', startVUs: 10, stages: [{ durationSeconds: 1, target: 100 }, { durationSeconds: 29, target: 100 }] } };
    const start = (source: string, workload: string, plannedArrivals: number): StreamRecord => ({ v: 1, type: 'start', source, engine: 'artillery', runId: 'r', startedAt: t0 - 500, info: { workload, plannedArrivals } });
    const gauge = (t: number, v: number): StreamRecord => ({ v: 1, type: 'window', t, series: [{ m: 'vus', tags: { scenario: 'browse' }, k: 'gauge', last: v, min: v, max: v }] });
    const merged = mergeStreams([
      { name: 'c', records: [start('artillery-concession-s0', 'concession', 40), { v: 1, type: 'end', endedAt: t0 + 21_000, info: { arrivals: 40, iterations: 39, dropped: 1, flowErrors: 0 } }] },
      { name: 'b', records: [start('artillery-browse-s0', 'browse', 100), ...[...Array(30).keys()].map((i) => gauge(t0 / 1000 + i, i < 6 ? 10 + i * 15 : 100)), { v: 1, type: 'end', endedAt: t0 + 31_000, info: { arrivals: 100, iterations: 300, dropped: 0, flowErrors: 0 } }] },
    ]);
    const [c, b] = workloadFidelity(merged, [open, closed], t0);
    expect(c).toMatchObject({ model: 'open', scheduled: 40, achieved: 39, dropped: 1, ended: true, profileArrivals: 40 });
    expect(c!.ratio).toBeCloseTo(0.975);
    expect(b).toMatchObject({ model: 'closed', unit: 'VUs', targetVus: 100, heldMax: 100, heldPlateauMin: 100, ratio: 1 });
    expect(b!.plateauSeconds).toBeGreaterThan(15);
    // The plateau leaves out the arrival slice after the ramp and the last seconds.
    const plateau = plateauSeconds(closed.shape as never, t0, [...Array(30).keys()].map((i) => t0 / 1000 + i));
    expect(Math.min(...plateau) - t0 / 1000).toBeGreaterThanOrEqual(7);
    expect(Math.max(...plateau) - t0 / 1000).toBeLessThanOrEqual(28);
    expect(() => workloadFidelity(merged, [{ ...open, workload: 'entry' }], t0)).toThrow(/no metrics stream for the entry workload/);
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

  it('integrates the schedule k6 runs from core/profiles.ts, and sizes the seed', () => {
    // pilot concession: 4 terminals x 30/min; 10x for 30 s = 4 x (5/s x 30 s + the one at t = 0)
    expect(schedule('pilot', 'concession', { duration: 30 / 1500, rate: 10 })).toMatchObject({ iterations: 604, seconds: 30, openModelOnly: true });
    // pilot entry: 2 doors x 100/min for 20 s = 2 x (floor(33.3) + 1)
    expect(schedule('pilot', 'entry', { duration: 20 / 1500, rate: 1 }).iterations).toBe(68);
    expect(schedule('pilot', 'full', { duration: 0.04, rate: 1 }).openModelOnly).toBe(false);
    expect(walletsNeeded('pilot', 'concession', { duration: 1, rate: 10 })).toBeGreaterThan(0);
  });
});

/** Live processes under this one that the bench started (engine, references, target). */
function strayBenchProcesses(): string[] {
  const out: string[] = [];
  for (const pid of descendants(process.pid, parentMap())) {
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { continue; }
    if (/artillery|loopback-server|undici-loop|target\/server\/main|k6 run/.test(cmd)) out.push(`${pid}: ${cmd.slice(0, 160)}`);
  }
  return out;
}

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
    expect(written.machine.artillery).toMatch(/^\d+\.\d+\.\d+$/);
    expect(written.machine.k6).toMatch(userK6 ? /^\d+\.\d+\.\d+/ : /^none$/);
    // Every run is bounded and torn down: nothing it spawned is left running.
    expect(strayBenchProcesses()).toEqual([]);
  }, 900_000);

  // Structure and sanity only: a figure is a number, a ratio exists and is positive; how big
  // any of them is depends on the machine.
  it('gives every row a numeric figure, and every reference a finite positive ratio', () => {
    for (const result of report.results) {
      expect(result.rows.length, result.name).toBeGreaterThan(0);
      for (const r of result.rows) {
        expect(r.subject.samples.length, r.measure).toBeGreaterThan(0);
        expect(Number.isFinite(r.subject.value), `${result.name}: ${r.measure} = ${r.subject.value}`).toBe(true);
        expect(typeof r.subject.unit).toBe('string');
        if (r.reference) {
          expect(r.referenceLabel, r.measure).toEqual(expect.any(String));
          expect(Number.isFinite(r.reference.value), `${result.name}: ${r.measure} reference ${r.reference.value}`).toBe(true);
          expect(Number.isFinite(r.ratio), `${result.name}: ${r.measure} ratio ${r.ratio}`).toBe(true);
          expect(r.ratio!, r.measure).toBeGreaterThan(0);
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

  it('has the rows the issues ask for', () => {
    const result = (name: string) => report.results.find((r) => r.name === name)!;
    const measures = (name: string) => result(name).rows.map((r) => r.measure).join('\n');
    const ratioLabels = (name: string) => result(name).rows.map((r) => r.ratioLabel ?? '').join('\n');
    expect(measures('seeding')).toMatch(/wallets\/s/);
    expect(measures('seeding')).toMatch(/growth/);
    expect(measures('validation')).toMatch(/validation time/);
    expect(measures('validation')).toMatch(/growth/);
    // Issue 12's references, beside the older ones.
    expect(ratioLabels('seeding')).toMatch(/seed ÷ pgbench -i/);
    expect(ratioLabels('seeding')).toMatch(/seed ÷ COPY from file/);
    expect(ratioLabels('seeding')).toMatch(/seed ÷ INSERT \.\.\. SELECT/);
    expect(ratioLabels('validation')).toMatch(/validation ÷ ledger scan/);
    expect(ratioLabels('validation')).toMatch(/validation ÷ all-tables scan/);
    expect(ratioLabels('capacity')).toMatch(/orders\/s ÷ pgbench tps/);
    expect(ratioLabels('capacity')).toMatch(/orders\/s ÷ procedure calls\/s/);
    // Load generator: flows on the engine vs a bare script on it vs a plain undici loop.
    expect(measures('load-generator')).toMatch(/Artillery CPU per request while requests flow, open model: our concession flows/);
    expect(measures('load-generator')).toMatch(/closed loop: our concession flows/);
    expect(measures('load-generator')).toMatch(/no request at all/);
    expect(measures('load-generator')).toMatch(/peak RSS/);
    expect(ratioLabels('load-generator')).toMatch(/flows ÷ bare/);
    expect(ratioLabels('load-generator')).toMatch(/bare ÷ undici/);
    // k6: rows with the user's k6, otherwise skipped with the reason; never silently absent.
    const lg = result('load-generator');
    if (userK6) {
      expect(measures('load-generator')).toMatch(/k6 CPU per request/);
    } else {
      expect(lg.skipped?.length).toBeGreaterThan(0);
      for (const s of lg.skipped!) expect(s.reason).toMatch(/no k6 found|K6_BINARY/);
      expect(formatTable(report)).toMatch(/\| load-generator \| k6 CPU per request[^|]*\| skipped \|/);
    }
    // Schedule fidelity: every workload of the full scenario at each multiple, dropped counts,
    // the crowd held, its memory against the bare crowd.
    const om = measures('open-model');
    for (const m of report.sizes.fidelityMultiples) {
      for (const w of ['entry', 'concession', 'reentry']) expect(om).toMatch(new RegExp(`full at ${m}× \\w+: ${w} \\(open\\), iterations run`));
      for (const w of ['funding', 'browse']) expect(om).toMatch(new RegExp(`full at ${m}× \\w+: ${w} \\(closed\\), VUs reached`));
      expect(om).toMatch(new RegExp(`full at ${m}× \\w+: dropped iterations`));
    }
    expect(om).toMatch(/browsing crowd .*peak RSS/);
    const runs = result('open-model').details.runs as Array<{ fidelity: Array<{ ratio: number; dropped: number }> }>;
    for (const run of runs) for (const w of run.fidelity) { expect(Number.isFinite(w.ratio)).toBe(true); expect(Number.isInteger(w.dropped)).toBe(true); }
    expect(measures('capacity')).toMatch(/p95 < 800 ms/);
    expect(measures('bundle')).toMatch(/Artillery processor \+ launcher: build time/);
    expect(measures('bundle')).toMatch(/full: k6 bundle build time/);
    // The generated validation data must pass every checker, or the timing means nothing.
    const sizes = (result('validation').details.sizes as Array<{ failures: string[] }>);
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
