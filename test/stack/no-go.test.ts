// Without Go, building Toxiproxy explains what to do and fails; k6 is never built, only looked for.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../../stack/exec.js';

function moshpit(args: string[], cache: string) {
  return exec(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    check: false,
    env: { PATH: '/nonexistent', HOME: cache, MOSHPIT_CACHE_DIR: cache },
  });
}

describe('toolchain without Go or k6', () => {
  it('toxiproxy: prints install instructions and exits non-zero', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mp-nogo-'));
    const r = await moshpit(['toolchain', 'toxiproxy'], cache);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Go is not installed/);
    expect(r.stderr).toMatch(/TOXIPROXY_BINARY/);
  });

  it('k6: reports it missing with Grafana\'s install channels, builds and caches nothing', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mp-nok6-'));
    const r = await moshpit(['toolchain', 'k6'], cache);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/k6\s+not found/);
    expect(r.stderr).toMatch(/K6_BINARY/);
    expect(r.stderr).toContain('https://grafana.com/docs/k6/latest/set-up/install-k6/');
    expect(r.stderr).toMatch(/AGPL-3\.0/);
    expect(r.stderr).not.toMatch(/Go is not installed|building/);
    expect(readdirSync(cache)).toEqual([]);
  });
});
