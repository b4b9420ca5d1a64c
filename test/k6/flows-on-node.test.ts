// The flows of lib/flows/ are engine-agnostic: here they run on Node through a fetch-based
// LoadPort against the reference target, every iteration of a scenario at once in one module
// instance (as Artillery VUs share one), on both surfaces. Every check must pass, every status
// must be an expected one, and the outcome counters must reconcile with the database.
import { METRICS, outcomeMetric } from '../../core/metric-names.js';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExpectedStatus, type HttpRequest, type HttpResponse, type IterationInfo, type LoadPort, type Tags } from '../../core/load-port.js';
import { SCENARIO_NAMES, type ScenarioName, type Workload } from '../../core/profiles.js';
import type { FixtureSource } from '../../lib/fixtures.js';
import { flowContext } from '../../lib/flow-context.js';
import { flowsFor } from '../../lib/flows/index.js';
import { setup } from '../../lib/lifecycle.js';
import { initRuntime, laneCount } from '../../lib/runtime.js';
import { seed } from '../../seed/index.js';
import { MAIN_WRITE, recordedWrites } from '../support/recorded-writes.js';
import { useTestDatabase } from '../support/db.js';
import { startTarget, type RunningTarget } from '../support/target.js';
import type { TargetKind } from '../../core/target-kind.js';

const work = mkdtempSync(join(tmpdir(), 'mp-flows-node-'));
const db = await useTestDatabase();
const fixturesDir = join(work, 'fixtures');
let target: RunningTarget;

beforeAll(async () => {
  await seed({ databaseUrl: db.url, wallets: 400, fixturesDir });
  // Some blocked wristbands in every slice: flows must predict 403 wallet_blocked for them.
  const wallets = JSON.parse(readFileSync(join(fixturesDir, 'wallets.json'), 'utf8')) as Array<{ id: string }>;
  await db.pool.query(`UPDATE wallets SET status = 'blocked' WHERE id = ANY($1)`, [wallets.filter((_, i) => i % 20 === 7).map((w) => w.id)]);
  target = await startTarget({ databaseUrl: db.url });
}, 300_000);

afterAll(async () => {
  await target?.stop();
  rmSync(work, { recursive: true, force: true });
});

const nodeFixtures: FixtureSource = { readText: (file) => readFileSync(file, 'utf8'), share: (_name, make) => make() };

/** What every port of a run reported, summed over tags. */
class Recorded {
  counters = new Map<string, number>();
  rates = new Map<string, { trues: number; n: number }>();
  failedChecks = new Map<string, number>();
  unexpected: string[] = [];
  keys = new Set<string>();

  count(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  rate(name: string): { trues: number; n: number } {
    return this.rates.get(name) ?? { trues: 0, n: 0 };
  }
}

function nodePort(rec: Recorded, iteration: IterationInfo): LoadPort {
  const request = async (req: HttpRequest): Promise<HttpResponse> => {
    const key = req.headers['Idempotency-Key'];
    if (key) rec.keys.add(key);
    const started = performance.now();
    try {
      const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body ?? undefined, signal: AbortSignal.timeout(req.timeoutSeconds * 1000) });
      const body = await res.text();
      if (!isExpectedStatus(req.expected, res.status)) rec.unexpected.push(`${req.tags.name} -> ${res.status} ${body.slice(0, 200)}`);
      return { status: res.status, body, header: (n) => res.headers.get(n), durationMs: performance.now() - started, error: null };
    } catch (err) {
      rec.unexpected.push(`${req.tags.name} -> ${String(err)}`);
      return { status: 0, body: null, header: () => null, durationMs: performance.now() - started, error: (err as Error).name === 'TimeoutError' ? 'timeout' : 'network_error' };
    }
  };
  const rate = (name: string, ok: boolean) => {
    const r = rec.rates.get(name) ?? { trues: 0, n: 0 };
    rec.rates.set(name, { trues: r.trues + (ok ? 1 : 0), n: r.n + 1 });
  };
  return {
    request,
    batch: (reqs) => Promise.all(reqs.map(request)),
    sleep: (s) => new Promise((resolve) => setTimeout(resolve, s * 1000)),
    hmacSha256Hex: (key, data) => createHmac('sha256', key).update(data).digest('hex'),
    counter: (name, value) => { rec.counters.set(name, rec.count(name) + value); },
    trend: (name, value) => { expect(value, name).toBeGreaterThanOrEqual(0); },
    rate,
    check: (name, ok, _tags?: Tags) => {
      if (!ok) rec.failedChecks.set(name, (rec.failedChecks.get(name) ?? 0) + 1);
      return ok;
    },
    vuTags: {},
    iteration,
  };
}

const ITERATIONS_PER_LANE: Record<Workload, number> = { entry: 8, concession: 8, funding: 6, reentry: 4, browse: 6 };

let runs = 0;

/** Every iteration of every lane at once, each with its own port and IterationInfo. */
async function runScenario(scenario: ScenarioName, kind: TargetKind): Promise<{ runId: string; rec: Recorded }> {
  runs += 1;
  const runId = `node-${scenario}-${kind}-${process.pid}-${runs}`;
  const env = {
    TARGET_URL: target.url, API_KEY: target.apiKey, TARGET_KIND: kind, STRIPE_WEBHOOK_SECRET: target.webhookSecret,
    PROFILE: 'smoke', RUN_ID: runId, FIXTURES_DIR: fixturesDir, MOSHPIT_DURATION_SCALE: '0.2',
  };
  const rt = initRuntime(scenario, env, nodeFixtures);
  const rec = new Recorded();
  await setup(rt, nodePort(rec, { vu: 'setup', iteration: 0, lane: 0 }));
  const iterations: Array<Promise<void>> = [];
  let vu = 0;
  for (const [workload, flow] of Object.entries(flowsFor(scenario)) as Array<[Workload, NonNullable<ReturnType<typeof flowsFor>[Workload]>]>) {
    for (let lane = 0; lane < laneCount(workload, rt.profile); lane++) {
      for (let i = 0; i < ITERATIONS_PER_LANE[workload]; i++) {
        vu += 1;
        iterations.push(flow(flowContext(rt, nodePort(rec, { vu: `n${vu}`, iteration: i, lane }))));
      }
    }
  }
  await Promise.all(iterations);
  return { runId, rec };
}


describe.each(['rest', 'supabase'] as const)('flows on Node against the %s surface', (kind) => {
  it.each([...SCENARIO_NAMES])('%s: every check passes and the counters reconcile', async (scenario) => {
    const { runId, rec } = await runScenario(scenario, kind);
    expect(rec.unexpected).toEqual([]);
    expect(Object.fromEntries(rec.failedChecks)).toEqual({});
    const success = rec.rate(METRICS.successRate);
    expect(success.n).toBeGreaterThan(0);
    expect(success.trues).toBe(success.n);
    const integrity = rec.rate(METRICS.balanceIntegrityRate);
    expect(integrity.trues).toBe(integrity.n);
    expect(rec.count(MAIN_WRITE[scenario])).toBeGreaterThan(0);
    // <RUN_ID>:<op>:<wallet>:v<vu>-<n>, with the vu of the iteration that made the key.
    const shape = new RegExp(`^${runId}:(entry|exit|order|recharge|funding_intent):[^:]+:vn\\d+-\\d+$`);
    expect([...rec.keys].filter((k) => !shape.test(k))).toEqual([]);
    for (const op of ['entry', 'exit', 'order', 'recharge', 'funding_webhook'] as const) expect(rec.count(outcomeMetric(op, 'indeterminate')), op).toBe(0);

    const r = await recordedWrites(db.pool, runId);
    expect(r.admissions.n).toBe(rec.count(outcomeMetric('entry', 'acked')));
    expect(r.admissions.cents).toBe(rec.count(outcomeMetric('entry', 'acked', 'cents')));
    expect(r.exits.n).toBe(rec.count(outcomeMetric('exit', 'acked')));
    expect(r.orders.n).toBe(rec.count(outcomeMetric('order', 'acked')));
    expect(r.orders.cents).toBe(rec.count(outcomeMetric('order', 'acked', 'cents')));
    expect(r.recharges.cents).toBe(rec.count(outcomeMetric('recharge', 'acked', 'cents')));
    expect(r.confirmedFundings.cents).toBe(rec.count(outcomeMetric('funding_webhook', 'acked', 'cents')));
  });
});
