// Ctrl-C in the middle of a run: the terminal sends SIGINT to the whole foreground process
// group (moshpit and its load processes). The load ends, moshpit skips what is left and stops
// the stack it started; nothing it started may survive.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../stack/paths.js';
import { isAlive } from '../../stack/processes.js';
import type { StackState } from '../../stack/state.js';
import { useTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { streamWindowWritten } from '../support/run-progress.js';

const db = await useTestDatabase();

describe('Ctrl-C during a scenario', () => {
  it('stops the load, the target and everything else the run started', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mp-int-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      MOSHPIT_STATE_DIR: join(work, 'state'),
      MOSHPIT_FIXTURES_DIR: join(work, 'fixtures'),
      MOSHPIT_RESULTS_DIR: join(work, 'results'),
      MOSHPIT_DB_MONITOR: 'off',
    };
    delete env.TARGET_URL;
    delete env.SUPABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'scenario', 'concession', '--quiet', '--no-report'], {
      cwd: projectRoot,
      env,
      detached: true, // its own process group, like a shell job
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.resume();
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));

    // Wait until the load runs (the orchestrator announces the run), then press Ctrl-C.
    const giveUpIf = () => child.exitCode !== null && `the run exited (${child.exitCode}):\n${stderr}`;
    await eventually(() => /moshpit: run \S+: concession/.test(stderr), { what: 'the run to start', giveUpIf });
    const state = JSON.parse(readFileSync(join(work, 'state', 'stack.json'), 'utf8')) as StackState;
    const target = state.target!.process;
    expect(isAlive(target)).toBe(true);
    await eventually(() => streamWindowWritten(join(work, 'results')), { what: 'some load to have run', giveUpIf });
    process.kill(-child.pid!, 'SIGINT');

    const code = await exited;
    expect(code, stderr).not.toBe(0);
    expect(isAlive(target)).toBe(false);
    expect(existsSync(join(work, 'state', 'stack.json'))).toBe(false);
    expect(stderr).toMatch(/SIGINT/);
    expect(stderr).toMatch(/stopped target/);
  }, 240_000);
});
