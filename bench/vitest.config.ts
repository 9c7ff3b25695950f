import { defineConfig } from 'vitest/config';

// Benchmarks: long-running, not part of `npm test`. Run with `npm run bench:rotation`.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-test.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 120_000,
    expect: { requireAssertions: true },
    reporters: ['verbose'],
  },
});
