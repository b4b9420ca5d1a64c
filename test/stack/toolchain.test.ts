import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { K6, parseVersion, resolveTool, versionAtLeast } from '../../build/toolchain.js';

describe('toolchain', () => {
  it('parses and compares versions', () => {
    expect(parseVersion('k6 v2.2.0 (go1.26.8, linux/amd64)')).toBe('2.2.0');
    expect(parseVersion('toxiproxy-server version 2.12.0')).toBe('2.12.0');
    expect(parseVersion('toxiproxy-server version git')).toBeNull();
    expect(versionAtLeast('2.2.0', '2.2.0')).toBe(true);
    expect(versionAtLeast('2.10.0', '2.2.0')).toBe(true);
    expect(versionAtLeast('1.9.9', '2.2.0')).toBe(false);
  });

  it('K6_BINARY wins, and a bad one is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-tool-'));
    const fake = join(dir, 'k6');
    writeFileSync(fake, '#!/bin/sh\necho "k6 v9.9.9 (test)"\n');
    chmodSync(fake, 0o755);
    const saved = process.env.K6_BINARY;
    try {
      process.env.K6_BINARY = fake;
      await expect(resolveTool(K6)).resolves.toMatchObject({ path: fake, version: '9.9.9', source: 'env' });
      process.env.K6_BINARY = join(dir, 'missing');
      await expect(resolveTool(K6)).rejects.toThrow(/K6_BINARY=.*not an executable/);
    } finally {
      if (saved === undefined) delete process.env.K6_BINARY;
      else process.env.K6_BINARY = saved;
    }
  });

  it('the real pinned k6 resolves (built from source if needed) and runs', async () => {
    const k6 = await resolveTool(K6);
    expect(k6.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versionAtLeast(k6.version, K6.version)).toBe(true);
  }, 900_000);
});
