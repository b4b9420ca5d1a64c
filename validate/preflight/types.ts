// Pre-flight: is the environment fit to be load-tested and validated? Each check is one line
// of a READY / NOT READY report.
import type { TargetKind } from '../../core/target-kind.js';

export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** Not attempted because a check it depends on failed (never ok). */
  skipped?: boolean;
  /** It ran and the money came out wrong (a bug in the platform, not in the environment). */
  money?: boolean;
  durationMs: number;
}

export interface PreflightReport {
  ready: boolean;
  /** A check found the money wrong: the run must fail as a money failure (exit 4), not NOT READY. */
  moneyFailure: boolean;
  verdict: string;
  checks: PreflightCheck[];
  /** The probe's idempotency keys start with this (preflight-<ts>:). */
  probeKeyPrefix: string;
}


export interface PreflightOptions {
  databaseUrl: string | undefined;
  targetUrl: string | undefined;
  targetKind: TargetKind;
  apiKey: string | undefined;
  /** Where manifest.json and the other fixture files are (default: the checkout's fixtures/). */
  fixturesDir?: string;
  /** Per HTTP request and per database connection (default 10 s). */
  timeoutMs?: number;
  /** The Stripe webhook secret the load signs with: the webhook endpoint is probed with it (no money moves). */
  webhookSecret?: string;
  /** The InfluxDB the run streams to: the dashboards' datasources must answer there. Unset: no InfluxDB, no check. */
  influxUrl?: string;
  /** Skip the functional probe (it writes a recharge and an order to the probe wallet). */
  skipProbe?: boolean;
  /** Clock for the probe keys (tests). */
  now?: () => Date;
}
