import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // 2-core machines: a few files at a time; each file gets its own database.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
