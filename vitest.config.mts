import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fixture projects that the tests run with their own vitest.
    exclude: ['test/**/fixtures/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files wait on the child processes they start: vitest's default (one worker fewer than
    // the cores) leaves one of a two-core CI machine's cores idle.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
  },
});
