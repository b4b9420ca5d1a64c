// The bundle's environment contract (scenarios/README.md), read from the environment the
// binding hands over (k6: __ENV) and validated once per process. Every problem is listed in
// one error so a run fails before any traffic.
import { DEFAULT_PROFILE, isProfileName, PROFILE_NAMES, type ProfileName } from '../core/profiles.js';
import { isLoopbackHost } from '../core/loopback.js';
import { parseThresholdOverrides, type ThresholdOverrides } from '../core/thresholds.js';
import { isTargetKind, TARGET_KINDS, type TargetKind } from '../core/target-kind.js';


export interface Config {
  /** Base URL without a trailing slash. */
  targetUrl: string;
  apiKey: string;
  targetKind: TargetKind;
  profile: ProfileName;
  runId: string;
  /** Absolute directory holding the seeder's fixture files. */
  fixturesDir: string;
  /** whsec_... ; null when the scenario sends no webhooks. */
  stripeWebhookSecret: string | null;
  /** Absolute, existing directory for summary files; null: summary to stdout only. */
  resultsDir: string | null;
  durationScale: number;
  rateScale: number;
  thresholdOverrides: ThresholdOverrides;
}

export interface ConfigNeeds {
  stripeWebhookSecret: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`moshpit: invalid environment (see scenarios/README.md):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

// RUN_ID goes into every Idempotency-Key as "<run>:<op>:...", so no colons.
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const URL_PARTS = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[^/:?#]+)(:\d{1,5})?(\/[^?#]*)?$/;

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

function positiveNumber(raw: string | undefined, name: string, problems: string[]): number {
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    problems.push(`${name} must be a positive number, got "${raw}"`);
    return 1;
  }
  return n;
}

export function parseConfig(env: Record<string, string | undefined>, needs: ConfigNeeds): Config {
  const problems: string[] = [];
  const value = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const rawUrl = value('TARGET_URL');
  let targetUrl = '';
  if (!rawUrl) problems.push('TARGET_URL is required (e.g. http://127.0.0.1:8080)');
  else {
    const m = URL_PARTS.exec(rawUrl);
    if (!m) problems.push(`TARGET_URL must be an http(s) URL without query or fragment, got "${rawUrl}"`);
    else {
      targetUrl = rawUrl.replace(/\/+$/, '');
      // A load tool must not hit a production host by accident: remote targets are opt-in.
      if (!isLoopbackHost(m[2] ?? '') && value('MOSHPIT_ALLOW_REMOTE') !== '1') {
        problems.push(`TARGET_URL host "${m[2]}" is not loopback; set MOSHPIT_ALLOW_REMOTE=1 to load-test a remote deployment on purpose`);
      }
    }
  }

  const apiKey = value('API_KEY') ?? '';
  if (!apiKey) problems.push('API_KEY is required (the key the target expects)');

  const kind = value('TARGET_KIND') ?? 'rest';
  if (!isTargetKind(kind)) problems.push(`TARGET_KIND must be one of ${TARGET_KINDS.join(', ')}, got "${kind}"`);

  const profile = value('PROFILE') ?? DEFAULT_PROFILE;
  if (!isProfileName(profile)) problems.push(`PROFILE must be one of ${PROFILE_NAMES.join(', ')}, got "${profile}"`);

  const runId = value('RUN_ID') ?? '';
  if (!runId) problems.push('RUN_ID is required (embedded in every Idempotency-Key; same on every VU)');
  else if (!RUN_ID.test(runId)) problems.push(`RUN_ID must match ${RUN_ID} (no colons), got "${runId}"`);

  const fixturesDir = (value('FIXTURES_DIR') ?? '').replace(/\/+$/, '');
  if (!fixturesDir) problems.push('FIXTURES_DIR is required (absolute path of the seeder\'s fixtures)');
  else if (!isAbsolutePath(fixturesDir)) problems.push(`FIXTURES_DIR must be absolute (k6 resolves relative paths against the bundle), got "${fixturesDir}"`);

  const secret = value('STRIPE_WEBHOOK_SECRET') ?? null;
  if (needs.stripeWebhookSecret) {
    if (!secret) problems.push('STRIPE_WEBHOOK_SECRET is required for scenarios that deliver Stripe webhooks');
    else if (!secret.startsWith('whsec_')) problems.push('STRIPE_WEBHOOK_SECRET must start with "whsec_"');
  }

  const resultsDir = value('RESULTS_DIR')?.replace(/\/+$/, '') ?? null;
  if (resultsDir !== null && !isAbsolutePath(resultsDir)) problems.push(`RESULTS_DIR must be absolute, got "${resultsDir}"`);

  const durationScale = positiveNumber(value('MOSHPIT_DURATION_SCALE'), 'MOSHPIT_DURATION_SCALE', problems);
  const rateScale = positiveNumber(value('MOSHPIT_RATE_SCALE'), 'MOSHPIT_RATE_SCALE', problems);

  let thresholdOverrides: ThresholdOverrides = {};
  const rawThresholds = value('THRESHOLDS_JSON');
  if (rawThresholds) {
    try {
      thresholdOverrides = parseThresholdOverrides(rawThresholds);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    targetUrl,
    apiKey,
    targetKind: kind as TargetKind,
    profile: profile as ProfileName,
    runId,
    fixturesDir,
    stripeWebhookSecret: secret,
    resultsDir,
    durationScale,
    rateScale,
    thresholdOverrides,
  };
}
