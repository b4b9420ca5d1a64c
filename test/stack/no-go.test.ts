// Without k6 anywhere and without Go, the toolchain explains what to do and fails.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../../stack/exec.js';

describe('toolchain without Go', () => {
  it('prints install instructions and exits non-zero', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mp-nogo-'));
    const r = await exec(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'toolchain', 'k6'], {
      check: false,
      env: { PATH: '/nonexistent', HOME: cache, MOSHPIT_CACHE_DIR: cache },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Go is not installed/);
    expect(r.stderr).toMatch(/K6_BINARY/);
  });
});
