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
    // A worker runs file after file instead of a fresh process per file: the AWS SDK and the
    // server's modules (useServer runs iamd in-process) load once per worker, not once per file,
    // which was most of a small API suite's cost. No suite mocks modules or changes process.env,
    // and src/ keeps no state between servers but caches keyed by content (test/support/use-server.ts).
    isolate: false,
    // On CI a failed test runs again (up to twice). CI is a clean clone on a shared machine whose speed varies
    // by a factor of several within a run; a test that raced it once (three did in three runs, each
    // fixed since) would otherwise throw the whole run away. Every retried test is named at the end
    // of the output as FLAKY (test/support/flaky-reporter.ts): a defect to fix, not to live with.
    // Locally nothing is retried.
    // Twice since the Node 22 pass timed out limits.test.ts's connection-limit tests on two attempts
    // in a row. That one is found and fixed since (a failed assertion, the server's log line read
    // before it arrived, hidden by a clean-up that waited for the server: not Node 22's alone).
    retry: process.env.CI ? 2 : 0,
    reporters: ['default', './test/support/flaky-reporter.ts'],
  },
});
