// moshpit back-to-back refuses bad input before any run starts: exit 2, one line naming the
// problem, and no results folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../../stack/paths.js';

const results = mkdtempSync(join(tmpdir(), 'mp-b2b-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

it.each([
  { args: ['--runs', '0'], env: {}, message: /--runs must be a whole number from 1 to 200, got "0"/ },
  { args: ['--runs', '1e3'], env: {}, message: /--runs must be a whole number from 1 to 200, got "1e3"/ },
  { args: ['--scenarios', 'entry,nope'], env: {}, message: /--scenarios: unknown nope/ },
  { args: ['--profile', 'huge'], env: {}, message: /--profile: unknown "huge"/ },
  { args: [], env: { TARGET_URL: 'http://127.0.0.1:9' }, message: /TARGET_URL is set: back-to-back runs against the embedded stack only/ },
])('refuses $args $env', ({ args, env, message }) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'back-to-back', ...args], {
    cwd: projectRoot, encoding: 'utf8', env: { ...process.env, MOSHPIT_RESULTS_DIR: results, ...env },
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).not.toMatch(/run 1\//);
  expect(existsSync(results) ? readdirSync(results) : []).toEqual([]);
});
