// Per-test-file database: `const db = await useTestDatabase()` inside a describe/file.
import { afterAll, inject } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './databases.js';

export async function useTestDatabase(): Promise<TestDatabase & { pool: pg.Pool }> {
  const db = await createTestDatabase(inject('pgServerUrl'), inject('pgTemplate'));
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  // Teardown drops the database WITH (FORCE), which terminates any connection a test still
  // holds; on a throwaway database that is expected, not an uncaught error.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  return { ...db, pool };
}
