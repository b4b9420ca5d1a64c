// The adversarial client share against the real reference target, through the real Node
// binding (ArtilleryPort and its metrics stream): every misbehaviour gets its expected answer
// from a correct platform, and the share catches a platform that acknowledges recharges it
// rolled back (defect ack_then_rollback: every 5th acknowledged write is not kept).
import { METRICS } from '../../core/metric-names.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mergeStreams, parseStreamText, selectSeries } from '../../core/metrics-stream/merge.js';
import { ADVERSARIAL_KINDS, type AdversarialKind } from '../../core/thresholds.js';
import { ArtilleryPort } from '../../lib/bindings/artillery/port.js';
import { StreamSink } from '../../lib/bindings/artillery/stream-sink.js';
import { nodeFixtureSource } from '../../lib/bindings/artillery/workload.js';
import { flowContext } from '../../lib/flow-context.js';
import { misbehave } from '../../lib/flows/adversarial.js';
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

/** Sends `times` misbehaviours of each kind, one wallet each; returns counts by kind. */
async function share(t: RunningTarget, runId: string, kinds: readonly AdversarialKind[], times: number) {
  const env = { TARGET_URL: t.url, API_KEY: t.apiKey, TARGET_KIND: 'rest', STRIPE_WEBHOOK_SECRET: t.webhookSecret, PROFILE: 'smoke', RUN_ID: runId, FIXTURES_DIR: fixturesDir };
  const rt = initRuntime('concession', env, nodeFixtureSource(fixturesDir));
  const streamFile = join(work, `${runId}.jsonl`);
  const sink = new StreamSink(streamFile, { source: 'test', engine: 'artillery', runId, startedAt: Date.now() });
  let n = 0;
  for (const kind of kinds) {
    for (let i = 0; i < times; i++, n++) {
      const port = new ArtilleryPort(sink, { emit: () => {} }, {}, {}, { vu: `t${n}`, iteration: n, lane: 0 });
      await misbehave(flowContext(rt, port), walletFor(rt, 'concession', n, 0).id, kind);
    }
  }
  sink.end({});
  const run = mergeStreams([{ name: 'test', records: parseStreamText('test', readFileSync(streamFile, 'utf8')) }]);
  const countOf = (metric: string, kind: string) => {
    const s = selectSeries(run.metrics.get(metric), { kind });
    return s && s.data.k === 'counter' ? s.data.sum : 0;
  };
  return Object.fromEntries(kinds.map((k) => [k, { sent: countOf(METRICS.adversarial, k), mismatches: countOf(METRICS.adversarialMismatches, k) }]));
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
