// Which database the tools use: --database-url, else DATABASE_URL, else the stack state file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, expect, it } from 'vitest';

// stack/paths.ts reads MOSHPIT_STATE_DIR when first imported: set it before importing.
const stateDir = mkdtempSync(`${tmpdir()}/moshpit-state-`);
process.env.MOSHPIT_STATE_DIR = stateDir;
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
const { resolveDatabaseUrl, describeDatabase } = await import('../../seed/database-url.js');
const { writeStackState, clearStackState } = await import('../../stack/state.js');

it('prefers the flag, then DATABASE_URL, then the running stack, else says what to do', async () => {
  const env = { DATABASE_URL: 'postgres://u@127.0.0.1:5/env' };
  expect(await resolveDatabaseUrl('postgres://u@127.0.0.1:5/flag', env)).toBe('postgres://u@127.0.0.1:5/flag');
  expect(await resolveDatabaseUrl(undefined, env)).toBe('postgres://u@127.0.0.1:5/env');
  await expect(resolveDatabaseUrl(undefined, {})).rejects.toThrow(/--database-url.*DATABASE_URL.*moshpit stack up/);
  writeStackState({ startedAt: new Date().toISOString(), postgres: { managed: true, url: 'postgres://moshpit@127.0.0.1:55432/moshpit' } });
  try {
    expect(await resolveDatabaseUrl(undefined, {})).toBe('postgres://moshpit@127.0.0.1:55432/moshpit');
  } finally {
    clearStackState();
  }
});

it('describes a database without credentials', () => {
  expect(describeDatabase('postgres://admin:s3cret@127.0.0.1:5433/festival')).toBe('127.0.0.1:5433/festival');
  expect(describeDatabase('postgres://admin@localhost/festival')).toBe('localhost:5432/festival');
});
