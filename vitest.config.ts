import { defineConfig } from 'vitest/config';

/**
 * The slow tier: everything that needs `npm run build` first or takes seconds per file. Real
 * Chromium, `npm start` from a clean checkout, the bounded load test, 10,000 fast-check runs,
 * dependencies that hang until their timeouts, `npm` in child processes, the built bundle in
 * fresh processes and worker threads, the local server, and the synthesized stack compared with
 * the build. `npm test` runs them with everything else; `npm run test:unit` runs the rest, on the
 * sources, with no build (docs/testing.md).
 */
const SLOW_TESTS = [
  'test/browser/**',
  'test/dev/demo-journey.test.ts',
  'test/dev/demo-funnel.test.ts',
  'test/dev/npm-start.test.ts',
  'test/dev/function-host.test.ts',
  'test/dev/local-server.test.ts',
  'test/dev/local-server-policy.test.ts',
  'test/hardening/load.test.ts',
  'test/hardening/handler.property.test.ts',
  'test/hardening/faults.test.ts',
  'test/function/bundle.test.ts',
  'test/web-snippet/bundle-size.test.ts',
  'test/cdk/enrollment-token-stack.test.ts',
  'test/cdk/enrollment-funnel.test.ts',
  'test/operator/**',
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
