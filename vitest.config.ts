import { defineConfig } from 'vitest/config';

/**
 * The slow tier: real Chromium, the bounded load test, 10,000 fast-check runs, dependencies that
 * hang until their timeouts, `npm` in child processes and a clean-checkout `npm start`.
 * `npm test` runs them with everything else; `npm run test:unit` leaves them out (docs/testing.md).
 */
const SLOW_TESTS = [
  'test/browser/**',
  'test/dev/demo-journey.test.ts',
  'test/dev/npm-start.test.ts',
  'test/hardening/load.test.ts',
  'test/hardening/handler.property.test.ts',
  'test/hardening/faults.test.ts',
  'test/operator/key-commands.test.ts',
  'test/operator/token-inspect.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Tests start servers on 127.0.0.1 and real Chromium; two cores, so keep the pool small.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: SLOW_TESTS } },
      {
        extends: true,
        test: {
          name: 'slow',
          include: SLOW_TESTS.map((glob) => (glob.endsWith('**') ? `${glob}/*.test.ts` : glob)),
        },
      },
    ],
  },
});
