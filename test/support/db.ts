// Per-test-file database: `const db = await useTestDatabase()` inside a describe/file.
import { afterAll, inject } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './databases.js';

export async function useTestDatabase(): Promise<TestDatabase & { pool: pg.Pool }> {
  const db = await createTestDatabase(inject('pgServerUrl'), inject('pgTemplate'));
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  return { ...db, pool };
}
