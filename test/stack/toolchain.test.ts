import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { K6_INSTALL_HINT, TOXIPROXY, findUserK6, parseVersion, resolveTool, versionAtLeast } from '../../build/toolchain.js';

function fakeBinary(dir: string, name: string, output: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "${output}"\n`);
  chmodSync(path, 0o755);
  return path;
}

async function withEnv<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  process.env[name] = value;
  try { return await fn(); } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

describe('toolchain', () => {
  it('parses and compares versions', () => {
    expect(parseVersion('k6 v1.2.3 (go1.26.8, linux/amd64)')).toBe('1.2.3');
    expect(parseVersion('toxiproxy-server version 2.12.0')).toBe('2.12.0');
    expect(parseVersion('toxiproxy-server version git')).toBeNull();
    expect(versionAtLeast('2.2.0', '2.2.0')).toBe(true);
    expect(versionAtLeast('2.10.0', '2.2.0')).toBe(true);
    expect(versionAtLeast('1.9.9', '2.2.0')).toBe(false);
  });

  it('TOXIPROXY_BINARY wins, and a bad one is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-tool-'));
    const fake = fakeBinary(dir, 'toxiproxy-server', 'toxiproxy-server version 9.9.9');
    await withEnv('TOXIPROXY_BINARY', fake, async () => {
      await expect(resolveTool(TOXIPROXY)).resolves.toMatchObject({ path: fake, version: '9.9.9', source: 'env' });
    });
    await withEnv('TOXIPROXY_BINARY', join(dir, 'missing'), async () => {
      await expect(resolveTool(TOXIPROXY)).rejects.toThrow(/TOXIPROXY_BINARY=.*not an executable/);
    });
  });

  it('the real pinned Toxiproxy resolves (built from source with Go if needed) and runs', async () => {
    const t = await resolveTool(TOXIPROXY);
    expect(t.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versionAtLeast(t.version, TOXIPROXY.version)).toBe(true);
  }, 900_000);
});

// The user's own k6 only: these fakes test the lookup, not the engine.
describe('findUserK6', () => {
  it('K6_BINARY wins and its version is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-k6-'));
    const fake = fakeBinary(dir, 'my-k6', 'k6 v1.2.3 (commit/devel, go1.24.0, linux/amd64)');
    const other = mkdtempSync(join(tmpdir(), 'mp-k6-path-'));
    fakeBinary(other, 'k6', 'k6 v7.7.7 (path)');
    expect(findUserK6({ K6_BINARY: fake, PATH: other })).toEqual({ path: fake, version: '1.2.3' });
  });

  it('finds k6 on PATH when K6_BINARY is unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-k6-path-'));
    const fake = fakeBinary(dir, 'k6', 'k6 v0.55.0 (go1.23.4, linux/amd64)');
    expect(findUserK6({ PATH: `/nonexistent:${dir}` })).toEqual({ path: fake, version: '0.55.0' });
  });

  it('with no K6_BINARY and an empty PATH it returns null at once', () => {
    const started = performance.now();
    expect(findUserK6({ PATH: '' })).toBeNull();
    expect(findUserK6({})).toBeNull();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('K6_BINARY pointing at a missing or non-executable file is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-k6-'));
    expect(() => findUserK6({ K6_BINARY: join(dir, 'missing') })).toThrow(/K6_BINARY=.*missing is not an executable file/);
    const plain = join(dir, 'k6');
    writeFileSync(plain, 'not a program');
    expect(() => findUserK6({ K6_BINARY: plain })).toThrow(/not an executable file/);
  });

  it('something called k6 that prints no version is an error, not a silent match', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-k6-'));
    const fake = fakeBinary(dir, 'k6', 'hello');
    expect(() => findUserK6({ K6_BINARY: fake })).toThrow(/did not report a k6 version/);
  });

  it('the install hint names Grafana\'s channels and the licence reason', () => {
    expect(K6_INSTALL_HINT).toContain('https://grafana.com/docs/k6/latest/set-up/install-k6/');
    for (const channel of ['apt', 'dnf', 'brew', 'winget', 'choco', 'grafana/k6', 'releases', 'K6_BINARY']) {
      expect(K6_INSTALL_HINT).toContain(channel);
    }
    expect(K6_INSTALL_HINT).toMatch(/AGPL-3\.0/);
  });
});
