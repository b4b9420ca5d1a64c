// runPreflight: database, fixtures and target checks in dependency order; a check whose
// prerequisite failed is reported as skipped (and the environment is NOT READY).
import pg from 'pg';
import { redactUrl, redactUrlsIn } from '../../core/redact.js';
import { fixturesDir as defaultFixturesDir } from '../../stack/paths.js';
import { checkFixturesInDatabase, checkProcedures, checkReachable, checkSchema, checkSettings } from './database-checks.js';
import { FixtureError, readFixtures, type FixtureSet } from './fixtures.js';
import { DEFAULT_PREFIX } from '../../seed/input.js';
import { checkDashboardDatasources } from './datasource-checks.js';
import { checkHotPathIndexes } from './index-checks.js';
import { checkApiKey, checkFunctionalProbe, checkHealth } from './target-checks.js';
import { checkWebhookProbe } from './webhook-check.js';
import { targetClient } from './target-client.js';
import type { PreflightCheck, PreflightOptions, PreflightReport } from './types.js';

export type { PreflightOptions, PreflightReport, PreflightCheck } from './types.js';

type Outcome = { ok: boolean; detail: string; money?: boolean };

/** host:port/db of a database URL: no user, no password. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

export async function runPreflight(opts: PreflightOptions): Promise<PreflightReport> {
  const checks: PreflightCheck[] = [];
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = (opts.now ?? (() => new Date()))();
  const probeKeyPrefix = `preflight-${now.toISOString().replace(/[-:.]/g, '').replace('T', '-').replace('Z', '')}:`;

  const run = async (name: string, prerequisite: string | null, fn: () => Promise<Outcome>): Promise<boolean> => {
    const started = performance.now();
    if (prerequisite) {
      checks.push({ name, ok: false, skipped: true, detail: `skipped: ${prerequisite}`, durationMs: 0 });
      return false;
    }
    let outcome: Outcome;
    try {
      outcome = await fn();
    } catch (err) {
      outcome = { ok: false, detail: (err as Error).message || String(err) };
    }
    // Details end up on stdout and in preflight.json: no URL credentials, also inside error messages.
    checks.push({ name, ...outcome, detail: redactUrlsIn(outcome.detail), durationMs: Math.round(performance.now() - started) });
    return outcome.ok;
  };

  // Fixtures first: the database and target checks need the prefix and the probe wallet.
  let fixtures: FixtureSet | null = null;
  const fixturesDir = opts.fixturesDir ?? defaultFixturesDir;
  await run('fixtures-files', null, async () => {
    try {
      fixtures = readFixtures(fixturesDir);
    } catch (err) {
      if (err instanceof FixtureError) return { ok: false, detail: err.message };
      throw err;
    }
    const f = fixtures as FixtureSet;
    return { ok: true, detail: `${fixturesDir}: prefix '${f.manifest.prefix}', ${f.manifest.wallets} wallets, ${f.products.length} products, ${f.terminals.length} terminals, ${f.gateways.length} gateways` };
  });
  const fx = fixtures as FixtureSet | null;

  // Database.
  let client: pg.Client | null = null;
  try {
    const reachable = await run('database', null, async () => {
      if (!opts.databaseUrl) return { ok: false, detail: 'no database URL (--database-url, DATABASE_URL or a running stack)' };
      client = new pg.Client({ connectionString: opts.databaseUrl, connectionTimeoutMillis: timeoutMs, application_name: 'moshpit-preflight' });
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (err) {
        return { ok: false, detail: `${redact(opts.databaseUrl)}: ${(err as Error).message}` };
      }
      const r = await checkReachable(client);
      return { ok: true, detail: `${redact(opts.databaseUrl)}: ${r.detail}` };
    });
    const db = client as pg.Client | null;
    const noDb = reachable ? null : 'database unreachable';
    await run('stored-procedures', noDb, () => checkProcedures(db!));
    const schema = await run('schema', noDb, () => checkSchema(db!));
    await run('hot-path-indexes', noDb ?? (schema ? null : 'tables missing'), () => checkHotPathIndexes(db!));
    await run('fixtures-in-database', noDb ?? (fx ? null : 'no fixtures'), () => checkFixturesInDatabase(db!, fx!));
    await run('festival-settings', noDb ?? (fx ? null : 'no fixtures'), () => checkSettings(db!, fx!));
  } finally {
    await (client as pg.Client | null)?.end().catch(() => {});
  }

  // Target.
  const noTarget = !opts.targetUrl ? 'no target URL' : !opts.apiKey ? 'no API key' : null;
  const target = noTarget ? null : targetClient(opts.targetKind, opts.targetUrl!, opts.apiKey!, timeoutMs);
  const healthy = await run('target-health', noTarget, async () => {
    const r = await checkHealth(target!, opts.targetKind);
    return { ok: r.ok, detail: `${opts.targetKind} ${redactUrl(opts.targetUrl!)}: ${r.detail}` };
  });
  const authorised = await run('api-key', noTarget ?? (healthy ? null : 'target unhealthy') ?? (fx ? null : 'no fixtures'), () => checkApiKey(target!, fx!));
  if (!opts.skipProbe) {
    await run('functional-probe', noTarget ?? (authorised ? null : 'API key not accepted'), () => checkFunctionalProbe(target!, fx!, probeKeyPrefix));
  }
  const noSecret = opts.webhookSecret ? null : 'no STRIPE_WEBHOOK_SECRET to sign a probe with';
  await run('webhook-endpoint', noTarget ?? (healthy ? null : 'target unhealthy') ?? noSecret,
    () => checkWebhookProbe(target!, opts.webhookSecret!, fx?.manifest.prefix ?? DEFAULT_PREFIX, now));
  // Only a run that streams to InfluxDB has dashboards to feed.
  if (opts.influxUrl) await run('dashboard-datasources', null, () => checkDashboardDatasources(opts.influxUrl!, undefined, timeoutMs));

  const failed = checks.filter((c) => !c.ok && !c.skipped);
  const skipped = checks.filter((c) => c.skipped);
  const ready = failed.length === 0 && skipped.length === 0;
  const verdict = ready
    ? `READY: ${checks.length} checks passed`
    : `NOT READY: ${failed.length} of ${checks.length} checks failed (${failed.map((c) => c.name).join(', ')})` +
      (skipped.length ? `, ${skipped.length} could not run (${skipped.map((c) => c.name).join(', ')})` : '');
  const moneyFailure = checks.some((c) => c.money === true);
  return { ready, moneyFailure, verdict: moneyFailure ? `MONEY WRONG: ${verdict}` : verdict, checks, probeKeyPrefix };
}

export function formatPreflight(report: PreflightReport): string {
  const lines = report.checks.map((c) => `${c.ok ? '✓' : c.skipped ? '-' : '✗'} ${c.name.padEnd(22)} ${c.detail}`);
  return [...lines, '', report.verdict, ''].join('\n');
}
