import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker-thread containers and LevelDB on disk make some tests do real I/O; bounds stay
    // generous because CI machines are shared, but every wait in a test is event-driven.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
