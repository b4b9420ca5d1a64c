// The target's pool log shows saturation exactly when requests queue for a connection; the
// resource recorder samples a local PostgreSQL (postmaster and backends) and a load process
// from /proc; the report renders the findings, the top statements and the CPU/RSS plot.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { localPostmasterPid } from '../../monitoring/bottleneck/local-postmaster.js';
import { summarisePoolLog } from '../../monitoring/bottleneck/pool-log.js';
import { ResourceRecorder } from '../../monitoring/bottleneck/resource-usage.js';
import type { BottleneckFile } from '../../monitoring/bottleneck/types.js';
import { bottleneckHtml, bottleneckMarkdown } from '../../monitoring/report/bottleneck-section.js';
import { POOL_LOG_ENV, startPoolStatsLog } from '../../platform/server/pool-stats.js';
import { useTestDatabase } from '../support/db.js';

const db = await useTestDatabase();
const dir = mkdtempSync(join(tmpdir(), 'mp-bottleneck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(what: string, fn: () => boolean, limit = 100): Promise<void> {
  for (let i = 0; i < limit && !fn(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!fn()) throw new Error(`gave up waiting for ${what}`);
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { waitingMax: number; inUseMax: number });

describe('the target pool log', () => {
  it('shows no saturation while connections are free, and saturation while requests queue', async () => {
    const file = join(dir, 'pool.jsonl');
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const log = startPoolStatsLog(pool, 2, { [POOL_LOG_ENV]: file });
    const fromMs = Date.now();
    try {
      const one = await pool.connect();
      await until('a busy second', () => { try { return lines(file).length > 0; } catch { return false; } });
      const calm = summarisePoolLog(file, { fromMs, toMs: Date.now() });
      expect(calm).toMatchObject({ available: true, size: 2, inUseMax: 1, waitingMax: 0, saturatedSeconds: 0 });
      const two = await pool.connect();
      const queued = pool.connect(); // the third: waits for a connection
      await until('a queued second', () => lines(file).some((l) => l.waitingMax > 0));
      one.release();
      (await queued).release();
      two.release();
      const busy = summarisePoolLog(file, { fromMs, toMs: Date.now() });
      expect(busy).toMatchObject({ available: true, inUseMax: 2, waitingMax: 1 });
      expect(busy.available && busy.saturatedSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      await log.close();
      await pool.end();
    }
  });

  it('says why when there is no log to read', () => {
    expect(summarisePoolLog(null, { fromMs: 0, toMs: 1 })).toMatchObject({ available: false, reason: expect.stringMatching(/not moshpit's embedded/) });
    expect(summarisePoolLog(join(dir, 'absent.jsonl'), { fromMs: 0, toMs: 1 })).toMatchObject({ available: false, reason: expect.stringMatching(/no pool log/) });
  });
});

describe('CPU and RSS of the run processes', () => {
  it('samples a local PostgreSQL with its backends and a load process, and plots them', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const postmaster = await localPostmasterPid(c);
    expect(postmaster).not.toBeNull();
    const recorder = new ResourceRecorder({ targetPid: () => null, postgresPid: postmaster, missing: { target: 'a user deployment' } }, 200);
    // A bounded busy process standing in for a load process.
    const load = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; let x = 0; while (Date.now() < end) x++;'], { stdio: 'ignore' });
    recorder.trackLoad(load.pid!);
    await c.query('SELECT count(*) FROM generate_series(1, 200000)');
    await new Promise((r) => load.on('exit', r));
    await c.end();
    const { part, series } = recorder.stop();
    if (!part.available) throw new Error(part.reason);
    expect(part.groups.postgres!.processes).toBeGreaterThanOrEqual(2); // the postmaster and at least our backend
    expect(part.groups.postgres!.rssPeakMiB).toBeGreaterThan(0);
    expect(part.groups.load!.cpuSeconds).toBeGreaterThan(0);
    expect(part.missing).toEqual({ target: 'a user deployment' });
    expect(series.groups.load!.length).toBeGreaterThan(1);

    const file: BottleneckFile = {
      version: 1,
      window: { startMs: series.startMs, endMs: Date.now() },
      statements: { available: false, reason: 'the extension pg_stat_statements is not installed in this database' },
      lockWaits: { available: true, intervalMs: 1000, samples: 3, byRelation: [] },
      pool: { available: false, reason: 'a user deployment' },
      seqScans: { available: true, largeTableRows: 1000, tables: [] },
      resources: part,
    };
    const html = bottleneckHtml(file, series);
    expect(html).toContain('CPU by process group');
    expect(html).toMatch(/<figure class="chart"><figcaption>CPU by process group<\/figcaption>.*<svg[^>]*>.*<path class="series"/s);
    const md = bottleneckMarkdown(file).join('\n');
    expect(md).toContain('### Where the time went');
    expect(md).toContain('Statements: not measured — the extension pg_stat_statements is not installed');
    expect(md).toMatch(/CPU and memory \(100 % = one core\): .*postgres/);
  });
});

describe('the report section', () => {
  it('lists the top statements three ways and flags a saturated pool and seq scans on large tables', () => {
    const row = (query: string, calls: number, totalMs: number, toplevel = true) => ({ query, toplevel, calls, totalMs, meanMs: totalMs / calls, rows: calls, shareOfTotal: totalMs / 1000 });
    const byTotal = [row('SELECT sp_process_bar_order($1, $2)', 100, 600), row('UPDATE wallets SET balance_cents = $1', 100, 300, false), row('SELECT get_wallet($1)', 400, 200)];
    const file: BottleneckFile = {
      version: 1,
      window: { startMs: 0, endMs: 60_000 },
      statements: { available: true, mode: 'reset', totalMs: 1000, statements: 3, byTotalTime: byTotal, byMeanTime: byTotal, byCalls: [...byTotal].reverse(), excluded: '' },
      lockWaits: { available: true, intervalMs: 1000, samples: 60, byRelation: [{ relation: 'wallets', locktype: 'transactionid', waitEvent: 'transactionid', samples: 4, maxWaiting: 3, waitSeconds: 7 }] },
      pool: { available: true, size: 20, seconds: 60, inUseMax: 20, inUseAvg: 12.5, waitingMax: 9, saturatedSeconds: 12 },
      seqScans: { available: true, largeTableRows: 1000, tables: [{ table: 'public.ledger', seqScans: 40, seqRowsRead: 400_000, indexScans: 0, liveRows: 10_000, large: true }] },
      resources: { available: false, reason: 'nothing sampled' },
    };
    const md = bottleneckMarkdown(file).join('\n');
    expect(md).toContain('**Top statements by total time**');
    expect(md).toContain('**Top statements by mean time**');
    expect(md).toContain('**Top statements by calls**');
    expect(md).toMatch(/\| SELECT sp_process_bar_order\(\$1, \$2\) \| client \| 100 \| 600 ms/);
    expect(md).toContain('Inside the procedures the costliest statement is `UPDATE wallets SET balance_cents = $1`');
    expect(md).toMatch(/⚠️ Lock waits: .*`wallets`/);
    expect(md).toMatch(/⚠️ Target pool: 20 connections, .*queued for a connection in 12 of 60 s .*bottleneck/);
    expect(md).toMatch(/⚠️ Sequential scans on large tables .*`public.ledger` 40×/);
    const html = bottleneckHtml(file, null);
    expect(html).toContain('<h3>Top statements by total time</h3>');
    expect(html).toContain('<code>SELECT sp_process_bar_order($1, $2)</code>');
  });
});
