// The chaos controller against the real Toxiproxy + PostgreSQL: a timeline applied and removed
// on schedule, and faults removed after every kind of interruption (stop, error, SIGTERM,
// and SIGKILL followed by cleanupStale).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChaos } from '../../chaos/controller.js';
import { ChaosBusy, cleanupStale } from '../../chaos/stale.js';
import { validateTimeline } from '../../chaos/timeline.js';
import { readWindowsFile, writeJsonAtomic, type WindowRecord } from '../../chaos/windows-file.js';
import { projectRoot } from '../../stack/paths.js';
import { isAlive, own, sleep, stopOwned, type OwnedProcess } from '../../stack/processes.js';
import { useTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { connect, median, proxyFor, throughProxy, timeQuery, timings, useToxiproxy } from './helpers.js';

const db = await useTestDatabase();
const tp = await useToxiproxy();
const api = tp.client;
const proxy = await proxyFor(api, 'pg', db.url);
const pgUrl = throughProxy(db.url, proxy);
const children: OwnedProcess[] = [];
afterAll(async () => {
  for (const c of children) await stopOwned(c, 1000); // only if a test failed half-way
});

let n = 0;
const files = () => {
  n++;
  return { windowsFile: join(tp.dir, `run-${n}`, 'chaos-windows.json'), markerFile: join(tp.dir, `marker-${n}.json`) };
};
const moshpitToxics = async () => (await api.listToxics('pg')).map((t) => t.name).filter((x) => x.startsWith('moshpit-')).sort();

describe('chaos controller', () => {
  it('applies and removes a 3-second timeline on schedule and writes the windows file', async () => {
    const timeline = validateTimeline([
      { fault: 'db-latency', startS: 0.5, durationS: 1, params: { latency: 200, jitter: 0 } },
      { fault: 'webhook-dup', startS: 1, durationS: 1 },
      { fault: 'db-bandwidth', startS: 1.5, durationS: 1, params: { rate: 1 } },
    ], 3);
    const { windowsFile, markerFile } = files();
    const closed: WindowRecord[] = [];
    const c = await connect(pgUrl);
    const run = await startChaos({ apiUrl: tp.apiUrl, proxy: 'pg', timeline, windowsFile, markerFile, runId: 'r1', onWindow: (w) => { closed.push(w); } });
    expect(existsSync(markerFile)).toBe(true);

    // Observe the proxy's toxics through the API while the run goes; each observation is the
    // interval [from, to] (ms epoch) during which the server produced its answer.
    const seen: { from: number; to: number; toxics: string[] }[] = [];
    let slowQueryMs: number | null = null;
    let finished = false;
    void run.done.finally(() => { finished = true; });
    for (let i = 0; i < 200 && !finished; i++) {
      const from = Date.now();
      const toxics = await moshpitToxics();
      seen.push({ from, to: Date.now(), toxics });
      // a query well inside the latency window (one near its end could see the toxic removed mid-flight)
      if (slowQueryMs === null && toxics.includes('moshpit-db-latency') && from - run.t0Ms < 1100) slowQueryMs = await timeQuery(c);
      await sleep(40);
    }
    const result = await run.done;
    seen.push({ from: Date.now(), to: Date.now(), toxics: await moshpitToxics() });

    // What the API showed agrees with the recorded windows: a toxic is certainly on from its
    // recorded start until its planned end (removal is only sent then), and certainly off
    // before its planned start (apply is never sent earlier) and after its recorded end.
    for (const w of result.windows.filter((x) => x.executor === 'toxiproxy')) {
      const name = `moshpit-${w.fault}`;
      const inside = seen.filter((o) => o.from >= w.startMs! && o.to <= w.plannedEndMs);
      const outside = seen.filter((o) => o.to < w.plannedStartMs || o.from > w.endMs!);
      expect(inside.length, `${name} observed while on`).toBeGreaterThan(0);
      expect(inside.every((o) => o.toxics.includes(name)), JSON.stringify({ w, seen })).toBe(true);
      expect(outside.every((o) => !o.toxics.includes(name)), JSON.stringify({ w, seen })).toBe(true);
    }
    expect(slowQueryMs).toBeGreaterThanOrEqual(200);

    expect(result.outcome).toBe('completed');
    const doc = readWindowsFile(windowsFile);
    expect(doc).toMatchObject({ version: 1, runId: 'r1', proxy: 'pg', t0Ms: run.t0Ms, durationS: 3, outcome: 'completed' });
    expect(doc.windows.map((w) => [w.fault, w.executor, w.status])).toEqual([
      ['db-latency', 'toxiproxy', 'done'], ['webhook-dup', 'external', 'done'], ['db-bandwidth', 'toxiproxy', 'done']]);
    for (const w of doc.windows) {
      expect(w.startMs! - w.plannedStartMs).toBeGreaterThanOrEqual(0); // never early
      expect(w.startMs! - w.plannedStartMs).toBeLessThan(500);
      expect(w.endMs! - w.plannedEndMs).toBeGreaterThanOrEqual(0);
      expect(w.endMs! - w.plannedEndMs).toBeLessThan(500);
    }
    expect(doc.windows[0]).toMatchObject({ plannedStartMs: run.t0Ms + 500, plannedEndMs: run.t0Ms + 1500, params: { latency: 200, jitter: 0, toxicity: 1, stream: 'downstream' } });
    expect(closed.map((w) => w.fault)).toEqual(['db-latency', 'webhook-dup', 'db-bandwidth']); // in order of their ends
    expect(existsSync(markerFile)).toBe(false);
    expect(await moshpitToxics()).toEqual([]);
    await c.end();
  });

  it('stop() removes the active fault at once; the windows file says interrupted', async () => {
    const { windowsFile, markerFile } = files();
    const timeline = validateTimeline([{ fault: 'db-down', startS: 0, durationS: 30 }, { fault: 'db-latency', startS: 20, durationS: 5 }], 30);
    const run = await startChaos({ apiUrl: tp.apiUrl, proxy: 'pg', timeline, windowsFile, markerFile, handleSignals: false });
    await eventually(async () => (await api.getProxy('pg')).enabled, { what: 'db-down to disable the proxy', until: (enabled) => enabled === false });
    const result = await run.stop('test');
    expect(result.outcome).toBe('interrupted');
    expect(result.windows.map((w) => [w.fault, w.status])).toEqual([['db-down', 'interrupted'], ['db-latency', 'skipped']]);
    expect(result.windows[0]!.endMs).toBeGreaterThanOrEqual(result.windows[0]!.startMs!);
    expect((await api.getProxy('pg')).enabled).toBe(true);
    expect(readWindowsFile(windowsFile).outcome).toBe('interrupted');
    expect(existsSync(markerFile)).toBe(false);
  });

  it('a fault that cannot be applied ends the run with an error, after removing the others', async () => {
    const { windowsFile, markerFile } = files();
    const timeline = validateTimeline([
      { fault: 'db-latency', startS: 0, durationS: 2 },
      { fault: 'target-crash', startS: 0.3, durationS: 1 },
    ], 2);
    const run = await startChaos({
      apiUrl: tp.apiUrl, proxy: 'pg', timeline, windowsFile, markerFile, handleSignals: false,
      executors: { 'target-crash': { apply: async () => { throw new Error('no target to crash'); }, remove: async () => {} } },
    });
    await expect(run.done).rejects.toThrow(/chaos run error: no target to crash/);
    const doc = readWindowsFile(windowsFile);
    expect(doc.outcome).toBe('error');
    expect(doc.windows.map((w) => [w.fault, w.executor, w.status])).toEqual([['db-latency', 'toxiproxy', 'interrupted'], ['target-crash', 'hook', 'failed']]);
    expect(doc.windows[1]!.error).toBe('no target to crash');
    expect(await moshpitToxics()).toEqual([]);
  });

  it('refuses to clean up under a chaos run that is still alive, and fails fast on a missing proxy', async () => {
    const { markerFile, windowsFile } = files();
    // the Toxiproxy server is a live process other than us: it stands in for a running controller
    writeJsonAtomic(markerFile, { pid: tp.process.pid, startTicks: tp.process.startTicks, apiUrl: tp.apiUrl, proxy: 'pg', runId: 'other', windowsFile, startedMs: 0, deadlineMs: 0 });
    await expect(cleanupStale(tp.apiUrl, { markerFile })).rejects.toThrow(ChaosBusy);
    await expect(cleanupStale(tp.apiUrl, { markerFile })).rejects.toThrow(/chaos run \(pid \d+, run other\) is in progress/);
    // our own pid, but no controller of this process holds it: left by an earlier crash
    writeJsonAtomic(markerFile, { pid: process.pid, startTicks: tp.process.startTicks, apiUrl: tp.apiUrl, proxy: 'pg', runId: 'mine', windowsFile, startedMs: 0, deadlineMs: 0 });
    expect((await cleanupStale(tp.apiUrl, { markerFile })).stale?.runId).toBe('mine');
    // a controller running in this process holds its marker
    const run = await startChaos({ apiUrl: tp.apiUrl, proxy: 'pg', timeline: validateTimeline([], 30), windowsFile, markerFile, handleSignals: false });
    await expect(cleanupStale(tp.apiUrl, { markerFile })).rejects.toThrow(ChaosBusy);
    await expect(run.stop()).resolves.toMatchObject({ outcome: 'interrupted' });
    expect((await cleanupStale(tp.apiUrl, { markerFile })).stale).toBeNull();
    await expect(startChaos({ apiUrl: tp.apiUrl, proxy: 'no-such-proxy', timeline: validateTimeline([{ fault: 'db-reset', startS: 0, durationS: 1 }], 1), ...files(), handleSignals: false }))
      .rejects.toMatchObject({ status: 404, serverMessage: 'proxy not found' });
  });
});

describe('interrupted runs in a child process', () => {
  function startChild(timeline: unknown) {
    const f = files();
    const cfg = { apiUrl: tp.apiUrl, proxy: 'pg', timeline, ...f };
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/chaos/fixtures/controller-child.ts'), JSON.stringify(cfg)], {
      cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const owned = own(child.pid!, 'chaos-child');
    children.push(owned);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    const waitFor = (re: RegExp) => eventually(() => re.test(out), {
      what: `the child to print ${re}`,
      giveUpIf: () => !isAlive(owned) && `it exited\nstdout: ${out}\nstderr: ${err}`,
    });
    return { ...f, child, owned, exited, waitFor, output: () => `${out}${err}` };
  }
  const longLatency = { durationS: 30, windows: [{ fault: 'db-latency', startS: 0, durationS: 30, params: { latency: 300, jitter: 0 } }] };

  it('SIGTERM: the controller removes its fault before the process ends', async () => {
    const ch = startChild(longLatency);
    await ch.waitFor(/chaos: db-latency on/);
    expect(await moshpitToxics()).toEqual(['moshpit-db-latency']);
    ch.child.kill('SIGTERM');
    const exit = await ch.exited;
    expect(exit.signal ?? exit.code, ch.output()).toBe('SIGTERM'); // re-raised after clean-up
    expect(ch.output()).toMatch(/SIGTERM: removing chaos faults/);
    expect(await moshpitToxics()).toEqual([]);
    const doc = readWindowsFile(ch.windowsFile);
    expect(doc.outcome).toBe('interrupted');
    expect(doc.windows[0]).toMatchObject({ fault: 'db-latency', status: 'interrupted' });
    expect(existsSync(ch.markerFile)).toBe(false);
  });

  it('SIGKILL mid-window leaves the toxic; cleanupStale removes it and closes the dead run', async () => {
    const c = await connect(pgUrl);
    const baseline = median(await timings(c, 5));
    const ch = startChild(longLatency);
    await ch.waitFor(/chaos: db-latency on/);
    ch.child.kill('SIGKILL');
    expect((await ch.exited).signal).toBe('SIGKILL');

    // the dead controller could not clean up: its fault is still on, and its marker is there
    expect(await moshpitToxics()).toEqual(['moshpit-db-latency']);
    const slow = await timeQuery(c);
    expect(slow).toBeGreaterThanOrEqual(300);
    expect(JSON.parse(readFileSync(ch.markerFile, 'utf8')).pid).toBe(ch.owned.pid);

    const report = await cleanupStale(tp.apiUrl, { markerFile: ch.markerFile });
    expect(report).toMatchObject({ stale: { pid: ch.owned.pid, runId: 'child' }, reset: [tp.apiUrl], windowsClosed: 1 });
    expect((await api.listToxics('pg'))).toEqual([]);
    expect((await api.getProxy('pg')).enabled).toBe(true);
    const after = median(await timings(c, 5));
    expect(slow - after).toBeGreaterThanOrEqual(250); // fast again
    expect(after - baseline).toBeLessThan(250);
    expect(existsSync(ch.markerFile)).toBe(false);
    const doc = readWindowsFile(ch.windowsFile);
    expect(doc.outcome).toBe('crashed');
    expect(doc.windows[0]).toMatchObject({ status: 'interrupted', error: 'controller died; fault removed by cleanupStale' });
    expect(doc.windows[0]!.endMs).toBeGreaterThan(doc.windows[0]!.startMs!);
    // a second clean-up finds nothing stale
    expect((await cleanupStale(tp.apiUrl, { markerFile: ch.markerFile })).stale).toBeNull();
    await c.end();
  });
});
