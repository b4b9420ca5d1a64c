// One scenario's load on a real engine (the pipeline's own load step and verdict: processes,
// metrics streams, merge, thresholds), against a target a test started, without the CLI's
// stack/seed/pre-flight steps. Returns summary.json as the verdict wrote it.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineName } from '../../core/engine-plan.js';
import { PROFILES, SCENARIO_WORKLOADS, type ProfileName, type ScenarioName } from '../../core/profiles.js';
import { applyThresholdOverrides, defaultThresholds } from '../../core/thresholds.js';
import { findUserK6 } from '../../build/toolchain.js';
import { RELAXED_LATENCY } from './relaxed-thresholds.js';
import { runLoad } from '../../cli/pipeline/engine/run-load.js';
import { judgeRun } from '../../cli/pipeline/run-verdict.js';
import type { TargetKind } from '../../core/target-kind.js';

export interface TargetUnderTest { url: string; apiKey: string; webhookSecret: string; fixturesDir: string }

export interface Summary {
  metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
  root_group: { checks: Array<{ name: string; passes: number; fails: number }> };
  moshpit: Record<string, unknown>;
}

export interface EngineRun { runId: string; loadExit: number; thresholdsOk: boolean; resultsDir: string; summary: Summary; notes: string[] }

/** The user's k6 if there is one (tests of the k6 binding run only then, and say so when skipped). */
export const userK6 = (() => { try { return findUserK6(); } catch { return null; } })();

let sequence = 0;

export async function runEngine(opts: {
  engine: EngineName;
  scenario: ScenarioName;
  kind: TargetKind;
  target: TargetUnderTest;
  workDir: string;
  profile?: ProfileName;
  durationScale?: number;
  rateScale?: number;
  env?: Record<string, string>;
  /** Judge latency by the real SLOs (tests about latency); default: relaxed (test/support/relaxed-thresholds.ts). */
  realSlos?: boolean;
  shards?: number;
}): Promise<EngineRun> {
  sequence += 1;
  const profile = opts.profile ?? 'smoke';
  const runId = `e2e-${opts.scenario}-${opts.kind}-${opts.engine}-${process.pid}-${sequence}`;
  const resultsDir = join(opts.workDir, 'results', runId);
  mkdirSync(resultsDir, { recursive: true });
  const scale = { duration: opts.durationScale ?? 0.2, rate: opts.rateScale ?? 1 };
  const env: Record<string, string> = {
    TARGET_URL: opts.target.url,
    API_KEY: opts.target.apiKey,
    TARGET_KIND: opts.kind,
    STRIPE_WEBHOOK_SECRET: opts.target.webhookSecret,
    PROFILE: profile,
    RUN_ID: runId,
    FIXTURES_DIR: opts.target.fixturesDir,
    RESULTS_DIR: resultsDir,
    MOSHPIT_DURATION_SCALE: String(scale.duration),
    MOSHPIT_RATE_SCALE: String(scale.rate),
    ...(opts.env ?? {}),
  };
  const loadExit = await runLoad({
    engine: opts.engine, k6Path: opts.engine === 'k6' ? userK6?.path ?? null : null, runId, scenario: opts.scenario, profile, resultsDir,
    targetUrl: opts.target.url, scale, env, chaos: null, quiet: true, shards: opts.shards ?? 1,
  });
  const thresholds = applyThresholdOverrides(defaultThresholds(SCENARIO_WORKLOADS[opts.scenario], PROFILES[profile]), opts.realSlos ? {} : RELAXED_LATENCY);
  const verdict = judgeRun({ resultsDir, engine: opts.engine, thresholds, run: { runId, scenario: opts.scenario, profile, targetKind: opts.kind, targetUrl: opts.target.url } });
  const file = join(resultsDir, 'summary.json');
  if (!existsSync(file)) throw new Error(`no summary.json in ${resultsDir}`);
  return { runId, loadExit, thresholdsOk: verdict.thresholdsOk, resultsDir, summary: JSON.parse(readFileSync(file, 'utf8')) as Summary, notes: verdict.notes };
}

export const count = (s: Summary, metric: string) => s.metrics[metric]?.values.count ?? 0;

export function failedThresholds(s: Summary): string[] {
  return Object.entries(s.metrics).flatMap(([m, v]) => Object.entries(v.thresholds ?? {}).filter(([, t]) => !t.ok).map(([e]) => `${m}: ${e}`));
}
