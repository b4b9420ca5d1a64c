// Programmatic API of the test-data tools.
export { seed, PROBE_BALANCE_CENTS, type SeedOptions, type SeedSummary } from './seed.js';
export { rollbackTestData, previewRollback, countTestData, deleteTestData, type RollbackResult, type TableCount } from './rollback.js';
export { SeedInputError, DEFAULT_PREFIX, validatePrefix } from './input.js';
export { resolveDatabaseUrl, describeDatabase } from './database-url.js';
export { testCatalog } from './catalog.js';
export { WalletRowGenerator, DEFAULT_FAKER_SEED } from './wallet-rows.js';
