import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker-thread containers and LevelDB on disk make some tests do real I/O; bounds stay
    // generous because CI machines are shared, but every wait in a test is event-driven.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two test files at a time even on a 2-core machine (vitest's default there is one): most
    // tests wait on workers, child processes and the NATS cluster rather than compute, and the
    // suite took over 14 minutes one file at a time (9.5 with two).
    maxWorkers: 2,
  },
});
