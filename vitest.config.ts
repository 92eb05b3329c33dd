import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One throw-away PostgreSQL server for the run (the store conformance and multi-node suites,
    // and the whole API suite when IAMD_TEST_STORE=postgres).
    globalSetup: ['test/support/postgres-setup.ts'],
    // Each test file starts its own server on its own port; two cores, so two at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
