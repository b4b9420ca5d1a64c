// `moshpit toolchain [k6|toxiproxy|all]`: resolve (and if needed build) the pinned tools.
import { K6, TOXIPROXY, resolveTool, type GoTool } from '../../build/toolchain.js';
import { UsageError, type Command } from '../command.js';

const TOOLS: Record<string, GoTool> = { k6: K6, toxiproxy: TOXIPROXY };

const command: Command = {
  summary: 'find or build the pinned k6 and Toxiproxy binaries (cached)',
  usage: 'usage: moshpit toolchain [k6|toxiproxy|all]   (default: k6)',
  async run(argv) {
    const which = argv[0] ?? 'k6';
    const selected = which === 'all' ? Object.values(TOOLS) : TOOLS[which] ? [TOOLS[which]!] : null;
    if (!selected || argv.length > 1) throw new UsageError(`unknown tool '${argv.join(' ')}'`);
    for (const tool of selected) {
      const r = await resolveTool(tool);
      process.stdout.write(`${tool.name.padEnd(10)} v${r.version}  ${r.path}  (${r.source})\n`);
    }
    return 0;
  },
};
export default command;
