// supabase/ against its sources and against the embedded surface: the committed layout has not
// drifted (migrations are links to platform/migrations); the edge bundle the Deno functions
// import builds and runs; the Supabase migrations apply (twice) to an empty PostgreSQL and create the same
// procedures as platform/migrations; every RPC and edge function the embedded Supabase surface
// answers exists in the layout, with the same arguments, callable by service_role only.
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { edgeBundle, GRANTS_MIGRATION, platformObjects, supabaseDrift, supabaseMigrationsDir, supabaseDir } from '../../build/supabase-layout.js';
import { EXPOSED_PROCEDURES } from '../../platform/server/procedures.js';
import { EDGE_FUNCTIONS, SUPABASE_RPC_ARGUMENTS } from '../../platform/server/supabase-routes.js';
import { withDatabase } from '../support/databases.js';
import { useTestDatabase } from '../support/db.js';

const platformDb = await useTestDatabase(); // migrated the embedded way (stack/migrate.ts)

// An empty database, created from template0: nothing of moshpit in it.
const serverUrl = inject('pgServerUrl');
const emptyName = `moshpit_supabase_${process.pid}`;
const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${emptyName} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${emptyName} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
const supa = new pg.Pool({ connectionString: withDatabase(serverUrl, emptyName), max: 2 });
supa.on('error', () => {}); // the forced drop at teardown ends idle sessions
afterAll(async () => {
  await supa.end();
  await admin.query(`DROP DATABASE IF EXISTS ${emptyName} WITH (FORCE)`);
  await admin.end();
});

const migrationFiles = () => readdirSync(supabaseMigrationsDir).filter((f) => f.endsWith('.sql')).sort();
async function applySupabaseMigrations(): Promise<void> {
  for (const f of migrationFiles()) {
    // What `supabase db push` does: each file in version order, in a transaction.
    const c = await supa.connect();
    try {
      await c.query('BEGIN');
      await c.query(readFileSync(join(supabaseMigrationsDir, f), 'utf8'));
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK');
      throw new Error(`${f}: ${(err as Error).message}`);
    } finally {
      c.release();
    }
  }
}

/** Every public function: name, arguments, and a digest of its body. */
async function procedures(pool: pg.Pool): Promise<string[]> {
  const r = await pool.query(`SELECT p.proname || '(' || pg_get_function_arguments(p.oid) || ') ' || md5(p.prosrc) AS f
                              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                              WHERE n.nspname = 'public' ORDER BY 1`);
  return r.rows.map((row) => row.f as string);
}

describe('supabase/ is generated from its sources', () => {
  it('its migration links have not drifted from platform/migrations (npm run supabase:sync)', () => {
    expect(supabaseDrift()).toEqual([]);
  });

  it('links every platform migration, in order, under a Supabase version name; the grants migration comes last', () => {
    const files = migrationFiles();
    expect(files.every((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f))).toBe(true);
    expect(files.at(-1)).toMatch(/_supabase_roles_and_grants\.sql$/);
    const platform = readdirSync(join(supabaseDir, '..', 'platform', 'migrations')).filter((f) => f.endsWith('.sql')).sort();
    expect(files.slice(0, -1).map((f) => f.slice(14))).toEqual(platform.map((f) => f.slice(3)));
    for (const f of files.slice(0, -1)) expect(lstatSync(join(supabaseMigrationsDir, f)).isSymbolicLink(), f).toBe(true);
  });

  it('the edge bundle builds, exports what the Deno functions import, and runs on a web-standard runtime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'moshpit-edge-'));
    try {
      const file = join(dir, 'moshpit-edge.mjs');
      const text = await edgeBundle();
      expect(text).not.toMatch(/from ["']node:|require\(/); // Deno gets no Node built-ins
      writeFileSync(file, text);
      const bundle = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      for (const fn of readdirSync(join(supabaseDir, 'functions')).filter((d) => d !== '_shared')) {
        const entry = readFileSync(join(supabaseDir, 'functions', fn, 'index.ts'), 'utf8');
        const imported = /import \{([^}]+)\} from '\.\.\/_shared\/moshpit-edge\.js'/.exec(entry)?.[1]?.split(',').map((n) => n.trim()) ?? [];
        expect(imported.length, fn).toBeGreaterThan(0);
        for (const name of imported) expect(typeof bundle[name], `${fn} imports ${name}`).toBe('function');
      }
      // The bundled function itself, end to end against the real procedure.
      const rpc = async (fn: string, args: Record<string, unknown>) =>
        (await platformDb.pool.query(`SELECT ${fn}(${Object.keys(args).map((k, i) => `${k} => $${i + 1}`).join(', ')}) AS r`, Object.values(args))).rows[0].r;
      await platformDb.pool.query(`INSERT INTO wallets (id, balance_cents) VALUES ('bundle-w1', 0) ON CONFLICT DO NOTHING`);
      const handle = bundle.handleCreateFundingIntent as (req: Request, deps: { rpc: typeof rpc }) => Promise<Response>;
      const res = await handle(new Request('http://edge.invalid/functions/v1/create-funding-intent', {
        method: 'POST', headers: { 'Idempotency-Key': 'bundle-k1' }, body: '{"wallet_id":"bundle-w1","amount_cents":250}',
      }), { rpc });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ status: 'pending', amount_cents: 250, wallet_id: 'bundle-w1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Supabase migrations on an empty PostgreSQL', () => {
  it('apply cleanly, and again (re-runnable), creating the same procedures as the embedded migrations', async () => {
    await applySupabaseMigrations();
    await applySupabaseMigrations();
    expect(await procedures(supa)).toEqual(await procedures(platformDb.pool));
  });

  it('create the Supabase roles when missing; anon and authenticated reach no table and no procedure', async () => {
    const roles = (await supa.query(`SELECT rolname FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role') ORDER BY 1`)).rows.map((r) => r.rolname);
    expect(roles).toEqual(['anon', 'authenticated', 'service_role']);
    const c = await supa.connect();
    try {
      for (const role of ['anon', 'authenticated']) {
        await c.query(`SET ROLE ${role}`);
        await expect(c.query(`SELECT get_wallet('w')`)).rejects.toThrow(/permission denied/);
        await expect(c.query(`SELECT count(*) FROM wallets`)).rejects.toThrow(/permission denied/);
        await c.query('RESET ROLE');
      }
    } finally {
      await c.query('RESET ROLE');
      c.release();
    }
  });

  it('every function and edge function of the embedded Supabase surface exists, with the same arguments, for service_role', async () => {
    expect(Object.keys(SUPABASE_RPC_ARGUMENTS).sort()).toEqual([...EXPOSED_PROCEDURES].sort());
    const c = await supa.connect();
    try {
      await c.query(`INSERT INTO wallets (id, balance_cents) VALUES ('supa-w1', 1000) ON CONFLICT DO NOTHING`);
      await c.query('SET ROLE service_role');
      for (const [fn, args] of Object.entries(SUPABASE_RPC_ARGUMENTS)) {
        const r = await c.query(`SELECT proargnames AS names FROM pg_proc WHERE proname = $1`, [fn]);
        expect(r.rows.map((row) => row.names), fn).toEqual([args]);
        expect((await c.query(`SELECT has_function_privilege('service_role', $1::regproc, 'EXECUTE') AS ok`, [fn])).rows[0].ok, fn).toBe(true);
      }
      // service_role can run a procedure end to end (tables, sequences, helpers, RLS bypass).
      const order = await c.query(`SELECT sp_create_funding_intent(p_idempotency_key => 'supa-k1', p_wallet_id => 'supa-w1', p_amount_cents => 500) AS r`);
      expect(order.rows[0].r).toMatchObject({ ok: true, http_status: 201, status: 'pending' });
      expect((await c.query(`SELECT get_wallet(p_wallet_id => 'supa-w1') AS r`)).rows[0].r).toMatchObject({ ok: true, balance_cents: 1000 });
    } finally {
      await c.query('RESET ROLE');
      c.release();
    }
    const deployed = readdirSync(join(supabaseDir, 'functions')).filter((d) => d !== '_shared').sort();
    expect(deployed).toEqual([...EDGE_FUNCTIONS].sort());
    for (const fn of EDGE_FUNCTIONS) expect(existsSync(join(supabaseDir, 'functions', fn, 'index.ts')), fn).toBe(true);
  });

  it('the grants name exactly the tables and functions the platform migrations create', () => {
    const grants = readFileSync(join(supabaseMigrationsDir, GRANTS_MIGRATION), 'utf8');
    const platform = readdirSync(join(supabaseDir, '..', 'platform', 'migrations')).filter((f) => f.endsWith('.sql')).sort()
      .map((f) => readFileSync(join(supabaseDir, '..', 'platform', 'migrations', f), 'utf8')).join('\n');
    const { tables, functions } = platformObjects(platform);
    expect(tables).toContain('wallets');
    expect(functions).toContain('sp_process_stripe_recharge');
    // The name lists of the loops: roles, tables (RLS and grants), their sequences, functions.
    const lists = [...grants.matchAll(/ARRAY\[('[a-z_]+'(?:, '[a-z_]+')*)\]\)? LOOP/g)].map((m) => m[1]!.split(', ').map((n) => n.slice(1, -1)).sort());
    expect(lists).toEqual([['anon', 'authenticated', 'service_role'], [...tables].sort(), [...tables].sort(), [...functions].sort()]);
  });
});
