// A database of its own for one test (not one per file): a defect run leaves broken money
// behind, and every state checker covers all of the prefix's wallets, so no defect case may
// inherit another one's damage.
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

export async function withFreshDatabase<T>(fn: (db: TestDatabase) => Promise<T>): Promise<T> {
  const db = await createTestDatabase(inject('pgServerUrl'), inject('pgTemplate'));
  try {
    return await fn(db);
  } finally {
    await db.drop();
  }
}
