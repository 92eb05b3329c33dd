import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file starts its own server on its own port; two cores, so two at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
