import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Test files start their own platform instances and child processes; two cores, so run two at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
