// The chaos hook around the pipeline's load step (cli/pipeline/chaos-run.ts chaosLoadHook),
// with a stand-in load that writes a metrics stream as a load process does: the controller
// runs on the load's t0 (no clock endpoint), faults are stopped whatever the load did, and the
// report and exit code come from the merged stream (0, 99 for a broken recovery bound, the
// load's own exit, 1 without a stream). Client faults only: no Toxiproxy, no target.
import { RUN_DIRS, RUN_FILES } from '../../core/results-layout.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChaosReport } from '../../chaos/report.js';
import type { ChaosWindowsFile } from '../../chaos/windows-file.js';
import type { ChaosPlan } from '../../cli/pipeline/chaos-run.js';
import type { LoadStepContext } from '../../cli/pipeline/run-scenario.js';
import { StreamAggregator } from '../../core/metrics-stream/aggregator.js';
import { STREAM_VERSION, type StreamRecord } from '../../core/metrics-stream/records.js';

// The controller's crash marker lives in the state dir: this file's own, never the checkout's.
const work = mkdtempSync(join(tmpdir(), 'mp-chaos-hook-'));
process.env.MOSHPIT_STATE_DIR = join(work, 'state');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const { chaosEnvFor, chaosLoadHook } = await import('../../cli/pipeline/chaos-run.js');
const { validateTimeline } = await import('../../chaos/timeline.js');
const { sleep } = await import('../../stack/processes.js');

let n = 0;
function plan(durationS: number, recoveryBoundS: number): ChaosPlan {
  return { timeline: validateTimeline([{ fault: 'webhook-dup', startS: 0, durationS: 0.5, params: { rate: 1 } }], durationS), recoveryBoundS, needsDbProxy: false };
}

/** A load process's stream: `seconds` seconds of requests from t0, failing at `errorRate` after the first second. */
function writeStream(resultsDir: string, t0Ms: number, seconds: number, errorRate: number, startedAt = t0Ms): void {
  const a = new StreamAggregator();
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < 10; i++) {
      const at = t0Ms + s * 1000 + i * 90;
      const tags = s === 0 && i * 90 < 500 ? { chaos: 'fault', fault: 'webhook-dup' } : { chaos: 'steady', fault: 'none' }; // the window: t0 .. t0+0.5 s
      a.trend(at, 'http_req_duration', 20 + i, tags);
      a.rate(at, 'http_req_failed', s > 0 && i < errorRate * 10, tags);
    }
  }
  a.counter(t0Ms + 100, 'moshpit_chaos_webhook_deliveries', 2, { kind: 'duplicate_concurrent' });
  const records: StreamRecord[] = [
    { v: STREAM_VERSION, type: 'start', source: 'artillery-funding-s0', engine: 'artillery', runId: 'r', startedAt },
    ...a.drain(),
    { v: STREAM_VERSION, type: 'end', endedAt: t0Ms + seconds * 1000 },
  ];
  mkdirSync(join(resultsDir, RUN_DIRS.streams), { recursive: true });
  writeFileSync(join(resultsDir, RUN_DIRS.streams, 'artillery-funding-s0.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** Runs the hook around a stand-in load; `load` gets the step and returns the load's exit. */
async function around(p: ChaosPlan, load: (step: { resultsDir: string; t0Ms: number }) => Promise<number>) {
  const resultsDir = join(work, `run-${++n}`);
  mkdirSync(resultsDir, { recursive: true });
  const t0Ms = Date.now() + 300;
  let loadRan = false;
  const step: LoadStepContext = {
    runId: `hook-${n}`,
    resultsDir,
    t0: Promise.resolve(t0Ms),
    target: { url: 'http://127.0.0.1:9', kind: 'rest', apiKey: 'k', webhookSecret: 's', databaseUrl: undefined, embedded: false, defects: [] },
    runLoad: async () => {
      loadRan = true;
      return load({ resultsDir, t0Ms });
    },
  };
  const exit = await chaosLoadHook(p)(step);
  const read = <T>(f: string) => (existsSync(join(resultsDir, f)) ? JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as T : null);
  return { exit, t0Ms, loadRan, windows: read<ChaosWindowsFile>(RUN_FILES.chaosWindows), report: read<ChaosReport>(RUN_FILES.chaosReport) };
}

describe('chaosLoadHook', () => {
  it('runs the controller on the load\'s t0 and reports from the merged stream', async () => {
    const r = await around(plan(1.5, 30), async ({ resultsDir, t0Ms }) => {
      writeStream(resultsDir, t0Ms, 2, 0);
      await sleep(Math.max(0, t0Ms + 1200 - Date.now())); // ends a moment before the timeline does
      return 0;
    });
    expect(r.exit).toBe(0);
    expect(r.windows!.t0Ms).toBe(r.t0Ms);
    expect(r.windows!.outcome).toBe('completed'); // the timeline was let finish, not interrupted
    expect(r.windows!.windows.map((w) => [w.fault, w.executor, w.status])).toEqual([['webhook-dup', 'external', 'done']]);
    expect(r.windows!.windows[0]!.plannedStartMs).toBe(r.t0Ms);
    expect(r.report!.verdict).toEqual({ ok: true, problems: [] });
    expect(r.report!.phases.steady).toMatchObject({ requests: 14, failed: 0 });
    expect(r.report!.windows[0]!.during).toMatchObject({ requests: 6, failed: 0 });
    expect(r.report!.load!.webhookDeliveries).toEqual({ duplicate_concurrent: 2 });
    expect(r.report!.loadLateMs).toBe(0);
  });

  it('returns 99 when a recovery breaks its bound, and stops the faults of a load that ended early', async () => {
    const r = await around(plan(10, 2), async ({ resultsDir, t0Ms }) => {
      writeStream(resultsDir, t0Ms, 10, 0.5); // never healthy after the window
      await sleep(Math.max(0, t0Ms + 700 - Date.now()));
      return 0;
    });
    expect(r.exit).toBe(99);
    expect(r.windows!.outcome).toBe('interrupted');
    expect(r.report!.windows[0]).toMatchObject({ fault: 'webhook-dup', recovery: 'not-recovered', withinBound: false });
    expect(r.report!.verdict.problems).toEqual(["webhook-dup: not back within thresholds 2 s after the window's end"]);
  });

  it('returns the load\'s own exit when it failed, after removing the faults and reporting', async () => {
    const r = await around(plan(10, 2), async ({ resultsDir, t0Ms }) => {
      writeStream(resultsDir, t0Ms, 1, 0);
      return 7;
    });
    expect(r.exit).toBe(7);
    expect(r.windows!.outcome).toBe('interrupted');
    expect(r.report).not.toBeNull();
  });

  it('returns 1 when a load process started its schedule after t0 (out of step with the faults)', async () => {
    const r = await around(plan(1.5, 30), async ({ resultsDir, t0Ms }) => {
      writeStream(resultsDir, t0Ms, 2, 0, t0Ms + 3000);
      return 0;
    });
    expect(r.exit).toBe(1);
    expect(r.report!.loadLateMs).toBe(3000);
    expect(r.report!.verdict.problems).toEqual(["the load started after t0 (artillery-funding-s0 +3.0s): its client faults and phase tags missed the controller's timeline"]);
  });

  it('returns 1 when the load left no metrics stream', async () => {
    const r = await around(plan(10, 2), async () => 0);
    expect(r.exit).toBe(1);
    expect(r.report!.load).toBeNull();
    expect(r.report!.verdict).toEqual({ ok: false, problems: ['no metrics stream from the load: recoveries could not be measured'] });
  });

  it('hands the load the timeline without a clock endpoint', () => {
    const env = chaosEnvFor(plan(10, 2));
    expect(env).toEqual({ durationS: 10, recoveryS: 2, windows: [{ fault: 'webhook-dup', kind: 'client', startS: 0, durationS: 0.5, params: { rate: 1 } }] });
    expect('clockUrl' in env).toBe(false);
  });
});
