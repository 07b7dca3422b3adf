import { defineConfig } from 'vitest/config';

/**
 * The slow tier: everything that needs `npm run build` first or takes seconds per file. Real
 * Chromium, `npm start` from a clean checkout, the bounded load test, 10,000 fast-check runs,
 * real-clock waits of seconds (stale-while-revalidate), dependencies that hang until their timeouts,
 * `npm` in child processes, the built bundle in fresh processes and worker threads, the local
 * server, the synthesized stack compared with the build, and the packages as `npm pack` makes them,
 * installed into scratch apps. `npm test` runs them with everything else; `npm run test:unit` runs
 * the rest, on the sources, with no build, and a tenth of each property test's runs
 * (FAST_CHECK_RUNS_SCALE, docs/testing.md).
 */
const SLOW_TESTS = [
  'test/browser/**',
  'test/dev/demo-journey.test.ts',
  'test/dev/demo-funnel.test.ts',
  'test/dev/npm-start.test.ts',
  'test/dev/function-host.test.ts',
  'test/dev/local-server.test.ts',
  'test/dev/local-server-settings.test.ts',
  'test/dev/local-server-policy.test.ts',
  'test/hardening/load.test.ts',
  'test/hardening/handler.property.test.ts',
  'test/hardening/handler-characters.property.test.ts',
  'test/hardening/stale-while-revalidate.test.ts',
  'test/hardening/faults-secrets-manager.test.ts',
  'test/hardening/faults-jwks-and-secrets.test.ts',
  'test/function/bundle.test.ts',
  'test/function/traced-bundle.test.ts',
  'test/function/handler-secrets-manager-failures.test.ts',
  'test/web-snippet/bundle-size.test.ts',
  'test/cdk/enrollment-token-stack.test.ts',
  'test/policy/store-faults.test.ts',
  'test/metrics/enrollment-events.test.ts',
  'test/cdk/deploy-readiness.test.ts',
  'test/cdk/runbook.test.ts',
  'test/cdk/enrollment-state.test.ts',
  'test/cdk/enrollment-token-stack-operations.test.ts',
  'test/cdk/enrollment-funnel.test.ts',
  'test/operator/**',
  'test/packages/*-package.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    // CDK synthesis in beforeAll takes ~15 s on a quiet 2-core machine; room for a busy one.
    hookTimeout: 180_000,
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
