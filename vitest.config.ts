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
    // Two cores: files run in parallel, each with its own databases and servers. Vitest's default
    // is one worker fewer than the cores (one, here), which ran the files one after another; most
    // of a file's time is spent waiting (Chromium, the databases, lifetimes running out), so two
    // workers share the two cores well.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
