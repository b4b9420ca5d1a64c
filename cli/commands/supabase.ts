// `moshpit supabase sync [--check]`: writes supabase/ (Supabase CLI layout) from its sources,
// platform/migrations and platform/edge-functions (build/supabase-layout.ts).
import { supabaseDrift, syncSupabaseLayout } from '../../build/supabase-layout.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';

const command: Command = {
  summary: 'generate supabase/ (migrations, edge-function bundle) from platform/; --check only reports drift',
  usage: [
    'usage: moshpit supabase sync [--check]',
    '',
    '  sync      link supabase/migrations/* to platform/migrations, write the grants migration and',
    '            build supabase/functions/_shared/moshpit-edge.js (run it before supabase functions deploy)',
    '  --check   write nothing; exit 1 and list the committed files that differ from their sources',
  ].join('\n'),
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'sync') throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')}; usage: moshpit supabase sync [--check]`);
    const unknown = rest.filter((a) => a !== '--check');
    if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(' ')}`);
    if (rest.includes('--check')) {
      const drift = supabaseDrift();
      if (drift.length === 0) {
        process.stdout.write('supabase/ is in sync with platform/\n');
        return 0;
      }
      process.stdout.write(`supabase/ differs from its sources (run npm run supabase:sync):\n${drift.map((f) => `  ${f}\n`).join('')}`);
      return 1;
    }
    const changed = await syncSupabaseLayout();
    process.stdout.write(changed.length === 0 ? 'supabase/ already in sync\n' : `wrote:\n${changed.map((f) => `  ${f}\n`).join('')}`);
    return 0;
  },
};
export default command;
