// `moshpit preflight`: is the environment ready to be load-tested and validated? Database,
// procedures, hot-path indexes, fixtures, settings, target health, API key, one functional
// probe, the webhook endpoint (a signed probe) and, with --influx-url, the dashboards' datasources.
// Exit 0 READY, 1 NOT READY, 2 bad arguments.
import { redactUrl } from '../../core/redact.js';
import { formatPreflight, runPreflight } from '../../validate/preflight/runner.js';
import { parseOptions } from '../options.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { resolveDatabaseUrl, resolveRunningTarget } from '../pipeline/resolve-target.js';
import { isLoopbackUrl } from '../../core/loopback.js';
import { parseKind } from '../pipeline/target-config.js';

const usage = `usage: moshpit preflight [options]

  --database-url <url>   default: DATABASE_URL, else the running stack's database
  --target-url <url>     default: TARGET_URL / SUPABASE_URL, else the running stack's target
  --target-kind <kind>   rest | supabase (default: from the environment, else rest)
  --api-key <key>        default: the target's key from the environment or the stack
  --fixtures <dir>       default: fixtures/
  --no-probe             skip the functional probe (a recharge and an order on the probe wallet)
  --influx-url <url>     also check that the dashboards' datasources answer on this InfluxDB
  --json                 print the report as JSON`;

const command: Command = {
  summary: 'pre-flight: database, procedures, fixtures, target health, API key, functional probe (READY / NOT READY)',
  usage,
  async run(argv) {
    const { values } = parseOptions({
      args: argv,
      options: {
        'database-url': { type: 'string' },
        'target-url': { type: 'string' },
        'target-kind': { type: 'string' },
        'api-key': { type: 'string' },
        fixtures: { type: 'string' },
        'no-probe': { type: 'boolean' },
        'influx-url': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const explicitUrl = values['target-url']?.replace(/\/+$/, '');
    const resolved = explicitUrl ? null : resolveRunningTarget(values['target-kind']);
    const targetUrl = explicitUrl ?? resolved?.url;
    // The probe writes money: a remote target needs the same opt-in as a load test.
    if (targetUrl && !isLoopbackUrl(targetUrl) && process.env.MOSHPIT_ALLOW_REMOTE !== '1') {
      throw new UsageError(`refusing to probe non-loopback target ${redactUrl(targetUrl)}; set MOSHPIT_ALLOW_REMOTE=1 if it is your own staging deployment`);
    }
    const report = await runPreflight({
      databaseUrl: resolveDatabaseUrl(values['database-url']) ?? resolved?.databaseUrl,
      targetUrl,
      targetKind: parseKind(values['target-kind'] ?? process.env.TARGET_KIND, resolved?.kind ?? 'rest'),
      apiKey: values['api-key'] ?? resolved?.apiKey ?? process.env.API_KEY,
      webhookSecret: resolved?.webhookSecret ?? process.env.STRIPE_WEBHOOK_SECRET,
      ...(values['influx-url'] && { influxUrl: values['influx-url'] }),
      ...(values.fixtures && { fixturesDir: values.fixtures }),
      skipProbe: values['no-probe'] === true,
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatPreflight(report));
    return report.ready ? 0 : 1;
  },
};
export default command;
