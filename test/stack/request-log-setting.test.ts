// The target's request log is off unless asked for (MOSHPIT_REQUEST_LOG / --request-log): a
// stack target started without it writes no log; with it, one line per request; and
// analyze-logs says how to get a log when there is none.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Before stack/paths.js is loaded: this file's target logs go to a private state directory.
const stateDir = mkdtempSync(join(tmpdir(), 'moshpit-request-log-'));
process.env.MOSHPIT_STATE_DIR = stateDir;
const { requestLogSetting, startTargetProcess } = await import('../../stack/target-process.js');
const { stopOwned } = await import('../../stack/processes.js');
const { exec } = await import('../../stack/exec.js');
const { projectRoot } = await import('../../stack/paths.js');
const { useTestDatabase } = await import('../support/db.js');

const db = await useTestDatabase();
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('MOSHPIT_REQUEST_LOG', () => {
  it('is off when unset or empty, on for on/1/true, and anything else is an error', () => {
    for (const off of [undefined, '', 'off', '0', 'false', ' OFF ']) expect(requestLogSetting({ MOSHPIT_REQUEST_LOG: off })).toBe(false);
    for (const on of ['on', '1', 'true', 'On']) expect(requestLogSetting({ MOSHPIT_REQUEST_LOG: on })).toBe(true);
    expect(() => requestLogSetting({ MOSHPIT_REQUEST_LOG: 'yes please' })).toThrow(/MOSHPIT_REQUEST_LOG must be on or off, got "yes please"/);
  });

  it('a target started without it writes no request log; with it, one line per request', async () => {
    for (const requestLog of [false, true]) {
      const t = await startTargetProcess({ databaseUrl: db.url, requestLog, parentPid: process.pid });
      try {
        expect(t.logFile === null).toBe(!requestLog);
        const res = await fetch(`${t.url}/v1/health`);
        expect(res.status).toBe(200);
        await res.text();
      } finally {
        await stopOwned(t.process);
      }
      const logFile = join(stateDir, 'logs', 'target-requests.jsonl');
      if (!requestLog) expect(existsSync(logFile)).toBe(false);
      else expect(readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l).route)).toEqual(['/v1/health']);
    }
  });

  it('analyze-logs without a log says how to record one (exit 2)', async () => {
    rmSync(join(stateDir, 'logs', 'target-requests.jsonl'), { force: true }); // the test above left one
    const r = await exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'analyze-logs'], {
      cwd: projectRoot, check: false, env: { ...process.env, MOSHPIT_STATE_DIR: stateDir, MOSHPIT_RESULTS_DIR: join(stateDir, 'results') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no request log at .*the embedded target writes one only when asked.*moshpit stack up --request-log.*MOSHPIT_REQUEST_LOG=on/s);
  });

  it('a bad MOSHPIT_REQUEST_LOG is refused before anything starts (exit 2)', async () => {
    const env = { ...process.env, MOSHPIT_STATE_DIR: stateDir, MOSHPIT_RESULTS_DIR: join(stateDir, 'results'), MOSHPIT_REQUEST_LOG: 'maybe' };
    for (const args of [['stack', 'up'], ['scenario', 'entry', '--profile', 'smoke']]) {
      const r = await exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), ...args], { cwd: projectRoot, check: false, env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/MOSHPIT_REQUEST_LOG must be on or off, got "maybe"/);
    }
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
    expect(existsSync(join(stateDir, 'results'))).toBe(false);
  });
});
