// `moshpit toolchain [toxiproxy|k6|all]`: find or build Toxiproxy; report the user's own k6.
import { K6_INSTALL_HINT, TOXIPROXY, findUserK6, resolveTool } from '../../build/toolchain.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';

const CHOICES = ['toxiproxy', 'k6', 'all'];

const command: Command = {
  summary: 'find or build the pinned Toxiproxy (cached); report whether your own k6 is present',
  usage: [
    'usage: moshpit toolchain [toxiproxy|k6|all]   (default: all)',
    '',
    '  toxiproxy  find Toxiproxy ($TOXIPROXY_BINARY, PATH, cache), else build it from source with Go',
    '  k6         report the k6 you installed ($K6_BINARY, else k6 on PATH); exit 1 if there is none.',
    '             moshpit never builds or downloads k6 (it is AGPL-3.0); install it from Grafana:',
    '             https://grafana.com/docs/k6/latest/set-up/install-k6/',
    '  all        both; a missing k6 is reported but is not an error (it is optional)',
  ].join('\n'),
  async run(argv) {
    const which = argv[0] ?? 'all';
    if (!CHOICES.includes(which) || argv.length > 1) throw new UsageError(`unknown tool '${argv.join(' ')}'`);
    if (which !== 'k6') {
      const r = await resolveTool(TOXIPROXY);
      process.stdout.write(`${TOXIPROXY.name.padEnd(10)} v${r.version}  ${r.path}  (${r.source})\n`);
    }
    if (which !== 'toxiproxy') {
      const k6 = findUserK6();
      if (k6) {
        process.stdout.write(`${'k6'.padEnd(10)} v${k6.version}  ${k6.path}  (${process.env.K6_BINARY ? 'env' : 'path'}, your own)\n`);
      } else {
        process.stdout.write(`${'k6'.padEnd(10)} not found (optional; checked $K6_BINARY and PATH)\n`);
        process.stderr.write(`${K6_INSTALL_HINT}\n`);
        if (which === 'k6') return 1;
      }
    }
    return 0;
  },
};
export default command;
