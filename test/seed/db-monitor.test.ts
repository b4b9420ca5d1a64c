// The monitoring queries against a live database: every named query runs, samples hold sane
// numbers, counters move with activity, a lock wait is seen, and the CLI prints its view.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/usage-error.js';
import dbMonitorCommand from '../../cli/commands/db-monitor.js';
import { sampleDatabase, sampleRates, type DatabaseSample } from '../../monitoring/db-monitor.js';
import { DB_MONITOR_SQL, parseNamedQueries } from '../../monitoring/named-queries.js';
import { useTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { captureOutput } from './helpers/capture-output.js';

const db = await useTestDatabase();

const EXPECTED_QUERIES = [
  'connections_by_state', 'connection_capacity', 'lock_waits', 'blocked_queries', 'database_activity',
  'cache_hit_ratio', 'index_usage', 'longest_transaction', 'write_throughput',
];

function expectCountersSane(s: DatabaseSample) {
  for (const [k, v] of Object.entries(s.counters)) {
    expect(Number.isSafeInteger(v) && v >= 0, `${k} = ${v}`).toBe(true);
  }
  for (const [k, v] of Object.entries(s.connections)) expect(Number.isInteger(v) && v >= 0, `connections.${k}`).toBe(true);
  for (const r of [s.cacheHitRatio, s.tableCacheHitRatio, s.indexCacheHitRatio]) {
    if (r === null) continue;
    expect(r).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThanOrEqual(1);
  }
}

describe('db-monitor', () => {
  it('every named query in db-monitor.sql parses and executes', async () => {
    const queries = parseNamedQueries(readFileSync(DB_MONITOR_SQL, 'utf8'));
    expect(queries.map((q) => q.name)).toEqual(EXPECTED_QUERIES);
    for (const q of queries) {
      expect(q.description.length, q.name).toBeGreaterThan(20);
      const result = await db.pool.query(q.sql);
      expect(Array.isArray(result.rows), q.name).toBe(true);
    }
  });

  it('samples sane numbers, and the counters follow real activity', async () => {
    const first = await sampleDatabase(db.pool);
    expectCountersSane(first);
    expect(first.maxConnections).toBeGreaterThan(0);
    expect(first.serverConnections).toBeGreaterThanOrEqual(1);
    expect(first.databaseSizeBytes).toBeGreaterThan(1_000_000);
    expect(first.lockWaits).toBe(0);
    expect(first.blockedQueries).toBe(0);
    expect(first.tables.map((t) => t.table)).toEqual(expect.arrayContaining(['wallets', 'ledger', 'orders', 'nfc_scan_log']));

    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    try {
      for (let i = 0; i < 20; i++) {
        await writer.query(`INSERT INTO wallets (id, balance_cents, opening_balance_cents) VALUES ($1, 100, 100)`, [`mon-${i}`]);
      }
      await writer.query(`UPDATE wallets SET balance_cents = 50 WHERE id LIKE 'mon-%'`);
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO wallets (id) VALUES ('mon-rolled-back')`);
      await writer.query('ROLLBACK');
      await writer.query('SELECT pg_stat_force_next_flush()'); // statistics reach the shared counters at once
    } finally {
      await writer.end();
    }
    const later = await eventually(() => sampleDatabase(db.pool), {
      what: 'statistics to include the writes',
      until: (s) => s.counters.tuplesInserted >= first.counters.tuplesInserted + 21 && s.counters.tuplesUpdated >= first.counters.tuplesUpdated + 20,
    });
    expectCountersSane(later);
    expect(later.counters.commits).toBeGreaterThanOrEqual(first.counters.commits + 21);
    expect(later.counters.rollbacks).toBeGreaterThanOrEqual(first.counters.rollbacks + 1);
    expect(later.counters.walBytes).toBeGreaterThan(first.counters.walBytes);
    expect(later.tables.find((t) => t.table === 'wallets')!.rowsInserted).toBeGreaterThanOrEqual(21);

    const rates = sampleRates(first, later);
    expect(rates.seconds).toBeGreaterThan(0);
    expect(rates.commitsPerSecond!).toBeGreaterThan(0);
    expect(rates.tuplesInsertedPerSecond!).toBeGreaterThan(0);
    expect(rates.walBytesPerSecond!).toBeGreaterThan(0);
    expect(rates.deadlocks).toBe(0);
  });

  it('sees an open transaction, a lock wait and the blocked query', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    const waiter = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await waiter.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('UPDATE venue_state SET occupancy = occupancy WHERE id');
      const blocked = waiter.query('UPDATE venue_state SET occupancy = occupancy WHERE id');
      // The waiter needs a moment to reach its lock wait: poll until every view of it agrees.
      const s = await eventually(() => sampleDatabase(db.pool), {
        what: 'the waiter to show up as blocked',
        until: (x) => x.blockedQueries >= 1 && x.lockWaits >= 1 && x.connections.waitingOnLock >= 1,
      });
      expect(s.connections.idleInTransaction).toBeGreaterThanOrEqual(1);
      expect(s.longestTransactionSeconds).toBeGreaterThan(0);
      expect(s.longestBlockedSeconds).toBeGreaterThanOrEqual(0);
      await holder.query('ROLLBACK');
      await blocked;
    } finally {
      await holder.end();
      await waiter.end();
    }
    const after = await sampleDatabase(db.pool);
    expect(after.blockedQueries).toBe(0);
  });

  it('rates are null across a statistics reset instead of negative', () => {
    const base = { takenAt: 0, counters: { commits: 100, rollbacks: 0, deadlocks: 2, blocksHit: 90, blocksRead: 10 } };
    const s = (over: object) => ({ ...base, ...over, counters: { ...base.counters, ...(over as { counters?: object }).counters } }) as unknown as DatabaseSample;
    const r = sampleRates(s({}), s({ takenAt: 2000, counters: { commits: 50, deadlocks: 3, blocksHit: 190, blocksRead: 10 } }));
    expect(r.commitsPerSecond).toBeNull();
    expect(r.deadlocks).toBe(1);
    expect(r.intervalCacheHitRatio).toBe(1);
  });

  it('the CLI prints a header and one line per sample, bounded by --count', async () => {
    const { result, stdout } = await captureOutput(() => dbMonitorCommand.run(['--interval', '0.2', '--count', '3', '--database-url', db.url]));
    expect(result).toBe(0);
    const lines = stdout.trim().split('\n');
    const header = lines.findIndex((l) => l.startsWith('time'));
    expect(header).toBeGreaterThan(0);
    const samples = lines.slice(header + 1);
    expect(samples).toHaveLength(3);
    for (const l of samples) expect(l).toMatch(/^\d\d:\d\d:\d\d\s+\d+/);
    expect(samples[0]).toMatch(/\s-\s/);          // no rate without a previous sample
    expect(samples[2]).toMatch(/\s\d+\.\d\s/);    // rates from the deltas

    for (const bad of [['--interval', '0'], ['--interval', 'x'], ['--count', '0'], ['--count', '1.5'], ['--bogus']]) {
      await expect(dbMonitorCommand.run([...bad, '--database-url', db.url]), bad.join(' ')).rejects.toThrow(UsageError);
    }
  });
});
