// seed() is all or nothing and holds the prefix lock while it writes: a failure in the middle of
// the wallet COPY (raised by PostgreSQL itself) or at COMMIT leaves the database exactly as it
// was, with the lock released, and a rollback started meanwhile waits for the seed to commit.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { deleteTestData } from '../../seed/rollback.js';
import { seed } from '../../seed/seed.js';
import { useTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { count, databaseSnapshot } from './helpers/table-snapshot.js';

const db = await useTestDatabase();
const root = mkdtempSync(join(tmpdir(), 'moshpit-seed-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(async () => {
  await db.pool.query('DROP TRIGGER IF EXISTS seed_atomic_fail ON wallets');
  await db.pool.query('DROP FUNCTION IF EXISTS seed_atomic_fail()');
});

const WALLETS = 20_000;

/** A real failure inside PostgreSQL for one wallet id: raised per row, or at COMMIT when deferred. */
async function failOn(walletId: string, deferred: boolean): Promise<void> {
  await db.pool.query(`CREATE FUNCTION seed_atomic_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'injected failure for %', NEW.id; END $$`);
  const when = `WHEN (NEW.id = '${walletId}')`; // test-made ids: [a-z0-9-] only
  await db.pool.query(deferred
    ? `CREATE CONSTRAINT TRIGGER seed_atomic_fail AFTER INSERT ON wallets DEFERRABLE INITIALLY DEFERRED FOR EACH ROW ${when} EXECUTE FUNCTION seed_atomic_fail()`
    : `CREATE TRIGGER seed_atomic_fail BEFORE INSERT ON wallets FOR EACH ROW ${when} EXECUTE FUNCTION seed_atomic_fail()`);
}

// pg_locks is cluster-wide: other test files seed their own databases at the same time.
const THIS_DATABASE = `database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
const advisoryLocks = () => count(db.pool, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND ${THIS_DATABASE}`);

describe('seed is all or nothing', () => {
  it('a COPY failing after many chunks were sent leaves nothing behind', async () => {
    await failOn('atomic-copy-w-015000', false);
    const before = await databaseSnapshot(db.pool);
    const dir = join(root, 'fail-copy');
    await expect(seed({ databaseUrl: db.url, prefix: 'atomic-copy-', wallets: WALLETS, fixturesDir: dir }))
      .rejects.toThrow(/injected failure for atomic-copy-w-015000/);
    expect(await databaseSnapshot(db.pool)).toEqual(before);
    expect(existsSync(join(dir, 'wallets.json'))).toBe(false);
    expect(await advisoryLocks()).toBe(0);
  });

  it('a failing COMMIT leaves nothing behind', async () => {
    await failOn('atomic-late-probe', true);
    const before = await databaseSnapshot(db.pool);
    const dir = join(root, 'fail-commit');
    await expect(seed({ databaseUrl: db.url, prefix: 'atomic-late-', wallets: WALLETS, fixturesDir: dir }))
      .rejects.toThrow(/injected failure for atomic-late-probe/);
    expect(await databaseSnapshot(db.pool)).toEqual(before);
    expect(existsSync(join(dir, 'wallets.json'))).toBe(false);
    expect(await advisoryLocks()).toBe(0);
  });

  it('holds the prefix lock until it has committed: a rollback started meanwhile waits, then removes it all', async () => {
    const seeding = seed({ databaseUrl: db.url, prefix: 'atomic-lock-', wallets: 200_000, fixturesDir: join(root, 'lock') });
    let seedDone = false;
    void seeding.then(() => { seedDone = true; }, () => { seedDone = true; });
    await eventually(() => count(db.pool, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'moshpit-seed' AND l.${THIS_DATABASE}`), {
      what: "the seed's prefix lock", until: (n) => n === 1, giveUpIf: () => seedDone && 'the seed ended before its lock was seen',
    });
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const removing = deleteTestData(c, 'atomic-lock-');
      const seeded = await seeding;
      const removed = await removing;
      const wallets = removed.deleted.find((d) => d.table === 'wallets')!.rows;
      expect(wallets).toBe(seeded.walletsInserted + seeded.rowsInserted.probe_wallet);
      expect(await count(db.pool, `SELECT count(*) FROM wallets WHERE starts_with(id, 'atomic-lock-')`)).toBe(0);
    } finally {
      await c.end();
    }
  });
});
