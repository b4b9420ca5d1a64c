// The adversarial client share against the real reference target, through the real Node
// binding (ArtilleryPort and its metrics stream): every misbehaviour gets its expected answer
// from a correct platform, and the share catches a platform that acknowledges recharges it
// rolled back (defect ack_then_rollback: every 5th acknowledged write is not kept), and a platform
// that charges a replayed order again (replay_double_charge).
import { METRICS, replayMetric } from '../../core/metric-names.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeStreams, parseStreamText, selectSeries } from '../../core/metrics-stream/merge.js';
import { ADVERSARIAL_KINDS, type AdversarialKind } from '../../core/thresholds.js';
import { ArtilleryPort } from '../../lib/bindings/artillery/port.js';
import { StreamSink } from '../../lib/bindings/artillery/stream-sink.js';
import { nodeFixtureSource } from '../../lib/bindings/artillery/workload.js';
import { flowContext } from '../../lib/flow-context.js';
import { misbehave } from '../../lib/flows/adversarial.js';
import { walletFunding } from '../../lib/flows/wallet-funding.js';
import { initRuntime, walletFor } from '../../lib/runtime.js';
import { seed } from '../../seed/index.js';
import { useTestDatabase } from '../support/db.js';
import { startTarget, type RunningTarget } from '../support/target.js';

const work = mkdtempSync(join(tmpdir(), 'mp-adversarial-'));
const db = await useTestDatabase();
const fixturesDir = join(work, 'fixtures');
const targets: RunningTarget[] = [];

beforeAll(async () => {
  await seed({ databaseUrl: db.url, wallets: 400, fixturesDir });
}, 120_000);

afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
  rmSync(work, { recursive: true, force: true });
});

type Runtime = ReturnType<typeof initRuntime>;
type Run = ReturnType<typeof mergeStreams>;

/** Runs `body` once per iteration through the real Node port and its stream; returns the merged run. */
async function drive(t: RunningTarget, runId: string, scenario: 'concession' | 'funding', iterations: number,
  body: (ctx: ReturnType<typeof flowContext>, rt: Runtime, n: number) => Promise<void>, tune: (rt: Runtime) => Runtime = (rt) => rt): Promise<Run> {
  const env = { TARGET_URL: t.url, API_KEY: t.apiKey, TARGET_KIND: 'rest', STRIPE_WEBHOOK_SECRET: t.webhookSecret, PROFILE: 'smoke', RUN_ID: runId, FIXTURES_DIR: fixturesDir };
  const rt = tune(initRuntime(scenario, env, nodeFixtureSource(fixturesDir)));
  const streamFile = join(work, `${runId}.jsonl`);
  const sink = new StreamSink(streamFile, { source: 'test', engine: 'artillery', runId, startedAt: Date.now() });
  for (let n = 0; n < iterations; n++) {
    const port = new ArtilleryPort(sink, { emit: () => {} }, {}, {}, { vu: `t${n}`, iteration: n, lane: 0 });
    await body(flowContext(rt, port), rt, n);
  }
  sink.end({});
  return mergeStreams([{ name: 'test', records: parseStreamText('test', readFileSync(streamFile, 'utf8')) }]);
}

function counted(run: Run, metric: string, tags: Record<string, string> = {}): number {
  const s = selectSeries(run.metrics.get(metric), tags);
  return s && s.data.k === 'counter' ? s.data.sum : 0;
}

function checked(run: Run, name: string): { passes: number; fails: number } {
  const s = selectSeries(run.metrics.get('checks'), { check: name });
  return s && s.data.k === 'rate' ? { passes: s.data.trues, fails: s.data.n - s.data.trues } : { passes: 0, fails: 0 };
}

/** Sends `times` misbehaviours of each kind, one wallet each; returns counts by kind. */
async function share(t: RunningTarget, runId: string, kinds: readonly AdversarialKind[], times: number) {
  const run = await drive(t, runId, 'concession', kinds.length * times, async (ctx, rt, n) => {
    await misbehave(ctx, walletFor(rt, 'concession', n, 0).id, kinds[Math.floor(n / times)]!);
  });
  return Object.fromEntries(kinds.map((k) => [k, { sent: counted(run, METRICS.adversarial, { kind: k }), mismatches: counted(run, METRICS.adversarialMismatches, { kind: k }) }]));
}

it('a correct platform answers every misbehaviour as it must, and no money moves that must not', async () => {
  const t = await startTarget({ databaseUrl: db.url });
  targets.push(t);
  const counts = await share(t, `adv-ok-${process.pid}`, ADVERSARIAL_KINDS, 4);
  for (const kind of ADVERSARIAL_KINDS) {
    expect(counts[kind]!.sent, kind).toBe(4);
    expect(counts[kind]!.mismatches, kind).toBe(0);
  }
}, 120_000);

it('catches a platform that acknowledges writes it rolled back', async () => {
  const t = await startTarget({ databaseUrl: db.url, defects: ['ack_then_rollback'] });
  targets.push(t);
  const counts = await share(t, `adv-bad-${process.pid}`, ['conflicting_replay', 'concurrent_duplicate'], 6);
  expect(counts.conflicting_replay!.mismatches + counts.concurrent_duplicate!.mismatches).toBeGreaterThan(0);
}, 120_000);

it('catches a platform that charges a replayed order again while answering it as a replay', async () => {
  const t = await startTarget({ databaseUrl: db.url, defects: ['replay_double_charge'] });
  targets.push(t);
  const counts = await share(t, `adv-replay-${process.pid}`, ['replayed_order', 'replayed_recharge', 'replayed_scan'], 4);
  expect(counts.replayed_order!.sent).toBeGreaterThan(0);
  // Every replayed order is charged twice: each one is a mismatch. Recharges and scans are unaffected.
  expect(counts.replayed_order!.mismatches).toBe(counts.replayed_order!.sent);
  expect(counts.replayed_recharge!.mismatches).toBe(0);
  expect(counts.replayed_scan!.mismatches).toBe(0);
}, 120_000);

describe('a funding intent request resent with its key', () => {
  const RULE = 'a replayed funding intent request returns the same intent';
  // Every intent request is resent; Stripe's side behaves, so only the replay is under test.
  const alwaysReplay = (rt: Runtime): Runtime => ({ ...rt, profile: { ...rt.profile, behaviour: { ...rt.profile.behaviour, intentReplayRate: 1, webhookMisbehaviourRate: 0, adversarialRate: 0 } } });

  it('returns the same intent from a correct platform', async () => {
    const t = await startTarget({ databaseUrl: db.url });
    targets.push(t);
    const run = await drive(t, `intent-ok-${process.pid}`, 'funding', 6, (ctx) => walletFunding(ctx), alwaysReplay);
    expect(counted(run, replayMetric('funding_intent'))).toBeGreaterThan(0);
    expect(checked(run, RULE)).toEqual({ passes: counted(run, replayMetric('funding_intent')), fails: 0 });
  }, 120_000);

});
