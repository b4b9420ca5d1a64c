// `moshpit stack up|down|status`: the embedded PostgreSQL + reference target, on loopback.
import { stackDown, stackStatus, stackUp } from '../../stack/stack.js';
import { requestLogSetting } from '../../stack/target-process.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { parseDefects, parseOptions } from '../options.js';

const command: Command = {
  summary: 'start, stop or show the embedded stack (PostgreSQL + reference target)',
  usage: [
    'usage: moshpit stack up [--defects a,b] [--slow-ms N] [--chaos] [--request-log]',
    '       moshpit stack down',
    '       moshpit stack status [--json]',
    '',
    'up      starts a private PostgreSQL cluster on 127.0.0.1 (or uses DATABASE_URL), applies the',
    '        reference target migrations and starts the target server; reuses what is running',
    '        --chaos puts Toxiproxy between the target and PostgreSQL (for scenario chaos)',
    '        --request-log has the target write its JSON-lines request log (for analyze-logs;',
    '        off by default: it costs CPU under load; MOSHPIT_REQUEST_LOG=on does the same)',
    'down    stops exactly what up started, by PID (also after a crash or Ctrl-C)',
    'status  each component with its URL and PID',
  ].join('\n'),
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'up') {
      const { values } = parseOptions({ args: rest, options: { defects: { type: 'string' }, 'slow-ms': { type: 'string' }, chaos: { type: 'boolean' }, 'request-log': { type: 'boolean' } } });
      const defects = await parseDefects(values.defects);
      const slowMs = values['slow-ms'] === undefined ? 0 : Number(values['slow-ms']);
      if (!Number.isInteger(slowMs) || slowMs < 0) throw new UsageError(`--slow-ms must be a non-negative integer, got '${values['slow-ms']}'`);
      let requestLog: boolean;
      try {
        requestLog = !!values['request-log'] || requestLogSetting();
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      await stackUp({ defects, slowMs, toxiproxy: !!values.chaos, requestLog });
      return printStatus(false);
    }
    if (sub === 'down') {
      if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
      const stopped = await stackDown();
      process.stdout.write(stopped.length ? `stopped ${stopped.join(', ')}\n` : 'nothing was running\n');
      return 0;
    }
    if (sub === 'status') {
      const { values } = parseOptions({ args: rest, options: { json: { type: 'boolean' } } });
      return printStatus(!!values.json);
    }
    throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand');
  },
};

async function printStatus(json: boolean): Promise<number> {
  const status = await stackStatus();
  if (json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  } else {
    for (const c of status) {
      const mark = c.up ? '✓' : '✗';
      process.stdout.write(`${mark} ${c.name.padEnd(9)} ${c.up ? 'up  ' : 'down'} ${c.url ?? ''}${c.pid ? `  pid ${c.pid}` : ''}\n`);
      if (c.detail) process.stdout.write(`    ${c.detail}\n`);
    }
  }
  return status.every((c) => c.up) ? 0 : 1;
}

export default command;
