// seed() copying a new prefix's wallets over several connections: the same rows and fixtures as
// one connection, and a failure at any point (a lane's COPY, or the main COMMIT after the extra
// lanes committed) leaves the database exactly as it was, with the prefix lock released.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { deleteTestData } from '../../seed/rollback.js';
import { seed } from '../../seed/seed.js';
import { WalletRowGenerator } from '../../seed/wallet-rows.js';
import { useTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { count, databaseSnapshot } from './helpers/table-snapshot.js';

const db = await useTestDatabase();
const root = mkdtempSync(join(tmpdir(), 'moshpit-seed-lanes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(async () => {
  await db.pool.query('DROP TRIGGER IF EXISTS seed_lanes_fail ON wallets');
  await db.pool.query('DROP FUNCTION IF EXISTS seed_lanes_fail()');
});

// Rows go round-robin in chunks of 8,192: rows 8,193-16,384 are the second lane's.
const WALLETS = 20_000;
const SECOND_LANE_ROW = 10_000;

/** A real failure inside PostgreSQL for one wallet id: raised per row, or at COMMIT when deferred. */
async function failOn(walletId: string, deferred: boolean): Promise<void> {
  await db.pool.query(`CREATE FUNCTION seed_lanes_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'injected failure for %', NEW.id; END $$`);
  const when = `WHEN (NEW.id = '${walletId}')`; // test-made ids: [a-z0-9-] only
  await db.pool.query(deferred
    ? `CREATE CONSTRAINT TRIGGER seed_lanes_fail AFTER INSERT ON wallets DEFERRABLE INITIALLY DEFERRED FOR EACH ROW ${when} EXECUTE FUNCTION seed_lanes_fail()`
    : `CREATE TRIGGER seed_lanes_fail BEFORE INSERT ON wallets FOR EACH ROW ${when} EXECUTE FUNCTION seed_lanes_fail()`);
}

const advisoryLocks = () => count(db.pool, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`);

describe('seed over several COPY connections', () => {
  it('writes the same wallets and wallets.json as one connection', async () => {
    const one = join(root, 'one');
    const two = join(root, 'two');
    const a = await seed({ databaseUrl: db.url, prefix: 'lanes1-', wallets: WALLETS, fixturesDir: one, copyLanes: 1 });
    const b = await seed({ databaseUrl: db.url, prefix: 'lanes2-', wallets: WALLETS, fixturesDir: two, copyLanes: 2 });
    expect([a.walletsInserted, b.walletsInserted]).toEqual([WALLETS, WALLETS]);
    expect(b.walletCopy).toBe('direct');
    const rows = async (prefix: string) => (await db.pool.query(
      `SELECT substr(id, length($1) + 1) AS n, holder_name, email, balance_cents::text, opening_balance_cents::text
       FROM wallets WHERE starts_with(id, $1) ORDER BY id`, [`${prefix}w-`])).rows;
    const viaOne = await rows('lanes1-');
    expect(viaOne).toHaveLength(WALLETS);
    expect(await rows('lanes2-')).toEqual(viaOne);
    const g = new WalletRowGenerator('lanes2-');
    const fixture = JSON.parse(readFileSync(join(two, 'wallets.json'), 'utf8'));
    expect(fixture).toHaveLength(WALLETS);
    for (const n of [1, 8192, 8193, SECOND_LANE_ROW, WALLETS]) {
      expect(fixture[n - 1]).toEqual({ id: g.row(n).id, opening_balance_cents: g.row(n).balanceCents });
    }
    expect(readFileSync(join(two, 'wallets.json'), 'utf8')).toBe(readFileSync(join(one, 'wallets.json'), 'utf8').replaceAll('lanes1-', 'lanes2-'));
    expect(await advisoryLocks()).toBe(0);
  });

  it('a COPY failing in the second connection leaves nothing behind', async () => {
    await failOn(`lanes-fail-w-0${SECOND_LANE_ROW}`, false);
    const before = await databaseSnapshot(db.pool);
    const dir = join(root, 'fail-copy');
    await expect(seed({ databaseUrl: db.url, prefix: 'lanes-fail-', wallets: WALLETS, fixturesDir: dir, copyLanes: 2 }))
      .rejects.toThrow(/injected failure for lanes-fail-w-010000/);
    expect(await databaseSnapshot(db.pool)).toEqual(before);
    expect(existsSync(join(dir, 'wallets.json'))).toBe(false);
    expect(await advisoryLocks()).toBe(0);
  });

  it('a COMMIT failing after the other connections committed removes their wallets again', async () => {
    // The probe wallet is the main transaction's row: its deferred check fails the main COMMIT,
    // which runs after the second connection has committed its half of the wallets.
    await failOn('lanes-late-probe', true);
    const before = await databaseSnapshot(db.pool);
    const dir = join(root, 'fail-commit');
    await expect(seed({ databaseUrl: db.url, prefix: 'lanes-late-', wallets: WALLETS, fixturesDir: dir, copyLanes: 2 }))
      .rejects.toThrow(/injected failure for lanes-late-probe/);
    expect(await databaseSnapshot(db.pool)).toEqual(before);
    expect(existsSync(join(dir, 'wallets.json'))).toBe(false);
    expect(await advisoryLocks()).toBe(0);
  });

  it('holds the prefix lock until every connection has committed: a rollback started meanwhile waits, then removes it all', async () => {
    const seeding = seed({ databaseUrl: db.url, prefix: 'lanes-lock-', wallets: 200_000, fixturesDir: join(root, 'lock'), copyLanes: 2 });
    let seedDone = false;
    void seeding.then(() => { seedDone = true; }, () => { seedDone = true; });
    await eventually(() => count(db.pool, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'moshpit-seed'`), {
      what: "the seed's prefix lock", until: (n) => n === 1, giveUpIf: () => seedDone && 'the seed ended before its lock was seen',
    });
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const removing = deleteTestData(c, 'lanes-lock-');
      const seeded = await seeding;
      const removed = await removing;
      const wallets = removed.deleted.find((d) => d.table === 'wallets')!.rows;
      expect(wallets).toBe(seeded.walletsInserted + seeded.rowsInserted.probe_wallet);
      expect(await count(db.pool, `SELECT count(*) FROM wallets WHERE starts_with(id, 'lanes-lock-')`)).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('refuses a bad lane count before connecting', async () => {
    await expect(seed({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', copyLanes: 0 })).rejects.toThrow(/COPY lane count must be a whole number from 1 to 4/);
    await expect(seed({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', copyLanes: 1.5 })).rejects.toThrow(/COPY lane count/);
  });
});
