// `moshpit stop`: the emergency stop, from another terminal. Sends the running scenario's
// orchestrator the SIGTERM a CI timeout would (recorded PID, checked to still be that
// process): it stops the load, validates what ran, tears its stack down and exits
// "interrupted" (130). Waits for that, bounded, and reports the run's exit.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../core/exit-codes.js';
import { readRecordedLoad } from '../../stack/load-processes.js';
import { stateDir } from '../../stack/paths.js';
import { isAlive, sleep, stopOwned } from '../../stack/processes.js';
import { readRunningScenarios, type RunningScenario } from '../../stack/run-state.js';
import { UsageError } from '../../core/usage-error.js';
import { type Command } from '../command.js';
import { parseOptions, positiveInt } from '../options.js';
import { RUN_FILES } from '../../core/results-layout.js';

const DEFAULT_TIMEOUT_S = 300;

/** The recorded PID still runs moshpit's scenario command (not a process that reused the PID). */
function runsScenario(r: RunningScenario): boolean {
  if (!isAlive(r)) return false;
  try {
    const argv = readFileSync(`/proc/${r.pid}/cmdline`, 'utf8').split('\0');
    const cli = argv.some((a) => a.endsWith('cli/main.ts') || a.endsWith('bin/moshpit.js'));
    return cli && argv.includes('scenario');
  } catch {
    return false;
  }
}

function exitOf(r: RunningScenario): number | null {
  const file = join(r.resultsDir, RUN_FILES.metadata);
  if (!existsSync(file)) return null;
  try {
    const code = (JSON.parse(readFileSync(file, 'utf8')) as { exit?: { code?: unknown } }).exit?.code;
    return typeof code === 'number' ? code : null;
  } catch {
    return null;
  }
}

const EXIT_WORDS: Record<number, string> = { 0: 'passed', 1: 'error', 2: 'bad input', 3: 'target NOT READY', 4: 'validation failed', 99: 'thresholds failed', 130: 'interrupted' };

const command: Command = {
  summary: 'emergency stop: end the scenario run in progress (load, then validation of what ran, then teardown)',
  usage: [
    'usage: moshpit stop [--run RUN_ID] [--timeout S] [--now]',
    '',
    'Sends SIGTERM to the running `moshpit scenario` of this checkout (its PID is recorded in',
    '.moshpit/runs.json), exactly as a CI timeout would: the load processes stop, what ran is',
    'validated against the database, the stack it started is torn down, and the run exits 130',
    '(interrupted, never a pass). Waits until it has ended and prints its exit code.',
    '',
    '  --run RUN_ID   which run, when more than one is in progress',
    `  --timeout S    seconds to wait for the run to end (default ${DEFAULT_TIMEOUT_S})`,
    '  --now          skip validation: a second SIGTERM tears down at once',
    '',
    'Exit: 0 a run was stopped; 1 no run in progress, or it did not end in time.',
    'Afterwards: `moshpit health-check`, then `moshpit rollback-test-data` (README, "Emergency stop").',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseOptions({
      args: argv,
      allowPositionals: true,
      options: { run: { type: 'string' }, timeout: { type: 'string' }, now: { type: 'boolean' } },
    });
    if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const timeoutMs = positiveInt('timeout', values.timeout, DEFAULT_TIMEOUT_S) * 1000;
    const running = readRunningScenarios().filter(runsScenario);
    const chosen = values.run ? running.filter((r) => r.runId === values.run) : running;
    if (chosen.length === 0) {
      process.stderr.write(`moshpit stop: no scenario run in progress${values.run ? ` with id ${values.run}` : ''} (none recorded in ${join(stateDir, 'runs.json')}); nothing was stopped\n`);
      return EXIT.error;
    }
    if (chosen.length > 1) throw new UsageError(`${chosen.length} runs in progress: pick one with --run (${chosen.map((r) => r.runId).join(', ')})`);
    const run = chosen[0]!;

    process.stdout.write(`stopping run ${run.runId} (${run.scenario} / ${run.profile}, pid ${run.pid}): the load stops, ${values.now ? 'no validation (--now), ' : 'what ran is validated, '}then its stack is torn down\n`);
    process.kill(run.pid, 'SIGTERM');
    if (values.now) {
      await sleep(200); // two separate signals, so the run counts a second one
      if (isAlive(run)) process.kill(run.pid, 'SIGTERM');
    }
    const deadline = Date.now() + timeoutMs;
    while (isAlive(run) && Date.now() < deadline) await sleep(200);
    if (isAlive(run)) {
      process.stderr.write(`moshpit stop: run ${run.runId} (pid ${run.pid}) is still running after ${timeoutMs / 1000} s (validation of a large run takes a while); 'moshpit stop --now' tears down at once, 'moshpit stack down' stops everything by PID\n`);
      return EXIT.error;
    }
    // Its own teardown stops its load processes; any left (it died hard) are stopped here.
    const leftover = readRecordedLoad().filter((p) => p.runId === run.runId && isAlive(p));
    for (const p of leftover) await stopOwned(p, 3000);
    if (leftover.length) process.stdout.write(`stopped ${leftover.length} load process(es) the run left behind: ${leftover.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}\n`);

    const code = exitOf(run);
    process.stdout.write(code === null
      ? `run ${run.runId} has ended; it recorded no exit code (see ${run.resultsDir})\n`
      : `run ${run.runId} ended with exit ${code} (${EXIT_WORDS[code] ?? 'unknown'}); results in ${run.resultsDir}\n`);
    process.stdout.write('next: moshpit health-check, then moshpit rollback-test-data if the test data must go\n');
    return EXIT.ok;
  },
};
export default command;
