// moshpit back-to-back: clean runs back to back on one database, mixed scenarios, chaos included. Every
// run must pass on its own data, whatever the runs before it left behind: the proof that a run
// owns its data and its verdict. Each run is a separate `moshpit scenario` process (its own
// stack start and stop, its own results folder), exactly as a user would run them.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EXIT } from '../../core/exit-codes.js';
import { PROFILE_NAMES, SCENARIO_NAMES } from '../../core/profiles.js';
import { projectRoot } from '../../stack/paths.js';
import { UsageError } from '../../core/usage-error.js';
import { type Command } from '../command.js';
import { parseOptions } from '../options.js';

/** The rotation: every scenario once, chaos twice (it leaves the most behind: pending intents, offline syncs). */
const DEFAULT_ROTATION = ['entry', 'chaos', 'concession', 'funding', 'full', 'reentry', 'chaos', 'contention'] as const;
const MAX_RUNS = 200;

const usage = `usage: moshpit back-to-back [options]

Runs clean scenarios one after another on one database (each a separate 'moshpit scenario'
process with its own stack start and stop), and reports every exit code and the time taken.
Exit 0 only when every run exits 0. Against the embedded stack only.

options:
  --runs N            how many runs (default 20, at most ${MAX_RUNS})
  --scenarios a,b,..  the rotation (default ${DEFAULT_ROTATION.join(',')}); chaos = the chaos scenario
  --profile P         profile of every run (default smoke)`;

interface RunOutcome { index: number; scenario: string; code: number; seconds: number }

function parseRuns(text: string | undefined): number {
  if (text === undefined) return 20;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_RUNS) throw new UsageError(`--runs must be a whole number from 1 to ${MAX_RUNS}, got ${JSON.stringify(text)}`);
  return Number(text);
}

function parseRotation(text: string | undefined): string[] {
  if (text === undefined) return [...DEFAULT_ROTATION];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const known = new Set<string>([...SCENARIO_NAMES, 'chaos']);
  const unknown = names.filter((n) => !known.has(n));
  if (names.length === 0 || unknown.length > 0) throw new UsageError(`--scenarios: unknown ${unknown.join(', ') || '(empty)'}; known: ${[...known].join(', ')}`);
  return names;
}

/** One run as its own CLI process; its output goes straight to ours. */
function runOne(scenario: string, profile: string, onChild: (pid: number | undefined) => void): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'scenario', scenario, '--profile', profile], {
    cwd: projectRoot, stdio: 'inherit', env: process.env,
  });
  onChild(child.pid);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? EXIT.interrupted : EXIT.error)));
    child.on('error', () => resolve(EXIT.error));
  });
}

const command: Command = {
  summary: 'Clean runs back to back on one database (mixed scenarios, chaos included): every one must exit 0',
  usage,
  async run(argv) {
    const { values } = parseOptions({
      args: argv, strict: true, allowPositionals: false,
      options: { runs: { type: 'string' }, scenarios: { type: 'string' }, profile: { type: 'string' } },
    });
    const runs = parseRuns(values.runs);
    const rotation = parseRotation(values.scenarios);
    const profile = values.profile ?? 'smoke';
    if (!(PROFILE_NAMES as readonly string[]).includes(profile)) throw new UsageError(`--profile: unknown ${JSON.stringify(profile)}; known: ${PROFILE_NAMES.join(', ')}`);
    for (const v of ['TARGET_URL', 'SUPABASE_URL', 'DATABASE_URL']) {
      if (process.env[v]) throw new UsageError(`${v} is set: back-to-back runs against the embedded stack only (unset it)`);
    }

    // A signal stops the loop after the running scenario, which stops its load, validates what
    // ran, tears down and exits 130. Ctrl-C reaches that scenario from the terminal already (one
    // process group); a SIGTERM sent to us alone is passed on to it (we started it: its PID).
    let current: number | undefined;
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      stopping = true;
      process.stderr.write(`moshpit back-to-back: ${sig}: stopping after the current run\n`);
      if (sig === 'SIGTERM' && current) try { process.kill(current, 'SIGTERM'); } catch { /* already gone */ }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const outcomes: RunOutcome[] = [];
    const started = Date.now();
    try {
      for (let i = 0; i < runs && !stopping; i++) {
        const scenario = rotation[i % rotation.length]!;
        process.stdout.write(`\nmoshpit back-to-back: run ${i + 1}/${runs}: ${scenario} --profile ${profile}\n`);
        const t0 = Date.now();
        const code = await runOne(scenario, profile, (pid) => { current = pid; });
        current = undefined;
        outcomes.push({ index: i + 1, scenario, code, seconds: (Date.now() - t0) / 1000 });
        process.stdout.write(`moshpit back-to-back: run ${i + 1}/${runs}: ${scenario} exit ${code} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const total = (Date.now() - started) / 1000;
    const failed = outcomes.filter((o) => o.code !== EXIT.ok);
    process.stdout.write(`\nmoshpit back-to-back: ${outcomes.length - failed.length}/${runs} runs exited 0 in ${(total / 60).toFixed(1)} min\n`);
    for (const o of outcomes) process.stdout.write(`  ${String(o.index).padStart(3)}  ${o.scenario.padEnd(11)} exit ${String(o.code).padEnd(4)} ${o.seconds.toFixed(0).padStart(5)} s\n`);
    if (stopping) return EXIT.interrupted;
    return failed.length === 0 && outcomes.length === runs ? EXIT.ok : EXIT.error;
  },
};

export default command;
