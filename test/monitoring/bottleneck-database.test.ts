// The bottleneck analysis' database parts against a real PostgreSQL: pg_stat_statements
// counted over the window only (a copy at the start subtracted), its absence said with why,
// lock waits attributed to the table whose row is held, and sequential scans flagged on
// large tables only.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { LARGE_TABLE_ROWS } from '../../core/large-table.js';
import { sampleLockWaits, summariseLockWaits } from '../../monitoring/bottleneck/lock-waits.js';
import { statementsAfter, statementsBaseline } from '../../monitoring/bottleneck/statements.js';
import { readTableCounters, tableScanDelta } from '../../monitoring/bottleneck/table-scans.js';
import { useTestDatabase } from '../support/db.js';

const db = await useTestDatabase();

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: db.url });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function until<T>(what: string, fn: () => Promise<T | null>, limit = 100): Promise<T> {
  for (let i = 0; i < limit; i++) {
    const v = await fn();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('pg_stat_statements over the window', () => {
  it('says why when a user database lacks the extension, and never creates it there', async () => {
    const c = await client();
    try {
      await c.query('DROP EXTENSION IF EXISTS pg_stat_statements');
      const b = await statementsBaseline(c, false);
      expect(b.available).toBe(false);
      expect(!b.available && b.reason).toMatch(/pg_stat_statements is not installed/);
      expect((await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`)).rowCount).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('on our own cluster: creates the extension when missing and resets the statistics at the start', async () => {
    const c = await client();
    try {
      await c.query('DROP EXTENSION IF EXISTS pg_stat_statements');
      const baseline = await statementsBaseline(c, true);
      expect(baseline.available && baseline.mode).toBe('reset');
      expect((await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`)).rowCount).toBe(1);
      await c.query('SELECT 42 AS own_cluster_probe');
      const part = await statementsAfter(c, baseline);
      if (!part.available) throw new Error(part.reason);
      expect(part.byCalls.find((r) => r.query.includes('own_cluster_probe'))?.calls).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('counts only what ran after the start (a copy subtracted, the statistics left alone)', async () => {
    const c = await client();
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await c.query('CREATE TABLE IF NOT EXISTS bn_probe (id int primary key, v int)');
      for (let i = 0; i < 3; i++) await c.query('SELECT count(*) FROM bn_probe WHERE v = $1', [i]);
      const baseline = await statementsBaseline(c, false);
      expect(baseline.available && baseline.mode).toBe('snapshot');
      for (let i = 0; i < 5; i++) await c.query('SELECT count(*) FROM bn_probe WHERE v = $1', [i]);
      const part = await statementsAfter(c, baseline);
      if (!part.available) throw new Error(part.reason);
      const row = part.byCalls.find((r) => r.query.includes('bn_probe WHERE v'));
      expect(row, JSON.stringify(part.byCalls)).toBeDefined();
      expect(row!.calls).toBe(5);
      expect(row!.toplevel).toBe(true);
      expect(part.byTotalTime.length).toBeGreaterThan(0);
      // Monitoring's own reads of the statistics views are not among the run's statements.
      expect(part.byCalls.some((r) => r.query.includes('pg_stat_statements'))).toBe(false);
    } finally {
      await c.end();
    }
  });
});

describe('lock waits by relation', () => {
  it('names the table whose row is held, for the first waiter and the queue behind it', async () => {
    const [holder, second, third, monitor] = await Promise.all([client(), client(), client(), client()]);
    try {
      await holder.query('CREATE TABLE IF NOT EXISTS bn_hot (id int primary key, n int); INSERT INTO bn_hot VALUES (1, 0) ON CONFLICT DO NOTHING');
      expect(summariseLockWaits([await sampleLockWaits(monitor)], 1000).available).toBe(true);
      expect(await sampleLockWaits(monitor)).toEqual([]);
      await holder.query('BEGIN');
      await holder.query('UPDATE bn_hot SET n = n + 1 WHERE id = 1');
      const waits = [second, third].map((c) => c.query('UPDATE bn_hot SET n = n + 1 WHERE id = 1'));
      const sample = await until('two waiters', async () => {
        const s = await sampleLockWaits(monitor);
        return s.reduce((a, r) => a + r.waiting, 0) >= 2 ? s : null;
      });
      await holder.query('ROLLBACK');
      await Promise.all(waits);
      expect(sample.every((r) => r.relation === 'bn_hot'), JSON.stringify(sample)).toBe(true);
      expect(sample.map((r) => r.locktype).sort()).toEqual(['transactionid', 'tuple']);
      const part = summariseLockWaits([sample, sample], 500);
      if (!part.available) throw new Error('unavailable');
      expect(part.byRelation.reduce((a, r) => a + r.waitSeconds, 0)).toBe(2); // 2 waiters × 2 samples × 0.5 s
    } finally {
      await Promise.all([holder, second, third, monitor].map((c) => c.end()));
    }
  });
});

describe('sequential scans', () => {
  it('flags a large table scanned without an index, not a small one', async () => {
    const c = await client();
    try {
      await c.query(`CREATE TABLE bn_big (id int primary key, v int); INSERT INTO bn_big SELECT g, g FROM generate_series(1, ${LARGE_TABLE_ROWS * 2}) g`);
      await c.query('CREATE TABLE bn_small (id int primary key, v int); INSERT INTO bn_small SELECT g, g FROM generate_series(1, 10) g');
      // The statistics are flushed a moment after the writes.
      const before = await until('live row counts', async () => {
        const t = await readTableCounters(c);
        return (t.get('public.bn_big')?.liveRows ?? 0) >= LARGE_TABLE_ROWS * 2 ? t : null;
      });
      await c.query('SELECT count(*) FROM bn_big WHERE v = 7');
      await c.query('SELECT count(*) FROM bn_small WHERE v = 7');
      const part = await until('scan counters', async () => {
        const p = tableScanDelta(before, await readTableCounters(c));
        return p.available && p.tables.some((t) => t.table === 'public.bn_big') && p.tables.some((t) => t.table === 'public.bn_small') ? p : null;
      });
      if (!part.available) throw new Error('unavailable');
      const big = part.tables.find((t) => t.table === 'public.bn_big')!;
      const small = part.tables.find((t) => t.table === 'public.bn_small')!;
      expect(big).toMatchObject({ seqScans: 1, large: true, seqRowsRead: LARGE_TABLE_ROWS * 2 });
      expect(small).toMatchObject({ seqScans: 1, large: false });
      expect(part.tables[0]!.table).toBe('public.bn_big');
    } finally {
      await c.end();
    }
  });
});
