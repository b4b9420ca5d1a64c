// Load profiles: the one table of how hard each scenario drives each workload. Pure data plus
// the helpers that build it; lib/bindings/k6/options.ts maps a LoadShape 1:1 onto a k6
// executor, core/schedule.ts onto Artillery phases. The pilot's figures: 5,000 wallets, 2,000
// concurrent users, 200 scans/min over 2 doors, 120 tx/min over 4 concessions, 50 concurrent
// fundings, 20-30 min. A festival day has three phases: gates open 5 min light, peak 10 min,
// winding down 5 min.

export const PROFILE_NAMES = ['smoke', 'pilot', 'festival-day', 'peak', 'soak', 'breakpoint'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const SCENARIO_NAMES = ['entry', 'concession', 'funding', 'reentry', 'full', 'contention'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** The flows a scenario runs; each becomes one or more k6 scenarios (entry: one per door). */
export const WORKLOADS = ['entry', 'concession', 'funding', 'reentry', 'browse'] as const;
export type Workload = (typeof WORKLOADS)[number];

export const SCENARIO_WORKLOADS: Record<ScenarioName, readonly Workload[]> = {
  entry: ['entry'],
  concession: ['concession'],
  funding: ['funding'],
  reentry: ['reentry'],
  full: ['entry', 'concession', 'funding', 'reentry', 'browse'],
  // A group's shared wallets hit from every terminal at once: the concession lanes and slice.
  contention: ['concession'],
};

/** Workloads that change wallet state each own a disjoint slice of wallets.json (fractions). */
export const WALLET_PARTITION = { entry: 0.3, reentry: 0.15, concession: 0.4, funding: 0.15 } as const;
export type StatefulWorkload = keyof typeof WALLET_PARTITION;

export interface Stage { durationSeconds: number; target: number }

/** Arrival rates are per minute (k6 timeUnit 1m); VU counts are concurrent users. */
export type LoadShape =
  | { executor: 'constant-arrival-rate'; perMinute: number; durationSeconds: number; preAllocatedVUs: number; maxVUs: number }
  | { executor: 'ramping-arrival-rate'; startPerMinute: number; stages: Stage[]; preAllocatedVUs: number; maxVUs: number }
  | { executor: 'constant-vus'; vus: number; durationSeconds: number }
  | { executor: 'ramping-vus'; startVUs: number; stages: Stage[] };

export interface Range { min: number; max: number }

/** What a flow does inside one iteration (rates are probabilities 0..1). */
export interface Behaviour {
  doors: number;
  terminals: number;
  /** entry: a second tap right after admission, must be 409 duplicate_entry. */
  duplicateScanRate: number;
  /** entry: step out and come back in the same visit (exit, then a paid re-entry). */
  exitAndRescanRate: number;
  /** concession: 1..maxBasketLines lines, 1..maxLineQuantity each. */
  maxBasketLines: number;
  maxLineQuantity: number;
  /** concession: a basket bigger than the known balance, must be 402 insufficient_funds. */
  overspendRate: number;
  /** concession: resend an acked order with the same Idempotency-Key, must replay. */
  orderReplayRate: number;
  /** concession: after a 402 the holder tops up at a checkpoint and buys again. */
  rechargeAfterDeclineRate: number;
  rechargeCents: number;
  /** funding: amounts drawn from this list (cents). */
  fundingAmountsCents: number[];
  /** funding: time the customer spends paying at Stripe before the webhook fires. */
  stripeDelayMs: Range;
  duplicateWebhookRate: number;
  /** funding: resend a created intent request with the same Idempotency-Key, must return the same intent. */
  intentReplayRate: number;
  paymentFailedRate: number;
  creditPollIntervalMs: number;
  creditTimeoutMs: number;
  /** reentry: exit/re-enter cycles per visit and the time spent inside/outside between scans. */
  reentryCycles: number;
  insideSeconds: Range;
  outsideSeconds: Range;
  /** browse: time a browsing user spends moving around between balance checks. */
  browseThinkSeconds: Range;
  /** Every stateful workload: share of iterations that also misbehave once (lib/flows/adversarial.ts). */
  adversarialRate: number;
  /** funding: share of fundings whose Stripe side misbehaves (forged or stale signature, a late failure, failure before success). */
  webhookMisbehaviourRate: number;
}

export interface ClientPolicy {
  timeoutSeconds: number;
  /** Attempts per logical write (same Idempotency-Key) while the outcome is indeterminate. */
  maxAttempts: number;
  retryBackoffMs: number;
}

export interface Profile {
  name: ProfileName;
  description: string;
  scenarios: Record<ScenarioName, Partial<Record<Workload, LoadShape>>>;
  behaviour: Behaviour;
  client: ClientPolicy;
  gracefulStopSeconds: number;
  /** breakpoint: latency SLO thresholds abort the run when crossed. */
  abortOnSloBreach: boolean;
}

// ---- building blocks -------------------------------------------------------------------

/** The pilot's source figures; other profiles are multiples of these. */
const PILOT = {
  scansPerMinutePerDoor: 100,
  txPerMinutePerTerminal: 30,
  concurrentFundings: 50,
  reentryVisitsPerMinute: 20,
  concurrentUsers: 2000,
  durationSeconds: 25 * 60,
};

/** Typical iteration length per workload (s), to size arrival-rate VU pools. */
const ITERATION_SECONDS: Record<Workload, number> = { entry: 2, concession: 2, funding: 6, reentry: 15, browse: 10 };

const DEFAULT_BEHAVIOUR: Behaviour = {
  doors: 2,
  terminals: 4,
  duplicateScanRate: 0.05,
  exitAndRescanRate: 0.1,
  maxBasketLines: 3,
  maxLineQuantity: 3,
  overspendRate: 0.03,
  orderReplayRate: 0.02,
  rechargeAfterDeclineRate: 0.5,
  rechargeCents: 2000,
  fundingAmountsCents: [1000, 2000, 2500, 5000, 10000],
  stripeDelayMs: { min: 1000, max: 3000 },
  duplicateWebhookRate: 0.1,
  intentReplayRate: 0.02,
  paymentFailedRate: 0.05,
  creditPollIntervalMs: 250,
  creditTimeoutMs: 15000,
  reentryCycles: 2,
  insideSeconds: { min: 2, max: 6 },
  outsideSeconds: { min: 1, max: 3 },
  // A guest between purchases glances at the wallet app every minute or so, not every few seconds:
  // 2,000 such guests are ~35 balance reads/s.
  browseThinkSeconds: { min: 30, max: 90 },
  adversarialRate: 0.02,
  webhookMisbehaviourRate: 0.05,
};

const DEFAULT_CLIENT: ClientPolicy = { timeoutSeconds: 10, maxAttempts: 3, retryBackoffMs: 200 };

function arrivalPool(workload: Workload, peakPerMinute: number, iterationSeconds = ITERATION_SECONDS): { preAllocatedVUs: number; maxVUs: number } {
  const inFlight = (peakPerMinute / 60) * iterationSeconds[workload];
  const preAllocatedVUs = Math.max(2, Math.ceil(inFlight * 1.5));
  return { preAllocatedVUs, maxVUs: preAllocatedVUs * 4 };
}

function constantArrival(workload: Workload, perMinute: number, durationSeconds: number, iterationSeconds = ITERATION_SECONDS): LoadShape {
  return { executor: 'constant-arrival-rate', perMinute, durationSeconds, ...arrivalPool(workload, perMinute, iterationSeconds) };
}

function rampingArrival(workload: Workload, startPerMinute: number, stages: Stage[]): LoadShape {
  const peak = Math.max(startPerMinute, ...stages.map((s) => s.target));
  return { executor: 'ramping-arrival-rate', startPerMinute, stages, ...arrivalPool(workload, peak) };
}

export interface Phase { name: string; durationSeconds: number; load: number }

/** A festival day: gates open 5 min at light load, peak 10 min, winding down 5 min. */
export const FESTIVAL_DAY_PHASES: Phase[] = [
  { name: 'gates-open', durationSeconds: 300, load: 0.2 },
  { name: 'peak', durationSeconds: 600, load: 1.0 },
  { name: 'winding-down', durationSeconds: 300, load: 0.4 },
];

/** The pilot's full-system run: same shape, 25 min, gentler shoulders. */
const PILOT_FULL_PHASES: Phase[] = [
  { name: 'gates-open', durationSeconds: 300, load: 0.5 },
  { name: 'peak', durationSeconds: 900, load: 1.0 },
  { name: 'winding-down', durationSeconds: 300, load: 0.5 },
];

const PHASE_RAMP_SECONDS = 30;

/** Each phase: ramp to its level, then hold it. */
function phaseStages(peak: number, phases: Phase[]): Stage[] {
  const stages: Stage[] = [];
  for (const p of phases) {
    const target = Math.max(1, Math.round(peak * p.load));
    const ramp = Math.min(PHASE_RAMP_SECONDS, p.durationSeconds);
    stages.push({ durationSeconds: ramp, target });
    if (p.durationSeconds > ramp) stages.push({ durationSeconds: p.durationSeconds - ramp, target });
  }
  return stages;
}

/** Peak figures of every workload at a given multiple of the pilot. */
interface Peaks { perDoor: number; perTerminal: number; fundings: number; reentryVisits: number; users: number }

function peaks(multiple: number): Peaks {
  return {
    perDoor: Math.round(PILOT.scansPerMinutePerDoor * multiple),
    perTerminal: Math.round(PILOT.txPerMinutePerTerminal * multiple),
    fundings: Math.round(PILOT.concurrentFundings * multiple),
    reentryVisits: Math.round(PILOT.reentryVisitsPerMinute * multiple),
    users: Math.round(PILOT.concurrentUsers * multiple),
  };
}

function constantShapes(p: Peaks, durationSeconds: number, iterationSeconds = ITERATION_SECONDS): Record<Workload, LoadShape> {
  return {
    entry: constantArrival('entry', p.perDoor, durationSeconds, iterationSeconds),
    concession: constantArrival('concession', p.perTerminal, durationSeconds, iterationSeconds),
    funding: { executor: 'constant-vus', vus: p.fundings, durationSeconds },
    reentry: constantArrival('reentry', p.reentryVisits, durationSeconds, iterationSeconds),
    browse: { executor: 'constant-vus', vus: p.users, durationSeconds },
  };
}

function stagedShapes(p: Peaks, stagesFor: (peak: number) => Stage[], startFraction = 0): Record<Workload, LoadShape> {
  const start = (peak: number) => Math.round(peak * startFraction);
  return {
    entry: rampingArrival('entry', start(p.perDoor), stagesFor(p.perDoor)),
    concession: rampingArrival('concession', start(p.perTerminal), stagesFor(p.perTerminal)),
    funding: { executor: 'ramping-vus', startVUs: start(p.fundings), stages: stagesFor(p.fundings) },
    reentry: rampingArrival('reentry', start(p.reentryVisits), stagesFor(p.reentryVisits)),
    browse: { executor: 'ramping-vus', startVUs: start(p.users), stages: stagesFor(p.users) },
  };
}

/** Single-workload scenarios take their workload's shape; full takes all of them. */
function perScenario(single: Record<Workload, LoadShape>, full: Record<Workload, LoadShape>): Profile['scenarios'] {
  return {
    entry: { entry: single.entry },
    concession: { concession: single.concession },
    funding: { funding: single.funding },
    reentry: { reentry: single.reentry },
    full,
    // Same per-terminal rate as concession; the load lands on a few shared wallets instead.
    contention: { concession: single.concession },
  };
}

// ---- the table -------------------------------------------------------------------------

const SMOKE_SECONDS = 25;
const SMOKE_PEAKS: Peaks = { perDoor: 60, perTerminal: 60, fundings: 3, reentryVisits: 30, users: 5 };
/** Smoke sleeps are short, so its iterations are too: smaller VU pools. */
const SMOKE_ITERATION_SECONDS: Record<Workload, number> = { entry: 1, concession: 1, funding: 2, reentry: 2, browse: 1 };
const SMOKE_SHAPES = constantShapes(SMOKE_PEAKS, SMOKE_SECONDS, SMOKE_ITERATION_SECONDS);
const phased = (phases: Phase[]) => (peak: number) => phaseStages(peak, phases);
const BREAKPOINT_SHAPES: Record<Workload, LoadShape> = {
  ...stagedShapes(peaks(10), (peak) => [{ durationSeconds: 1200, target: peak }], 0.1),
  // Each concurrent funding needs 3 wallets of its own (lib/runtime.ts): 5x = 250 fit the
  // 750-wallet funding slice of a 5,000-wallet seed. Seed more wallets to push further.
  funding: { executor: 'ramping-vus', startVUs: PILOT.concurrentFundings, stages: [{ durationSeconds: 1200, target: 5 * PILOT.concurrentFundings }] },
  // Same for the long re-entry visits (15 s each): the doors' own ramp already reaches 10x.
  reentry: rampingArrival('reentry', PILOT.reentryVisitsPerMinute, [{ durationSeconds: 1200, target: 5 * PILOT.reentryVisitsPerMinute }]),
};

export const PROFILES: Record<ProfileName, Profile> = {
  smoke: {
    name: 'smoke',
    description: 'Seconds of tiny load to prove the scripts and the target work end to end (used by tests).',
    scenarios: perScenario(SMOKE_SHAPES, SMOKE_SHAPES),
    behaviour: {
      ...DEFAULT_BEHAVIOUR,
      duplicateScanRate: 0.2,
      exitAndRescanRate: 0.2,
      overspendRate: 0.1,
      orderReplayRate: 0.1,
      duplicateWebhookRate: 0.3,
      intentReplayRate: 0.2,
      paymentFailedRate: 0.1,
      stripeDelayMs: { min: 100, max: 400 },
      reentryCycles: 1,
      insideSeconds: { min: 0.2, max: 0.5 },
      outsideSeconds: { min: 0.1, max: 0.3 },
      browseThinkSeconds: { min: 0.5, max: 1.5 },
      adversarialRate: 0.2,
      webhookMisbehaviourRate: 0.3,
    },
    client: { ...DEFAULT_CLIENT, timeoutSeconds: 5 },
    gracefulStopSeconds: 5,
    abortOnSloBreach: false,
  },
  pilot: {
    name: 'pilot',
    description: 'The pilot figures: 200 scans/min over 2 doors, 120 tx/min over 4 concessions, 50 concurrent fundings, 2,000 users in full; 25 min.',
    scenarios: perScenario(
      constantShapes(peaks(1), PILOT.durationSeconds),
      stagedShapes(peaks(1), phased(PILOT_FULL_PHASES), 0.1),
    ),
    behaviour: DEFAULT_BEHAVIOUR,
    client: DEFAULT_CLIENT,
    gracefulStopSeconds: 30,
    abortOnSloBreach: false,
  },
  'festival-day': {
    name: 'festival-day',
    description: 'Three-phase day: gates open 5 min at 20 %, peak 10 min at pilot figures, winding down 5 min at 40 %.',
    scenarios: perScenario(
      stagedShapes(peaks(1), phased(FESTIVAL_DAY_PHASES)),
      stagedShapes(peaks(1), phased(FESTIVAL_DAY_PHASES)),
    ),
    behaviour: DEFAULT_BEHAVIOUR,
    client: DEFAULT_CLIENT,
    gracefulStopSeconds: 30,
    abortOnSloBreach: false,
  },
  peak: {
    name: 'peak',
    description: '3x the pilot figures after a 2-minute ramp, held 13 min.',
    scenarios: perScenario(
      stagedShapes(peaks(3), (peak) => [{ durationSeconds: 120, target: peak }, { durationSeconds: 780, target: peak }], 0.2),
      stagedShapes(peaks(3), (peak) => [{ durationSeconds: 120, target: peak }, { durationSeconds: 780, target: peak }], 0.2),
    ),
    behaviour: DEFAULT_BEHAVIOUR,
    client: DEFAULT_CLIENT,
    gracefulStopSeconds: 30,
    abortOnSloBreach: false,
  },
  soak: {
    name: 'soak',
    description: 'Half the pilot figures for 3 hours: leaks, pool exhaustion, drift, ledger growth.',
    scenarios: perScenario(constantShapes(peaks(0.5), 3 * 3600), constantShapes(peaks(0.5), 3 * 3600)),
    behaviour: { ...DEFAULT_BEHAVIOUR, rechargeAfterDeclineRate: 0.9 },
    client: DEFAULT_CLIENT,
    gracefulStopSeconds: 30,
    abortOnSloBreach: false,
  },
  breakpoint: {
    name: 'breakpoint',
    description: 'Arrival rates ramp from the pilot figures to 10x over 20 min; the run aborts once an SLO threshold breaks.',
    scenarios: perScenario(BREAKPOINT_SHAPES, {
      ...BREAKPOINT_SHAPES,
      // Browsing users stay at the pilot's 2,000: the ramp is about write throughput, and
      // 20,000 VUs would exhaust the load generator before the target.
      browse: { executor: 'constant-vus', vus: PILOT.concurrentUsers, durationSeconds: 1200 },
    }),
    behaviour: DEFAULT_BEHAVIOUR,
    client: DEFAULT_CLIENT,
    gracefulStopSeconds: 30,
    abortOnSloBreach: true,
  },
};

export const DEFAULT_PROFILE: ProfileName = 'pilot';

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

// ---- overrides -------------------------------------------------------------------------

export interface ProfileScale {
  /** Multiplies every duration (0.2 turns the 25 s smoke into 5 s). */
  duration: number;
  /** Multiplies every rate and VU count. */
  rate: number;
}

const scaleSeconds = (s: number, k: number) => Math.max(1, Math.round(s * k));
const scaleCount = (n: number, k: number) => Math.max(1, Math.round(n * k));
// A ramp's start may be 0; only targets are kept >= 1 so a scaled plateau never vanishes.
const scaleStart = (n: number, k: number) => Math.round(n * k);

export function scaleShape(shape: LoadShape, scale: ProfileScale): LoadShape {
  const stages = (list: Stage[]) => list.map((s) => ({ durationSeconds: scaleSeconds(s.durationSeconds, scale.duration), target: scaleCount(s.target, scale.rate) }));
  switch (shape.executor) {
    case 'constant-arrival-rate':
      return { ...shape, perMinute: scaleCount(shape.perMinute, scale.rate), durationSeconds: scaleSeconds(shape.durationSeconds, scale.duration), preAllocatedVUs: scaleCount(shape.preAllocatedVUs, scale.rate), maxVUs: scaleCount(shape.maxVUs, scale.rate) };
    case 'ramping-arrival-rate':
      return { ...shape, startPerMinute: scaleStart(shape.startPerMinute, scale.rate), stages: stages(shape.stages), preAllocatedVUs: scaleCount(shape.preAllocatedVUs, scale.rate), maxVUs: scaleCount(shape.maxVUs, scale.rate) };
    case 'constant-vus':
      return { ...shape, vus: scaleCount(shape.vus, scale.rate), durationSeconds: scaleSeconds(shape.durationSeconds, scale.duration) };
    case 'ramping-vus':
      return { ...shape, startVUs: scaleStart(shape.startVUs, scale.rate), stages: stages(shape.stages) };
  }
}

/** The workloads and shapes one scenario runs under one profile, scaled. */
export function scenarioShapes(profile: Profile, scenario: ScenarioName, scale: ProfileScale = { duration: 1, rate: 1 }): Partial<Record<Workload, LoadShape>> {
  const out: Partial<Record<Workload, LoadShape>> = {};
  for (const w of SCENARIO_WORKLOADS[scenario]) {
    const shape = profile.scenarios[scenario][w];
    if (shape) out[w] = scaleShape(shape, scale);
  }
  return out;
}

/** Highest number of VUs a shape may run at once (for partition sizing). */
export function maxConcurrency(shape: LoadShape): number {
  switch (shape.executor) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return shape.maxVUs;
    case 'constant-vus':
      return shape.vus;
    case 'ramping-vus':
      return Math.max(shape.startVUs, ...shape.stages.map((s) => s.target));
  }
}

/** Seconds of load (without graceful stop) a shape runs for. */
export function shapeDurationSeconds(shape: LoadShape): number {
  switch (shape.executor) {
    case 'constant-arrival-rate':
    case 'constant-vus':
      return shape.durationSeconds;
    case 'ramping-arrival-rate':
    case 'ramping-vus':
      return shape.stages.reduce((sum, s) => sum + s.durationSeconds, 0);
  }
}

// ---- lanes -----------------------------------------------------------------------------

/** Workloads split into lanes (a door, a terminal), each its own arrival stream and tag. */
export const LANE_PREFIX: Partial<Record<Workload, string>> = { entry: 'entry_door', concession: 'concession_terminal' };

/** The `scenario` tag of a lane: entry_door_2, concession_terminal_3; the workload if unlaned. */
export function laneName(workload: string, lane: number): string {
  const prefix = LANE_PREFIX[workload as Workload];
  return prefix ? `${prefix}_${lane + 1}` : workload;
}
