import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Kernel tests create network namespaces; run files one at a time inside a worker pool of 2.
    pool: 'forks',
  },
});
