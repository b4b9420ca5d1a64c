// `moshpit health-check`: is the target up, is the database reachable, is the stack whole?
import pg from 'pg';
import { redactUrl, redactUrlsIn } from '../../core/redact.js';
import { stackStatus } from '../../stack/stack.js';
import { readStackState } from '../../stack/state.js';
import { parseOptions } from '../options.js';
import type { Command } from '../command.js';
import { resolveDatabaseUrl, resolveRunningTarget } from '../pipeline/resolve-target.js';

interface Check { name: string; ok: boolean; detail: string }

async function checkDatabase(url: string | undefined): Promise<Check> {
  if (!url) return { name: 'database', ok: false, detail: 'no database configured (DATABASE_URL or moshpit stack up)' };
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const r = await client.query<{ v: string; n: string }>(
      "SELECT current_setting('server_version') AS v, (SELECT count(*) FROM pg_stat_activity)::text AS n",
    );
    return { name: 'database', ok: true, detail: `${redactUrl(url)} PostgreSQL ${r.rows[0]!.v}, ${r.rows[0]!.n} connections` };
  } catch (err) {
    return { name: 'database', ok: false, detail: `${redactUrl(url)}: ${redactUrlsIn((err as Error).message)}` };
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkTarget(url: string | undefined): Promise<Check> {
  if (!url) return { name: 'target', ok: false, detail: 'no target configured (TARGET_URL / SUPABASE_URL or moshpit stack up)' };
  const started = performance.now();
  try {
    const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(5000) });
    const ms = Math.round(performance.now() - started);
    const body = await res.text();
    return { name: 'target', ok: res.ok, detail: `${redactUrl(url)} HTTP ${res.status} in ${ms} ms ${redactUrlsIn(body.slice(0, 200))}` };
  } catch (err) {
    return { name: 'target', ok: false, detail: `${redactUrl(url)}: ${redactUrlsIn((err as Error).message)}` };
  }
}

const command: Command = {
  summary: 'check the target, the database and the stack components',
  usage: 'usage: moshpit health-check [--database-url URL] [--json]',
  async run(argv) {
    const { values } = parseOptions({ args: argv, options: { 'database-url': { type: 'string' }, json: { type: 'boolean' } } });
    const target = resolveRunningTarget();
    const checks: Check[] = [await checkTarget(target?.url), await checkDatabase(resolveDatabaseUrl(values['database-url']))];
    if (readStackState()) {
      for (const c of await stackStatus()) checks.push({ name: `stack ${c.name}`, ok: c.up, detail: `${c.url ? redactUrl(c.url) : ''}${c.pid ? ` pid ${c.pid}` : ''}` });
    }
    const healthy = checks.every((c) => c.ok);
    if (values.json) process.stdout.write(`${JSON.stringify({ healthy, checks }, null, 2)}\n`);
    else {
      for (const c of checks) process.stdout.write(`${c.ok ? '✓' : '✗'} ${c.name.padEnd(16)} ${c.detail}\n`);
      process.stdout.write(healthy ? 'HEALTHY\n' : 'UNHEALTHY\n');
    }
    return healthy ? 0 : 1;
  },
};
export default command;
