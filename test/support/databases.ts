// Test databases: one migrated template per migrations checksum, then a cheap
// CREATE DATABASE ... TEMPLATE copy per test file, so test files never share state.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, migrationFiles } from '../../stack/migrate.js';
import { migrationsDir } from '../../stack/paths.js';

export function templateName(): string {
  const h = createHash('sha256');
  for (const f of migrationFiles()) h.update(f).update(readFileSync(join(migrationsDir, f)));
  return `moshpit_tpl_${h.digest('hex').slice(0, 12)}`;
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

/** Creates the template for the current migrations if missing. Call under a lock. */
export async function ensureTemplate(serverUrl: string): Promise<string> {
  const name = templateName();
  const exists = await admin(serverUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount);
  if (exists) return name;
  const building = `${name}_building_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${building}`));
  await migrate(withDatabase(serverUrl, building));
  await admin(serverUrl, async (c) => {
    await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    await c.query(`ALTER DATABASE ${name} IS_TEMPLATE true`);
  });
  return name;
}

export interface TestDatabase { url: string; name: string; drop(): Promise<void> }

export async function createTestDatabase(serverUrl: string, template: string): Promise<TestDatabase> {
  const name = `moshpit_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
