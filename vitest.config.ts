import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Tests start servers on 127.0.0.1 and real Chromium; two cores, so keep the pool small.
    maxWorkers: 2,
  },
});
