// Turns a profile's load shapes into k6 options: one k6 scenario per workload lane (a door, a
// terminal) or per workload, trend stats and bounded-cardinality tags. Thresholds are only the
// early-abort guards: the run's verdict is computed by moshpit from the metrics stream.
import type { Options, Scenario } from 'k6/options';
import { laneName, SCENARIO_WORKLOADS, scenarioShapes, type LoadShape, type Profile, type ScenarioName, type Workload } from '../../../core/profiles.js';
import { applyThresholdOverrides, defaultThresholds, type ThresholdRule, type Thresholds } from '../../../core/thresholds.js';
import type { Config } from '../../config.js';
import { laneCount } from '../../runtime.js';

/** Exported function each workload's k6 scenarios run; every scenario file must export these. */
export const WORKLOAD_EXEC: Record<Workload, string> = {
  entry: 'entryVisit',
  concession: 'concessionOrder',
  funding: 'walletFunding',
  reentry: 'reentryVisit',
  browse: 'browseWallets',
};

/** 0-based lane of the running k6 scenario ("entry_door_2" -> 1; unlaned -> 0): inverse of core laneName(). */
export function laneOf(k6ScenarioName: string): number {
  const m = /_(\d+)$/.exec(k6ScenarioName);
  return m ? Number(m[1]) - 1 : 0;
}

const seconds = (s: number) => `${s}s`;

function executorOptions(shape: LoadShape, gracefulStop: string, exec: string, tags: Record<string, string>): Scenario {
  switch (shape.executor) {
    case 'constant-arrival-rate':
      return { executor: shape.executor, rate: shape.perMinute, timeUnit: '1m', duration: seconds(shape.durationSeconds), preAllocatedVUs: shape.preAllocatedVUs, maxVUs: shape.maxVUs, gracefulStop, exec, tags };
    case 'ramping-arrival-rate':
      return {
        executor: shape.executor,
        startRate: shape.startPerMinute,
        timeUnit: '1m',
        stages: shape.stages.map((s) => ({ duration: seconds(s.durationSeconds), target: s.target })),
        preAllocatedVUs: shape.preAllocatedVUs,
        maxVUs: shape.maxVUs,
        gracefulStop,
        exec,
        tags,
      };
    case 'constant-vus':
      return { executor: shape.executor, vus: shape.vus, duration: seconds(shape.durationSeconds), gracefulStop, exec, tags };
    case 'ramping-vus':
      return {
        executor: shape.executor,
        startVUs: shape.startVUs,
        stages: shape.stages.map((s) => ({ duration: seconds(s.durationSeconds), target: s.target })),
        gracefulRampDown: gracefulStop,
        gracefulStop,
        exec,
        tags,
      };
  }
}

/** Only the rules that stop a run early (abortOnFail); k6 must not judge the run itself. */
export function abortThresholds(thresholds: Thresholds): Thresholds {
  const out: Thresholds = {};
  for (const [metric, rules] of Object.entries(thresholds)) {
    const aborting = rules.filter((r: ThresholdRule) => typeof r !== 'string' && r.abortOnFail === true);
    if (aborting.length > 0) out[metric] = aborting;
  }
  return out;
}

export function buildOptions(scenario: ScenarioName, profile: Profile, config: Config): Options {
  const shapes = scenarioShapes(profile, scenario, { duration: config.durationScale, rate: config.rateScale });
  const gracefulStop = seconds(profile.gracefulStopSeconds);
  const scenarios: Record<string, Scenario> = {};
  for (const workload of SCENARIO_WORKLOADS[scenario]) {
    const shape = shapes[workload];
    if (!shape) continue;
    // One k6 scenario per lane, named by core laneName() (k6 tags samples with it).
    for (let lane = 0; lane < laneCount(workload, profile, scenario); lane++) {
      scenarios[laneName(workload, lane)] = executorOptions(shape, gracefulStop, WORKLOAD_EXEC[workload], { flow: workload });
    }
  }
  const thresholds = applyThresholdOverrides(defaultThresholds(SCENARIO_WORKLOADS[scenario], profile), config.thresholdOverrides);
  return {
    scenarios,
    thresholds: abortThresholds(thresholds) as Options['thresholds'],
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
    // No `url` tag: wallet and intent ids live in URL paths; `name` carries the route template.
    systemTags: ['status', 'method', 'name', 'group', 'check', 'error', 'error_code', 'scenario', 'expected_response', 'proto', 'tls_version'],
    tags: { testid: config.runId, profile: profile.name, target_kind: config.targetKind },
    setupTimeout: '60s',
    teardownTimeout: '30s',
    userAgent: 'moshpit-k6/0.1',
  };
}
