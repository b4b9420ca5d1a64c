// The pre-test checklist items, each shown catching the defect it names: a hot-path index
// dropped (or an index the planner will not use on a large table), a webhook endpoint with
// another secret or none at all checking signatures, a dashboard datasource whose database
// does not exist or that no provisioning defines, and --snapshot's dump.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { LARGE_TABLE_ROWS } from '../../core/large-table.js';
import { exec } from '../../stack/exec.js';
import { findPgBinDir } from '../../stack/postgres.js';
import { takeSnapshot } from '../../stack/database-snapshot.js';
import { checkDashboardDatasources, GRAFANA_DIR } from '../../validate/preflight/datasource-checks.js';
import { checkHotPathIndexes } from '../../validate/preflight/index-checks.js';
import { targetClient } from '../../validate/preflight/target-client.js';
import { checkWebhookProbe } from '../../validate/preflight/webhook-check.js';
import { startTestInflux, type TestInflux } from '../monitoring/influx-fixture.js';
import { useTestDatabase } from '../support/db.js';
import { startTarget, type RunningTarget } from '../support/target.js';

const db = await useTestDatabase();
const scratch = mkdtempSync(join(tmpdir(), 'mp-checklist-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('hot-path indexes', () => {
  it('passes on the migrated schema, and fails naming the lookup once its index is dropped', async () => {
    await withClient(async (c) => {
      const ok = await checkHotPathIndexes(c);
      expect(ok.ok, ok.detail).toBe(true);
      expect(ok.detail).toContain('stripe_events.event_id');
      await c.query('DROP INDEX stripe_events_event_idx');
      try {
        const bad = await checkHotPathIndexes(c);
        expect(bad.ok).toBe(false);
        expect(bad.detail).toMatch(/no index serves stripe_events\.event_id/);
        expect(bad.detail).not.toContain('wallets');
      } finally {
        await c.query('CREATE INDEX IF NOT EXISTS stripe_events_event_idx ON stripe_events (event_id)');
      }
    });
  });

  it('fails a large table the planner scans despite its index, and lets a small one be scanned', async () => {
    await withClient(async (c) => {
      // Every row holds the looked-up value: the planner rightly prefers reading the table whole.
      await c.query(`CREATE TABLE bn_same (v text); INSERT INTO bn_same SELECT 'same' FROM generate_series(1, ${LARGE_TABLE_ROWS * 2}); CREATE INDEX ON bn_same (v); ANALYZE bn_same`);
      await c.query(`CREATE TABLE bn_tiny (v text); INSERT INTO bn_tiny SELECT 'same' FROM generate_series(1, 5); CREATE INDEX ON bn_tiny (v); ANALYZE bn_tiny`);
      const large = await checkHotPathIndexes(c, [{ table: 'bn_same', column: 'v', why: 'test' }]);
      expect(large.ok).toBe(false);
      expect(large.detail).toMatch(/bn_same \(\d+ rows\) is scanned whole for bn_same\.v lookups although an index exists/);
      const small = await checkHotPathIndexes(c, [{ table: 'bn_tiny', column: 'v', why: 'test' }]);
      expect(small.ok, small.detail).toBe(true);
    });
  });
});

describe("hot-path indexes through views over one's own schema", () => {
  it('follow the view to its table: fail without an index there, pass with one', async () => {
    await withClient(async (c) => {
      await c.query(`CREATE TABLE bn_base (id text, balance bigint); CREATE VIEW bn_view AS SELECT id, balance FROM bn_base`);
      const lookup = [{ table: 'bn_view', column: 'id', why: 'test' }];
      const bad = await checkHotPathIndexes(c, lookup);
      expect(bad).toMatchObject({ ok: false, detail: expect.stringMatching(/no index serves bn_view\.id .*reads bn_base whole/) });
      await c.query('CREATE INDEX ON bn_base (id)');
      const good = await checkHotPathIndexes(c, lookup);
      expect(good.ok, good.detail).toBe(true);
    });
  });
});

describe('webhook endpoint', () => {
  let target: RunningTarget;
  let permissive: Server;
  beforeAll(async () => {
    target = await startTarget({ databaseUrl: db.url });
    // A defective endpoint: answers 200 to any delivery, signed or not.
    permissive = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"received":true}'); }); });
    await new Promise<void>((r) => permissive.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await target?.stop();
    await new Promise((r) => permissive?.close(r));
  });
  const now = new Date('2025-06-01T12:00:00Z');

  it('accepts a probe signed with the secret and refuses a forged one, on both surfaces, moving no money', async () => {
    const money = async () => withClient(async (c) => (await c.query(`SELECT (SELECT count(*) FROM ledger)::int AS ledger, coalesce((SELECT sum(balance_cents) FROM wallets), 0)::bigint::text AS balances`)).rows[0]);
    const before = await money();
    for (const kind of ['rest', 'supabase'] as const) {
      const r = await checkWebhookProbe(targetClient(kind, target.url, target.apiKey, 5000), target.webhookSecret, 'k6-test-', now);
      expect(r.ok, `${kind}: ${r.detail}`).toBe(true);
    }
    expect(await money()).toEqual(before);
    const events = await withClient(async (c) => (await c.query(`SELECT outcome FROM stripe_events WHERE event_id LIKE 'evt_k6-test-preflight_%'`)).rows.map((r) => r.outcome));
    expect(events).toEqual(['ignored', 'ignored']); // the forged deliveries never reached the database
  });

  it('fails when the endpoint has another secret', async () => {
    const r = await checkWebhookProbe(targetClient('rest', target.url, target.apiKey, 5000), 'whsec_not_the_one', 'k6-test-', now);
    expect(r).toMatchObject({ ok: false, detail: expect.stringMatching(/configured with another secret/) });
  });

  it('fails when the endpoint accepts deliveries whatever their signature', async () => {
    const url = `http://127.0.0.1:${(permissive.address() as AddressInfo).port}`;
    const r = await checkWebhookProbe(targetClient('rest', url, 'k', 5000), 'whsec_any', 'k6-test-', now);
    expect(r).toMatchObject({ ok: false, detail: expect.stringMatching(/does not verify Stripe signatures/) });
  });
});

describe("dashboards' datasources", () => {
  let influx: TestInflux;
  beforeAll(async () => { influx = await startTestInflux(); }, 120_000);
  afterAll(async () => { await influx?.stop(); });

  const copyGrafana = (edit: (dir: string) => void): string => {
    const dir = mkdtempSync(join(scratch, 'grafana-'));
    cpSync(join(GRAFANA_DIR, 'provisioning'), join(dir, 'provisioning'), { recursive: true });
    cpSync(join(GRAFANA_DIR, 'dashboards'), join(dir, 'dashboards'), { recursive: true });
    edit(dir);
    return dir;
  };

  it('answer on the run InfluxDB as provisioned', async () => {
    const r = await checkDashboardDatasources(influx.influx.url);
    expect(r.ok, r.detail).toBe(true);
    expect(r.detail).toMatch(/moshpit-k6 \(k6\).*moshpit-runs \(moshpit\)/);
  });

  it('fail when a datasource names a database the InfluxDB does not have', async () => {
    const dir = copyGrafana((d) => {
      const f = join(d, 'provisioning', 'datasources', 'moshpit.yml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('dbName: moshpit', 'dbName: moshpit_typo'));
    });
    const r = await checkDashboardDatasources(influx.influx.url, dir);
    expect(r).toMatchObject({ ok: false, detail: expect.stringMatching(/moshpit runs' \(database moshpit_typo\).*database not found/) });
  });

  it('fail when a dashboard uses a datasource uid nobody provisions', async () => {
    const dir = copyGrafana((d) => {
      const f = join(d, 'provisioning', 'datasources', 'moshpit.yml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('uid: moshpit-runs', 'uid: moshpit-runs-renamed'));
    });
    const r = await checkDashboardDatasources(influx.influx.url, dir);
    expect(r).toMatchObject({ ok: false, detail: expect.stringMatching(/datasource uid 'moshpit-runs' used by .*database\.json.* is not provisioned/) });
  });
});

describe('--snapshot', () => {
  it('dumps a database whole with pg_dump -Fc (pg_restore reads it back), or its schema and test rows when over the size rule', async () => {
    await withClient((c) => c.query(`INSERT INTO wallets (id, balance_cents) VALUES ('k6-test-w-000001', 2500), ('real-wallet-1', 999)`));
    const bin = (await findPgBinDir())!;
    const full = await takeSnapshot({ databaseUrl: db.url, resultsDir: join(scratch, 'full'), prefix: 'k6-test-' });
    expect(full.mode).toBe('full');
    const list = await exec(join(bin, 'pg_restore'), ['--list', join(scratch, 'full', 'snapshot', 'database.dump')]);
    expect(list.stdout).toMatch(/TABLE DATA public wallets/);

    const partial = await takeSnapshot({ databaseUrl: db.url, resultsDir: join(scratch, 'partial'), prefix: 'k6-test-', fullMaxBytes: 0 });
    expect(partial.mode).toBe('schema-and-test-data');
    const schema = await exec(join(bin, 'pg_restore'), ['--list', join(scratch, 'partial', 'snapshot', 'schema.dump')]);
    expect(schema.stdout).toMatch(/TABLE public wallets/);
    expect(schema.stdout).not.toMatch(/TABLE DATA/);
    const wallets = readFileSync(join(scratch, 'partial', 'snapshot', 'test-data', 'wallets.csv'), 'utf8');
    expect(wallets).toContain('k6-test-w-000001');
    expect(wallets).not.toContain('real-wallet-1');
    expect(partial.files.find((f) => f.file === 'test-data/wallets.csv')?.rows).toBe(1);
    expect(existsSync(join(scratch, 'partial', 'snapshot', 'snapshot.json'))).toBe(true);
    expect(JSON.stringify(partial)).not.toContain(new URL(db.url).password);
  });

  it('fails, saying why, when the database cannot be dumped', async () => {
    const u = new URL(db.url);
    u.pathname = '/no_such_database';
    await expect(takeSnapshot({ databaseUrl: u.toString(), resultsDir: join(scratch, 'none'), prefix: 'k6-test-' })).rejects.toThrow(/no_such_database/);
  });
});
