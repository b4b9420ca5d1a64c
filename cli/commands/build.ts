// `moshpit build [scenario...] [--watch]`: bundle k6 scenarios into build/dist/<name>.js.
import { relative } from 'node:path';
import { buildScenario, scenarioNames, watchAll } from '../../build/bundle.js';
import { projectRoot } from '../../stack/paths.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';

const command: Command = {
  summary: 'bundle the k6 scenarios (scenarios/*.ts) into build/dist/<name>.js',
  usage: [
    'usage: moshpit build [scenario...] [--watch]',
    '',
    '  scenario   one or more of the scenarios/ files (default: all)',
    '  --watch    rebuild on every source change until interrupted',
  ].join('\n'),
  async run(argv) {
    const watch = argv.includes('--watch');
    const unknownFlags = argv.filter((a) => a.startsWith('-') && a !== '--watch');
    if (unknownFlags.length > 0) throw new UsageError(`unknown option ${unknownFlags.join(' ')}`);
    const known = scenarioNames();
    const wanted = argv.filter((a) => !a.startsWith('-'));
    const unknown = wanted.filter((w) => !known.includes(w));
    if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}`);

    if (watch) {
      if (wanted.length > 0) throw new UsageError('--watch rebuilds every scenario; name none');
      const stop = await watchAll((scenario, errors) => {
        if (errors) process.stderr.write(`✗ ${scenario}\n${errors}\n`);
        else process.stdout.write(`✓ ${scenario} rebuilt\n`);
      });
      process.stdout.write('watching scenarios/, lib/, core/ (Ctrl-C to stop)\n');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await stop();
      return 0;
    }

    for (const scenario of wanted.length > 0 ? wanted : known) {
      const r = await buildScenario(scenario);
      process.stdout.write(`✓ ${scenario.padEnd(12)} ${relative(projectRoot, r.outfile)}  ${(r.bytes / 1024).toFixed(1)} KiB  ${r.inputs.length} files  ${r.milliseconds} ms\n`);
    }
    return 0;
  },
};
export default command;
