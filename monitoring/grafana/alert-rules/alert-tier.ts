// The input of the Grafana alert rules: one SLO tier rule per entry, judged per time bucket.
// Whoever owns the tiers (core/thresholds.ts) hands a list of these to alertRuleFile().

/** What a rule measures over one bucket of the run's scenario requests (see tier-queries.ts). */
export type TierMetric = 'p95' | 'p99' | 'error_rate';

export type TierSeverity = 'warn' | 'page' | 'critical' | 'rollback';

export interface AlertTier {
  /** Unique, lower-case words and dashes (it becomes the rule's uid), e.g. 'page-p99'. */
  name: string;
  severity: TierSeverity;
  metric: TierMetric;
  op: '>';
  /** In the metric's unit: milliseconds for p95/p99, a fraction for error_rate (0.02 = 2 %). */
  value: number;
  /** Consecutive buckets the condition must hold before the rule fires (1 = the first). */
  buckets: number;
}

export class AlertTierError extends Error {}

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Grafana's rule uid: at most 40 characters, and the rule uid is `moshpit-<name>`.
const MAX_NAME = 40 - 'moshpit-'.length;

/** Refuses a tier list Grafana would reject or that could never fire, naming the entry. */
export function checkAlertTiers(tiers: readonly AlertTier[]): void {
  if (tiers.length === 0) throw new AlertTierError('no alert tiers given');
  const seen = new Set<string>();
  for (const t of tiers) {
    const where = `alert tier ${JSON.stringify(t.name)}`;
    if (!NAME.test(t.name) || t.name.length > MAX_NAME) throw new AlertTierError(`${where}: the name must be lower-case words joined by dashes, at most ${MAX_NAME} characters`);
    if (seen.has(t.name)) throw new AlertTierError(`${where}: the name is used twice`);
    seen.add(t.name);
    if (!['warn', 'page', 'critical', 'rollback'].includes(t.severity)) throw new AlertTierError(`${where}: unknown severity ${JSON.stringify(t.severity)}`);
    if (!['p95', 'p99', 'error_rate'].includes(t.metric)) throw new AlertTierError(`${where}: unknown metric ${JSON.stringify(t.metric)}`);
    if (t.op !== '>') throw new AlertTierError(`${where}: only '>' is supported, got ${JSON.stringify(t.op)}`);
    if (!Number.isFinite(t.value) || t.value <= 0) throw new AlertTierError(`${where}: value must be a positive number, got ${t.value}`);
    if (t.metric === 'error_rate' && t.value >= 1) throw new AlertTierError(`${where}: an error rate is a fraction (0.02 = 2 %), got ${t.value}`);
    if (!Number.isSafeInteger(t.buckets) || t.buckets < 1) throw new AlertTierError(`${where}: buckets must be a whole number >= 1, got ${t.buckets}`);
  }
}
