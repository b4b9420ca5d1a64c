// `moshpit stack up|status|down` through the real CLI, on a cluster of its own (so it never
// stops the cluster other test files use), including `down` after the state file was lost.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exec } from '../../stack/exec.js';
import { isAlive } from '../../stack/processes.js';

const stateDir = mkdtempSync(join(tmpdir(), 'mp-stack-'));
const env: NodeJS.ProcessEnv = { ...process.env, MOSHPIT_STATE_DIR: stateDir, MOSHPIT_CLUSTER_ID: `lifecycle-${process.pid}` };
delete env.DATABASE_URL;
const cli = (...args: string[]) => exec(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { check: false, env });

interface Status { name: string; up: boolean; url?: string; pid?: number }
async function status(): Promise<Status[]> {
  const r = await cli('stack', 'status', '--json');
  return JSON.parse(r.stdout) as Status[];
}

afterAll(async () => {
  await cli('stack', 'down');
  rmSync(stateDir, { recursive: true, force: true });
});

describe('stack lifecycle', () => {
  it('up starts postgres and the target on loopback; status shows them; down stops exactly them', async () => {
    const up = await cli('stack', 'up');
    expect(up.code, up.stderr).toBe(0);
    const s = await status();
    const pg = s.find((c) => c.name === 'postgres')!;
    const target = s.find((c) => c.name === 'target')!;
    expect(pg.up && target.up).toBe(true);
    // The password is in the state file (0600), never in what status prints.
    expect(pg.url).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/moshpit$/);
    const saved = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { postgres: { url: string } };
    expect(new URL(saved.postgres.url).password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(statSync(join(stateDir, 'stack.json')).mode & 0o777).toBe(0o600);
    expect(target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${target.url}/v1/health`);
    expect(health.status).toBe(200);

    // A second up reuses what runs (same PIDs).
    await cli('stack', 'up');
    const again = await status();
    expect(again.find((c) => c.name === 'target')!.pid).toBe(target.pid);

    const down = await cli('stack', 'down');
    expect(down.stdout).toMatch(/stopped target .*postgres/);
    expect(isAlive({ pid: target.pid!, startTicks: null })).toBe(false);
    expect(isAlive({ pid: pg.pid!, startTicks: null })).toBe(false);
    await expect(fetch(`${target.url}/v1/health`)).rejects.toThrow();
    expect((await cli('stack', 'status')).code).toBe(1);
  });

  it('down still stops the cluster when the state file was lost in a crash', async () => {
    expect((await cli('stack', 'up')).code).toBe(0);
    const s = await status();
    const pg = s.find((c) => c.name === 'postgres')!;
    const target = s.find((c) => c.name === 'target')!;
    // the crash: the orchestrator died and its state file is gone; the target dies with it
    process.kill(target.pid!, 'SIGKILL');
    rmSync(join(stateDir, 'stack.json'));
    const down = await cli('stack', 'down');
    expect(down.stdout).toMatch(/stopped postgres/);
    expect(isAlive({ pid: pg.pid!, startTicks: null })).toBe(false);
  });

  it('bad input changes nothing', async () => {
    const r = await cli('stack', 'up', '--defects', 'no_such_defect');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown defect mode\(s\): no_such_defect/);
    expect((await status()).some((c) => c.up)).toBe(false);
    expect((await cli('stack', 'sideways')).code).toBe(2);
  });
});
