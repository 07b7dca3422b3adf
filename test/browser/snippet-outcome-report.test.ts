import { describe, expect, it } from 'vitest';
import {
  BEARER,
  EMAIL,
  OUTCOME_ROUTE,
  POLL,
  TOKEN,
  TOKEN_ROUTE,
  usePolicyHostPage,
} from '../support/snippet-policy-page.ts';
import { findClosedPort } from '../support/static-server.ts';

const { host, run, signIn, expectOneReport } = usePolicyHostPage();

describe("the server's skips", () => {
  it.each(['snoozed', 'declined', 'not_in_rollout', 'failing', 'enrolled', 'a_reason_from_the_future'])(
    '204 with Enrollment-Skip: %s',
    async (reason) => {
      host.server.route(TOKEN_ROUTE, { status: 204, headers: { 'Enrollment-Skip': reason } });
      await host.open();
      expect(await run()).toEqual({ outcome: 'skipped', events: [{ type: 'skipped', reason }], sdkCalls: 0 });
      await host.page.waitForTimeout(100);
      expect(host.server.requestsTo(OUTCOME_ROUTE)).toEqual([]);
      expect(host.problems.consoleOf()).toEqual([]);
    },
  );

  it('204 cross-origin: the reason when CORS exposes the header, "policy" when not', async () => {
    const endpoint = `http://localhost:${host.server.port}${TOKEN_ROUTE}`;
    const cors = {
      'Access-Control-Allow-Origin': host.server.origin,
      'Access-Control-Allow-Credentials': 'true',
    };
    await host.open();
    host.server.route(TOKEN_ROUTE, {
      status: 204,
      headers: { ...cors, 'Enrollment-Skip': 'snoozed', 'Access-Control-Expose-Headers': 'Enrollment-Skip' },
    });
    expect(await run({ options: { endpoint } })).toMatchObject({ events: [{ reason: 'snoozed' }] });
    host.server.route(TOKEN_ROUTE, { status: 204, headers: { ...cors, 'Enrollment-Skip': 'snoozed' } });
    expect(await run({ options: { endpoint } })).toMatchObject({ events: [{ reason: 'policy' }] });
  });

  it('429 is a skip (rate_limited), not a failure', async () => {
    host.server.route(TOKEN_ROUTE, {
      status: 429,
      headers: { 'Retry-After': '3600' },
      body: { error: 'rate_limited' },
    });
    await host.open();
    expect(await run()).toEqual({
      outcome: 'skipped',
      events: [{ type: 'skipped', reason: 'rate_limited' }],
      sdkCalls: 0,
    });
    const warnings = host.problems.consoleOf().filter((m) => !m.text.startsWith('Failed to load resource'));
    expect(warnings).toEqual([]);
  });
});

const LONG_MESSAGE = `WebAuthn ceremony failed: ${'x'.repeat(300)}`;

describe('the outcome report', () => {
  it.each([
    { name: 'enrolled', ownid: { result: { data: {} } }, report: { outcome: 'enrolled' } },
    { name: 'cancelled', ownid: { result: {} }, report: { outcome: 'cancelled' } },
    {
      name: "failed with OwnID's message, cut to 200 characters",
      ownid: { result: { error: { code: 'E1' }, message: LONG_MESSAGE } },
      report: { outcome: 'failed', detail: LONG_MESSAGE.slice(0, 200) },
    },
    {
      name: 'failed with the message OwnID threw',
      ownid: { throws: 'The operation either timed out or was not allowed.' },
      report: { outcome: 'failed', detail: 'The operation either timed out or was not allowed.' },
    },
    { name: 'failed: the SDK never loaded', ownid: null, report: { outcome: 'failed' } },
  ])(
    '$name: POSTs {token, outcome, detail?} with keepalive, cookies and the bearer',
    async ({ ownid, report }) => {
      await host.open();
      await signIn();
      const result = await run({ ownid, bearer: BEARER, options: { sdkWaitMs: 100 } });
      expect(result.outcome).toBe(report.outcome);
      expect(result.events).toHaveLength(1);
      await expectOneReport({ token: TOKEN, ...report });
    },
  );

  it('reports nothing for a failure before a token was received', async () => {
    host.server.route(TOKEN_ROUTE, { status: 500 });
    await host.open();
    expect(await run()).toMatchObject({ outcome: 'failed', events: [{ reason: 'http_error' }] });
    await host.page.waitForTimeout(100);
    expect(host.server.requestsTo(OUTCOME_ROUTE)).toEqual([]);
  });

  it('resolves without waiting for the report', async () => {
    let answer = () => {};
    host.server.route(
      OUTCOME_ROUTE,
      () => new Promise((resolve) => (answer = () => resolve({ status: 204 }))),
    );
    await host.open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    // Resolved although the outcome endpoint has not answered yet.
    await expect.poll(() => host.server.requestsTo(OUTCOME_ROUTE).length, POLL).toBe(1);
    answer();
  });

  it('goes beside the token endpoint by default, to outcomeEndpoint when given, nowhere with false', async () => {
    host.server.route('/api/v1/token', { body: { email: EMAIL, token: TOKEN } });
    host.server.route('/api/v1/enrollment-outcome', { status: 204 });
    host.server.route('/custom/outcome', { status: 204 });
    await host.open();
    const forgetPasskey = () => host.page.evaluate(() => localStorage.clear());
    await run({ options: { endpoint: '/api/v1/token' } });
    await forgetPasskey();
    await run({ options: { outcomeEndpoint: '/custom/outcome' } });
    await forgetPasskey();
    await run({ options: { outcomeEndpoint: false } });
    await host.usePlatformAuthenticator('absent');
    expect(await run({ options: { outcomeEndpoint: false } })).toMatchObject({ outcome: 'skipped' });
    await host.page.waitForTimeout(100);
    expect(host.server.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/api/v1/token',
      '/api/v1/enrollment-outcome',
      TOKEN_ROUTE,
      '/custom/outcome',
      TOKEN_ROUTE,
    ]);
  });
});

describe('a failed report', () => {
  it.each([
    ['answers 500', async () => ({}), { status: 500 }],
    [
      'is refused (closed port)',
      async () => ({ outcomeEndpoint: `http://127.0.0.1:${await findClosedPort()}${OUTCOME_ROUTE}` }),
      { error: expect.stringContaining('TypeError') },
    ],
  ])(
    'reaches onEvent only, after the outcome, when the outcome endpoint %s',
    async (_name, options, detail) => {
      host.server.route(OUTCOME_ROUTE, { status: 500, body: { error: 'internal' } });
      await host.open();
      const result = await run({ options: await options() });
      expect(result).toEqual({ outcome: 'enrolled', events: [{ type: 'enrolled' }], sdkCalls: 1 });
      await expect
        .poll(() => host.page.evaluate(() => window.policyEvents), POLL)
        .toEqual([{ type: 'enrolled' }, { type: 'report_failed', outcome: 'enrolled', ...detail }]);
      const warnings = host.problems
        .consoleOf()
        .filter((m) => !/Failed to load resource|ERR_CONNECTION/.test(m.text));
      expect(warnings).toEqual([]);
    },
  );
});

describe('a page that navigates away right after the outcome', () => {
  it('still delivers the report (keepalive), even behind a slow CORS preflight', async () => {
    // Cross-origin with a JSON body: the browser asks a preflight first. Answering it long after the page
    // is gone means the report itself is sent only then, which only a keepalive request survives.
    const cors = {
      'Access-Control-Allow-Origin': host.server.origin,
      'Access-Control-Allow-Credentials': 'true',
    };
    host.server.route(OUTCOME_ROUTE, ({ method }) =>
      method === 'OPTIONS'
        ? {
            status: 204,
            delayMs: 800,
            headers: { ...cors, 'Access-Control-Allow-Headers': 'content-type, authorization' },
          }
        : { status: 204, headers: cors },
    );
    await host.open();
    await host.page.evaluate((outcomeEndpoint) => {
      (window as { ownid?: unknown }).ownid = { enrollCredential: async () => ({ data: {} }) };
      void window.OwnIDEnroll.initiatePasskeysEnrollment({
        toast: false,
        outcomeEndpoint,
        onEvent: () => {
          location.href = '/next.html';
        },
      });
    }, `http://localhost:${host.server.port}${OUTCOME_ROUTE}`);
    await host.page.waitForURL(`${host.server.origin}/next.html`);
    await expect.poll(() => host.server.requestsTo(OUTCOME_ROUTE, 'OPTIONS').length, POLL).toBe(1);
    await expect
      .poll(() => host.server.requestsTo(OUTCOME_ROUTE, 'POST').map((r) => JSON.parse(r.body)), POLL)
      .toEqual([{ token: TOKEN, outcome: 'enrolled' }]);
  });
});
