// The Artillery processor: every arrival Artillery schedules calls moshpitVu(). Open workloads
// (doors, terminals, re-entries) run one iteration per arrival; closed ones (the browsing
// crowd, concurrent fundings) run as long-lived VUs that loop while the schedule wants them;
// device workloads run one long iteration. Bundled to build/dist/artillery/processor.cjs.
import { ENGINE_METRICS, METRICS } from '../../../core/metric-names.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcessPlan, ENGINE_PLAN_ENV, type ProcessPlan } from '../../../core/engine-plan.js';
import { parseT0, readyFileName, T0_FILE } from '../../../core/start-barrier.js';
import type { Tags } from '../../../core/load-port.js';
import { laneName, shapeDurationSeconds } from '../../../core/profiles.js';
import { isOpen, SLICE_SECONDS, vuTargetAt, type ClosedShape } from '../../../core/schedule.js';
import { flowContext, type TargetFactory } from '../../flow-context.js';
import { createTarget } from '../../targets/index.js';
import { SupabaseJsTarget } from './supabase-js-target.js';
import { ArtilleryPort, type ArtilleryEvents } from './port.js';
import { flushAndClose } from './influx-forwarder.js';
import { StreamSink } from './stream-sink.js';
import { resolveWorkload, withFixturesFrom, type ResolvedWorkload } from './workload.js';
import { EXIT } from '../../../core/exit-codes.js';

interface State {
  plan: ProcessPlan;
  sink: StreamSink;
  workload: ResolvedWorkload;
  arrivals: number;
  completed: number;
  active: number;
  iterations: number;
  /** Iterations started by closed-model VUs: each takes the next number (never shared). */
  started: number;
  dropped: number;
  abandoned: number;
  flowErrors: number;
  /** closed model: which VU slots are taken (a VU takes the lowest free one). */
  slots: boolean[];
  /** The start barrier's answer: t0, and the delay every arrival takes (see moshpitVu). */
  start: Promise<{ t0Ms: number; shiftMs: number }> | null;
  startMs: number;
  endMs: number;
  /** SIGTERM from the orchestrator: no new iterations; those in flight finish, then the stream ends. */
  stopping: boolean;
}

/** How long iterations in flight get to finish after SIGTERM (the orchestrator SIGKILLs at 10 s). */
const INTERRUPT_GRACE_MS = 5000;

let state: State | null = null;

/** REST through the port's HTTP; Supabase through the official client (its fetch is the port). */
const nodeTarget: TargetFactory = (port, kind, url, apiKey, timeoutSeconds) =>
  kind === 'supabase' ? new SupabaseJsTarget(port, url, apiKey, timeoutSeconds) : createTarget(port, kind, url, apiKey, timeoutSeconds);

function init(): State {
  const plan = parseProcessPlan(process.env[ENGINE_PLAN_ENV]);
  const tags = plan.tags;
  const sink = new StreamSink(plan.streamFile, { source: plan.source, engine: 'artillery', runId: plan.runId, startedAt: Date.now(), info: { workload: plan.workload, lanes: plan.lanes, plannedArrivals: plan.plannedArrivals, shard: plan.shard, tags } });
  const workload = resolveWorkload(plan, withFixturesFrom(process.env, typeof __dirname === 'string' ? __dirname : process.cwd()));
  const s: State = { plan, sink, workload, arrivals: 0, completed: 0, active: 0, iterations: 0, started: 0, dropped: 0, abandoned: 0, flowErrors: 0, slots: [], start: null, startMs: Infinity, endMs: Infinity, stopping: false };
  process.once('SIGTERM', () => void stopGracefully(s));
  const gauge = setInterval(() => sink.gauge('vus', s.active, { scenario: plan.workload }), 1000);
  gauge.unref();
  return s;
}

function maxConcurrent(plan: ProcessPlan): number {
  const shape = plan.shape;
  if (!shape || !isOpen(shape)) return Infinity;
  return shape.maxVUs * plan.lanes;
}

async function runIteration(s: State, events: ArtilleryEvents, lane: number, iteration: number, vu: string, vuTags: Tags, unwanted?: () => boolean): Promise<void> {
  const tags: Tags = { ...s.plan.tags, scenario: laneName(s.plan.workload, lane) };
  const port = new ArtilleryPort(s.sink, events, tags, vuTags, { vu, iteration, lane }, () => s.endMs + s.plan.gracefulStopSeconds * 1000, unwanted);
  const started = performance.now();
  try {
    await s.workload.flow(flowContext(s.workload.rt, port, nodeTarget));
  } catch (err) {
    // A flow that throws is a bug or an answer it could not read: counted, never silent.
    s.flowErrors += 1;
    port.counter(METRICS.flowErrors, 1, { reason: (err as Error).name || 'Error' });
    if (s.flowErrors <= 5) process.stderr.write(`moshpit ${s.plan.source}: flow error: ${(err as Error).stack ?? String(err)}\n`);
  }
  s.iterations += 1;
  port.counter(ENGINE_METRICS.iterations, 1);
  port.trend('iteration_duration', performance.now() - started);
  if (Date.now() > s.endMs + s.plan.gracefulStopSeconds * 1000) s.abandoned += 1;
}

/**
 * Interrupted: like k6's graceful stop, iterations in flight finish (their think time is cut
 * short: the port's deadline is now), so every write the database holds was seen by a client
 * and recorded; then the stream ends and the process exits. Killed outright, a write in flight
 * would be in the database and in no stream.
 */
async function stopGracefully(s: State): Promise<void> {
  s.stopping = true;
  s.endMs = Math.min(s.endMs, Date.now());
  const graceUntil = Date.now() + Math.min(INTERRUPT_GRACE_MS, s.plan.gracefulStopSeconds * 1000);
  while (s.active > 0 && Date.now() < graceUntil) await new Promise((resolve) => setTimeout(resolve, 50));
  s.sink.end({ arrivals: s.arrivals, iterations: s.iterations, dropped: s.dropped, flowErrors: s.flowErrors, overran: s.abandoned, t0Ms: Number.isFinite(s.startMs) ? s.startMs : null, interrupted: true, unfinished: s.active });
  await flushAndClose();
  process.exit(EXIT.interrupted);
}

/** The last planned VU closes the stream; Artillery waits for that VU before it ends the worker. */
async function finishIfDone(s: State): Promise<void> {
  if (s.active === 0 && s.completed >= s.plan.plannedArrivals) {
    s.sink.end({ arrivals: s.arrivals, iterations: s.iterations, dropped: s.dropped, flowErrors: s.flowErrors, overran: s.abandoned, t0Ms: Number.isFinite(s.startMs) ? s.startMs : null });
    await flushAndClose();
  }
}

async function openArrival(s: State, events: ArtilleryEvents): Promise<void> {
  const n = s.arrivals++;
  const { index, count } = s.plan.shard;
  const lane = n % s.plan.lanes;
  // Shards interleave iteration numbers so no two processes ever get the same wallet.
  const iteration = Math.floor(n / s.plan.lanes) * count + index;
  if (s.active >= maxConcurrent(s.plan)) {
    s.dropped += 1;
    s.sink.counter(ENGINE_METRICS.droppedIterations, 1, { scenario: laneName(s.plan.workload, lane), ...s.plan.tags });
    return;
  }
  await runIteration(s, events, lane, iteration, `${s.plan.source}-${n}`, {});
}

async function closedVu(s: State, events: ArtilleryEvents): Promise<void> {
  const n = s.arrivals++;
  let slot = s.slots.indexOf(false);
  if (slot < 0) { slot = s.slots.length; s.slots.push(true); } else s.slots[slot] = true;
  const vuTags: Tags = {};
  try {
    const shape = s.plan.shape as ClosedShape;
    const wanted = () => slot < vuTargetAt(shape, (Date.now() - s.startMs) / 1000);
    // A VU arrives during the slice in which the target rises to include it: it waits for its
    // slot (at most a slice), rather than leaving before the schedule wants it.
    const waitUntil = Date.now() + (SLICE_SECONDS + 1) * 1000;
    while (!wanted() && Date.now() < waitUntil && Date.now() < s.endMs) await new Promise((resolve) => setTimeout(resolve, 200));
    while (Date.now() < s.endMs && wanted()) {
      const iteration = s.started++ * s.plan.shard.count + s.plan.shard.index;
      const errorsBefore = s.flowErrors;
      await runIteration(s, events, 0, iteration, `${s.plan.source}-${n}`, vuTags, () => !wanted());
      // A flow that throws at once would spin this loop: one second between such iterations.
      if (s.flowErrors > errorsBefore) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    s.slots[slot] = false;
  }
}

async function deviceVu(s: State, events: ArtilleryEvents): Promise<void> {
  const n = s.arrivals++;
  await runIteration(s, events, 0, n * s.plan.shard.count + s.plan.shard.index, `${s.plan.source}-${n}`, {});
}

/**
 * Reports this process ready at the start barrier, then waits for the orchestrator's t0.
 * Artillery starts its phases when its worker is up; every arrival is then delayed by the same
 * shift (t0 - first arrival), which keeps the schedule's spacing and starts it at t0 in every
 * process, however long each took to start.
 */
async function awaitStart(s: State, firstArrivalAt: number): Promise<{ t0Ms: number; shiftMs: number }> {
  const { barrierDir, barrierTimeoutMs, source } = s.plan;
  if (s.plan.startBarrier === false) return started(s, firstArrivalAt, firstArrivalAt);
  writeFileSync(join(barrierDir, readyFileName(source)), `${firstArrivalAt}\n`);
  const deadline = Date.now() + barrierTimeoutMs;
  for (;;) {
    const t0Ms = existsSync(join(barrierDir, T0_FILE)) ? parseT0(readFileSync(join(barrierDir, T0_FILE), 'utf8')) : null;
    if (t0Ms !== null) return started(s, t0Ms, firstArrivalAt);
    if (Date.now() > deadline) throw new Error(`no t0 from the orchestrator within ${barrierTimeoutMs} ms (start barrier ${barrierDir})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function started(s: State, t0Ms: number, firstArrivalAt: number): { t0Ms: number; shiftMs: number } {
  s.workload.onT0(t0Ms);
  const duration = s.plan.shape ? shapeDurationSeconds(s.plan.shape) : s.plan.deviceSeconds ?? 0;
  s.startMs = t0Ms;
  s.endMs = t0Ms + duration * 1000;
  return { t0Ms, shiftMs: Math.max(0, t0Ms - firstArrivalAt) };
}

/** The scenario step of every arrival. */
export async function moshpitVu(_context: unknown, events: ArtilleryEvents): Promise<void> {
  const arrivedAt = Date.now();
  const s = (state ??= init());
  s.start ??= awaitStart(s, arrivedAt);
  s.active += 1;
  try {
    const { shiftMs } = await s.start;
    const wait = arrivedAt + shiftMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (s.stopping) return;
    if (!s.plan.shape) await deviceVu(s, events);
    else if (isOpen(s.plan.shape)) await openArrival(s, events);
    else await closedVu(s, events);
  } finally {
    s.active -= 1;
    s.completed += 1;
    await finishIfDone(s);
  }
}
