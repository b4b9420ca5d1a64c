// `moshpit scenario <name>`: pre-flight → k6 → validation against the embedded stack or your deployment.
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.js';
import { parseDefects, positiveInt } from '../options.js';
import { parseKind } from '../pipeline/target-config.js';
import { runScenario } from '../pipeline/run-scenario.js';

export const SCENARIOS = ['entry', 'concession', 'funding', 'reentry', 'full'] as const;

const command: Command = {
  summary: 'run a scenario: pre-flight, k6 load, money validation, verdict',
  usage: [
    `usage: moshpit scenario <${SCENARIOS.join('|')}> [options]`,
    '',
    '  --profile P        smoke | pilot | festival-day | peak | soak | breakpoint (default: $PROFILE,',
    '                     else pilot for full and smoke for the others)',
    '  --kind K           rest | supabase: which API surface to drive (default rest)',
    '  --defects a,b      start the embedded target with defect modes (see README)',
    '  --slow-ms N        embedded target adds N ms to every request',
    '  --wallets N        wallets to seed in the embedded database (default 5000)',
    '  --prefix P         test-data prefix (default k6-test-)',
    '  --skip-preflight   do not run pre-flight first',
    '  --no-validate      skip the money validation after k6',
    '  --out URI          passed to k6 --out (e.g. influxdb=http://127.0.0.1:8086/k6)',
    '',
    'Target: the embedded stack unless TARGET_URL (REST) or SUPABASE_URL is set; see README.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        profile: { type: 'string' },
        kind: { type: 'string' },
        defects: { type: 'string' },
        'slow-ms': { type: 'string' },
        wallets: { type: 'string' },
        prefix: { type: 'string' },
        'skip-preflight': { type: 'boolean' },
        'no-validate': { type: 'boolean' },
        out: { type: 'string', multiple: true },
        quiet: { type: 'boolean' },
      },
    });
    const [scenario, ...extra] = positionals;
    if (!scenario || !(SCENARIOS as readonly string[]).includes(scenario)) {
      throw new UsageError(scenario ? `unknown scenario '${scenario}'` : 'missing scenario name');
    }
    if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const { PROFILE_NAMES } = await import('../../core/profiles.js');
    const profile = values.profile ?? process.env.PROFILE ?? (scenario === 'full' ? 'pilot' : 'smoke');
    if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
      throw new UsageError(`unknown profile '${profile}'. Profiles: ${PROFILE_NAMES.join(', ')}`);
    }
    const slowMs = values['slow-ms'] === undefined ? 0 : positiveInt('slow-ms', values['slow-ms'], 0);
    const result = await runScenario({
      scenario,
      profile,
      kind: parseKind(values.kind, 'rest'),
      defects: await parseDefects(values.defects),
      slowMs,
      wallets: values.wallets === undefined ? undefined : positiveInt('wallets', values.wallets, 5000),
      prefix: values.prefix,
      preflight: !values['skip-preflight'],
      validate: !values['no-validate'],
      k6Args: (values.out ?? []).flatMap((o) => ['--out', o]),
      quiet: values.quiet,
    });
    return result.exitCode;
  },
};
export default command;
