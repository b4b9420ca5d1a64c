// Per-VU state built once in the init context by defineScenario(): config, profile, fixtures,
// wallet partition and the target adapter. Flows call runtime() from VU code only.
import { maxConcurrency, PROFILES, SCENARIO_WORKLOADS, scenarioShapes, type Profile, type ScenarioName, type StatefulWorkload, type Workload } from '../core/profiles.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { loadFixtures, type Fixtures, type WalletFixture } from './fixtures.js';
import { laneCount } from './options.js';
import { laneSize, partitionWallets, walletIndex, type WalletSlice } from './partition.js';
import { createTarget, type Target } from './targets/index.js';

export interface Runtime {
  scenario: ScenarioName;
  config: Config;
  profile: Profile;
  fixtures: Fixtures;
  partition: Record<StatefulWorkload, WalletSlice>;
  target: Target;
}

let current: Runtime | null = null;

const STATEFUL: readonly Workload[] = ['entry', 'reentry', 'concession', 'funding'];

/**
 * A lane's wallet comes round again after laneSize iterations. Iterations differ in length
 * (a slow webhook, a long poll), so the lap must be several times the concurrency for an
 * iteration never to meet its wallet still in use by an earlier, slower one.
 */
const WALLETS_PER_CONCURRENT_ITERATION = 3;

/** Fixtures must hold enough wallets and devices that no two running iterations share a wallet. */
function checkFixtureFit(scenario: ScenarioName, rt: Omit<Runtime, 'target'>): string[] {
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
    const lanes = laneCount(w, rt.profile);
    const have = laneSize(rt.partition[w as StatefulWorkload], lanes);
    const need = WALLETS_PER_CONCURRENT_ITERATION * maxConcurrency(shape);
    if (have < need) {
      problems.push(`the ${w} workload runs up to ${maxConcurrency(shape)} iterations at once per lane and needs ${need} wallets per lane, its slice of wallets.json gives ${have}: seed more wallets or lower MOSHPIT_RATE_SCALE`);
    }
  }
  return problems;
}

export function initRuntime(scenario: ScenarioName): Runtime {
  const workloads = SCENARIO_WORKLOADS[scenario];
  const config = parseConfig(__ENV, { stripeWebhookSecret: workloads.includes('funding') });
  const profile = PROFILES[config.profile];
  const fixtures = loadFixtures(config.fixturesDir);
  const partition = partitionWallets(fixtures.wallets.length);
  const problems = checkFixtureFit(scenario, { scenario, config, profile, fixtures, partition });
  if (problems.length > 0) throw new ConfigError(problems);
  const target = createTarget(config.targetKind, config.targetUrl, config.apiKey, profile.client.timeoutSeconds);
  current = { scenario, config, profile, fixtures, partition, target };
  return current;
}

export function runtime(): Runtime {
  if (!current) throw new Error('moshpit: runtime() before defineScenario(): scenario files must call defineScenario() at top level');
  return current;
}

/** The wallet a lane's iteration works on (see lib/partition.ts). */
export function walletFor(rt: Runtime, workload: StatefulWorkload, iteration: number, lane: number): WalletFixture {
  const lanes = laneCount(workload, rt.profile);
  return rt.fixtures.wallets[walletIndex(rt.partition[workload], iteration, lane, lanes)] as WalletFixture;
}
