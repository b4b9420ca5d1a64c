// What every iteration of a process shares, read-only once the run starts: config, profile,
// fixtures and the wallet partition. Built once per process (per VU under k6) by a binding
// with initRuntime(); flows get it through their FlowContext.
import { maxConcurrency, PROFILES, SCENARIO_WORKLOADS, scenarioShapes, type Profile, type ScenarioName, type StatefulWorkload, type Workload } from '../core/profiles.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { loadFixtures, type Fixtures, type FixtureSource, type WalletFixture } from './fixtures.js';
import { laneSize, partitionWallets, walletIndex, type WalletSlice } from './partition.js';

export interface Runtime {
  scenario: ScenarioName;
  config: Config;
  profile: Profile;
  fixtures: Fixtures;
  partition: Record<StatefulWorkload, WalletSlice>;
}

const STATEFUL: readonly Workload[] = ['entry', 'reentry', 'concession', 'funding'];

/**
 * Lanes of a workload (doors, terminals); each lane is its own arrival stream. Contention has
 * one: each of its iterations is a round that serves every terminal at once (its flow makes the
 * requests concurrent itself, so no engine's arrival timing can spread them out).
 */
export function laneCount(workload: Workload, profile: Profile, scenario?: string): number {
  if (scenario === 'contention') return 1;
  if (workload === 'entry') return profile.behaviour.doors;
  if (workload === 'concession') return profile.behaviour.terminals;
  return 1;
}

/**
 * A lane's wallet comes round again after laneSize iterations. Iterations differ in length
 * (a slow webhook, a long poll), so the lap must be several times the concurrency for an
 * iteration never to meet its wallet still in use by an earlier, slower one.
 */
const WALLETS_PER_CONCURRENT_ITERATION = 3;

/** Fixtures must hold enough wallets and devices that no two running iterations share a wallet. */
export function checkFixtureFit(scenario: ScenarioName, rt: Runtime): string[] {
  const problems: string[] = [];
  const { behaviour } = rt.profile;
  const shapes = scenarioShapes(rt.profile, scenario, { duration: rt.config.durationScale, rate: rt.config.rateScale });
  const workloads = SCENARIO_WORKLOADS[scenario];
  if (workloads.includes('entry') || workloads.includes('reentry')) {
    if (rt.fixtures.gateways.length < behaviour.doors) problems.push(`gateways.json has ${rt.fixtures.gateways.length} gateways, the profile needs ${behaviour.doors} doors`);
  }
  if (workloads.includes('concession') && rt.fixtures.terminals.length < behaviour.terminals) {
    problems.push(`terminals.json has ${rt.fixtures.terminals.length} terminals, the profile needs ${behaviour.terminals}`);
  }
  for (const w of workloads) {
    const shape = shapes[w];
    if (!shape || !STATEFUL.includes(w)) continue;
    const lanes = laneCount(w, rt.profile, scenario);
    const have = laneSize(rt.partition[w as StatefulWorkload], lanes);
    const need = WALLETS_PER_CONCURRENT_ITERATION * maxConcurrency(shape);
    if (have < need) {
      problems.push(`the ${w} workload runs up to ${maxConcurrency(shape)} iterations at once per lane and needs ${need} wallets per lane, its slice of wallets.json gives ${have}: seed more wallets or lower MOSHPIT_RATE_SCALE`);
    }
  }
  return problems;
}

/** env: the bundle's environment contract (scenarios/README.md); source: how the engine reads fixture files. */
export function initRuntime(scenario: ScenarioName, env: Record<string, string | undefined>, source: FixtureSource): Runtime {
  const workloads = SCENARIO_WORKLOADS[scenario];
  const config = parseConfig(env, { stripeWebhookSecret: workloads.includes('funding') });
  const profile = PROFILES[config.profile];
  const fixtures = loadFixtures(config.fixturesDir, source);
  const partition = partitionWallets(fixtures.wallets.length);
  const rt: Runtime = { scenario, config, profile, fixtures, partition };
  const problems = checkFixtureFit(scenario, rt);
  if (problems.length > 0) throw new ConfigError(problems);
  return rt;
}

/** The wallet a lane's iteration works on (see lib/partition.ts). */
export function walletFor(rt: Runtime, workload: StatefulWorkload, iteration: number, lane: number): WalletFixture {
  const lanes = laneCount(workload, rt.profile, rt.scenario);
  return rt.fixtures.wallets[walletIndex(rt.partition[workload], iteration, lane, lanes)] as WalletFixture;
}
