// Bad input to seed / rollback: a clear error and not a single write.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/usage-error.js';
import rollbackCommand from '../../cli/commands/rollback-test-data.js';
import seedCommand from '../../cli/commands/seed.js';
import { SeedInputError, parseWholeNumberFlag, validatePrefix } from '../../seed/input.js';
import { rollbackTestData } from '../../seed/rollback.js';
import { seed } from '../../seed/seed.js';
import { prefixLikePattern } from '../../seed/test-prefix.js';
import { useTestDatabase } from '../support/db.js';
import { databaseSnapshot } from './helpers/table-snapshot.js';

const db = await useTestDatabase();
const fixturesDir = mkdtempSync(join(tmpdir(), 'moshpit-seed-input-'));
afterAll(() => rmSync(fixturesDir, { recursive: true, force: true }));

// Non-test rows that a too-wide prefix would catch.
await db.pool.query(`INSERT INTO wallets (id, balance_cents, opening_balance_cents) VALUES ('k6xtestxw-000001', 100, 100), ('kiosk-1', 5, 5)`);

const BAD_PREFIXES = ['', 'k', 'k6', 'k-', 'k6-test', 'k6 test-', 'k6%-', "k6'-", 'k6-test-%', 'ü6-test-', 'k6\\test-', 'k6.test.'];

describe('input validation', () => {
  it('accepts only unmistakable prefixes', () => {
    for (const p of ['k6-test-', 'k6_test_', 'load-2024-', 'abc_', 'k6-']) expect(validatePrefix(p)).toBe(p);
    for (const p of BAD_PREFIXES) expect(() => validatePrefix(p), JSON.stringify(p)).toThrow(SeedInputError);
    expect(() => validatePrefix('k6')).toThrow(/at least 3 characters .* ending in '-' or '_'/);
    // '_' is a LIKE wildcard: escaped so 'k6_test_' never matches 'k6xtestx...'.
    expect(prefixLikePattern('k6_test_')).toBe('k6\\_test\\_%');
  });

  it('parses counts strictly', () => {
    expect(parseWholeNumberFlag('5000', '--wallets')).toBe(5000);
    expect(parseWholeNumberFlag(undefined, '--wallets')).toBeUndefined();
    for (const bad of ['-1', '1.5', '5e3', '0x10', '', ' 5', 'five', '99999999999999999999']) {
      expect(() => parseWholeNumberFlag(bad, '--wallets'), bad).toThrow(SeedInputError);
    }
  });

  it('bad prefix, count or setting: clear error, database and fixtures untouched', async () => {
    const before = await databaseSnapshot(db.pool);
    const attempts: Array<() => Promise<unknown>> = [
      ...BAD_PREFIXES.map((prefix) => () => seed({ databaseUrl: db.url, fixturesDir, prefix })),
      ...[-1, 1.5, Number.NaN, Infinity, 10_000_001, '5000' as unknown as number].map((wallets) => () => seed({ databaseUrl: db.url, fixturesDir, wallets })),
      () => seed({ databaseUrl: db.url, fixturesDir, settings: { platformFeeBps: 10_001 } }),
      () => seed({ databaseUrl: db.url, fixturesDir, settings: { reentryFeeCents: 4.5 } }),
      () => seed({ databaseUrl: db.url, fixturesDir, settings: { venueCapacity: 0 } }),
      () => seed({ databaseUrl: db.url, fixturesDir, fakerSeed: -3 }),
      ...BAD_PREFIXES.map((prefix) => () => rollbackTestData({ databaseUrl: db.url, prefix })),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toThrow(SeedInputError);
    expect(await databaseSnapshot(db.pool)).toEqual(before);
    expect(readdirSync(fixturesDir)).toEqual([]);
  });

  it('the CLI turns bad flags into usage errors (exit 2) before connecting', async () => {
    const url = db.url;
    const cases: string[][] = [
      ['--wallets', '-5'], ['--wallets', '1.5'], ['--wallets', 'lots'], ['--prefix', 'k'], ['--prefix', ''],
      ['--fee-bps', '20000'], ['--capacity', '0'], ['--reentry-fee-cents', '2.5'], ['--unknown'], ['positional'],
    ];
    const before = await databaseSnapshot(db.pool);
    for (const args of cases) {
      await expect(seedCommand.run([...args, '--database-url', url, '--fixtures-dir', fixturesDir]), args.join(' ')).rejects.toThrow(UsageError);
    }
    await expect(rollbackCommand.run(['--prefix', 'x-', '--yes', '--database-url', url])).rejects.toThrow(UsageError);
    await expect(rollbackCommand.run(['--prefix', '%%%-', '--yes', '--database-url', url])).rejects.toThrow(/invalid test-data prefix/);
    expect(await databaseSnapshot(db.pool)).toEqual(before);
    expect(readdirSync(fixturesDir)).toEqual([]);
  });
});
