import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    // A test that asserts nothing (its only expect in a loop over nothing, or in a callback that
    // never ran) fails instead of passing.
    expect: { requireAssertions: true },
    hookTimeout: 60_000,
    // Two cores: files run in parallel, each with its own databases and servers.
    pool: 'forks',
    reporters: ['default'],
  },
});
