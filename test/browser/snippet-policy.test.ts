// The snippet's prompt policy in Chromium: it asks only where a passkey can be made (a virtual platform
// authenticator on purpose, or none), remembers a passkey made on this device, follows the server's
// 204/429 skips, and reports each outcome to the outcome endpoint with keepalive.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Snippet from '../../web-snippet/src/index.ts';
import { launchChromium, type PageProblems, watchPage } from '../support/browser.ts';
import { findClosedPort, type StaticServer, startStaticServer } from '../support/static-server.ts';
import { usePlatformAuthenticator, type VirtualAuthenticators } from '../support/virtual-authenticator.ts';

const SNIPPET_PATH = join(import.meta.dirname, '../../web-snippet/dist/ownid-enroll.min.js');
const TOKEN_ROUTE = '/generate-auth-token';
const OUTCOME_ROUTE = '/enrollment-outcome';
const EMAIL = 'ada@example.com';
const TOKEN = 'header.payload.signature';
const POLL = { timeout: 5000 };

type FetchCall = { url: string; method?: string; keepalive?: boolean; credentials?: string };

declare global {
  interface Window {
    OwnIDEnroll: typeof Snippet;
    fetchCalls: FetchCall[];
    policyEvents: Record<string, unknown>[];
  }
}

const page = (head = '') =>
  `<!doctype html><html><head><link rel="icon" href="data:,">${head}<script src="/ownid-enroll.min.js"></script></head><body><p>Signed in</p></body></html>`;

// Pages and what runs on them before the snippet.
const PAGE_SCRIPTS: Record<string, string> = {
  '/': '',
  '/next.html': '',
  '/no-webauthn.html': 'delete window.PublicKeyCredential;',
  '/check-throws.html':
    'PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable = () => Promise.reject(new Error("no"));',
  '/no-local-storage.html': `Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('blocked', 'SecurityError'); } });`,
};

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;
let tab: Page;
let problems: PageProblems;
let authenticator: VirtualAuthenticators | undefined;

beforeAll(async () => {
  if (!existsSync(SNIPPET_PATH)) throw new Error(`${SNIPPET_PATH} is missing: run \`npm run build\` first`);
  [browser, server] = await Promise.all([launchChromium(), startStaticServer()]);
  context = await browser.newContext();
  tab = await context.newPage();
  problems = await watchPage(tab);
  // Records what the snippet hands to fetch (keepalive is not visible on the wire), then lets it through.
  await tab.addInitScript(() => {
    window.fetchCalls = [];
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      const { method, keepalive, credentials } = init ?? {};
      window.fetchCalls.push({ url: String(input), method, keepalive, credentials });
      return realFetch(input, init);
    };
  });
  server.fileFromDisk('/ownid-enroll.min.js', SNIPPET_PATH);
  for (const [path, script] of Object.entries(PAGE_SCRIPTS))
    server.file(path, page(`<script>${script}</script>`));
});

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

beforeEach(async () => {
  server.clearRequests();
  server.route(TOKEN_ROUTE, { body: { email: EMAIL, token: TOKEN } });
  server.route(OUTCOME_ROUTE, { status: 204 });
  await context.clearCookies();
  authenticator = await usePlatformAuthenticator(tab, 'present');
  problems.clear();
});

afterEach(async () => {
  expect(problems.pageErrors).toEqual([]);
  expect(problems.unhandledRejections).toEqual([]);
  await tab.evaluate(() => {
    try {
      localStorage.clear();
    } catch {}
  });
  await authenticator?.session.detach(); // takes the virtual authenticators with it
  authenticator = undefined;
});

/** From here on the page sees no platform authenticator (the machine's real ones are hidden too). */
async function removePlatformAuthenticator() {
  await authenticator?.session.detach();
  authenticator = await usePlatformAuthenticator(tab, 'absent');
}

async function open(path = '/') {
  await tab.goto(server.origin + path);
}

interface RunArgs {
  options?: Omit<Snippet.EnrollmentOptions, 'onEvent' | 'getAuthorization'>;
  bearer?: string;
  /** What OwnID's enrollCredential resolves to, or `{ throws }`; `null` leaves the SDK out. */
  ownid?: { result?: unknown; throws?: string } | null;
}

/** Runs initiatePasskeysEnrollment with a stand-in OwnID SDK; onEvent's events land in `policyEvents`. */
function run({ options, bearer, ownid = { result: { data: {} } } }: RunArgs = {}) {
  return tab.evaluate(
    async ({ options, bearer, ownid }) => {
      let sdkCalls = 0;
      if (ownid) {
        (window as { ownid?: unknown }).ownid = {
          enrollCredential: async () => {
            sdkCalls++;
            if (ownid.throws) throw new Error(ownid.throws);
            return ownid.result;
          },
        };
      }
      window.policyEvents = [];
      const outcome = await window.OwnIDEnroll.initiatePasskeysEnrollment({
        toast: false,
        ...options,
        getAuthorization: bearer ? () => bearer : undefined,
        onEvent: (event) => {
          const { error, ...rest } = event as { error?: unknown };
          window.policyEvents.push(error === undefined ? rest : { ...rest, error: String(error) });
        },
      });
      return { outcome, events: [...window.policyEvents], sdkCalls };
    },
    { options, bearer, ownid },
  );
}

const reportsReceived = () => server.requestsTo(OUTCOME_ROUTE).map((request) => JSON.parse(request.body));
const BEARER = 'id-token';
const signIn = () => context.addCookies([{ name: 'session', value: 's-1', url: server.origin }]);

/** One report of exactly `body` reached the server: a JSON POST with the session cookie and the bearer, keepalive. */
async function expectOneReport(body: Record<string, unknown>) {
  await expect.poll(reportsReceived, POLL).toEqual([body]);
  const [received] = server.requestsTo(OUTCOME_ROUTE);
  expect(received?.method).toBe('POST');
  expect(received?.headers).toMatchObject({
    authorization: `Bearer ${BEARER}`,
    'content-type': 'application/json',
  });
  expect(received?.cookies.session).toBe('s-1');
  const calls = await tab.evaluate(() =>
    window.fetchCalls.filter((call) => call.url.endsWith('/enrollment-outcome')),
  );
  expect(calls).toEqual([
    { url: `${server.origin}${OUTCOME_ROUTE}`, method: 'POST', keepalive: true, credentials: 'include' },
  ]);
}

describe('eligibility', () => {
  it('asks for a token on a device with a user-verifying platform authenticator', async () => {
    await open();
    expect(await run()).toEqual({ outcome: 'enrolled', events: [{ type: 'enrolled' }], sdkCalls: 1 });
    expect(server.requestsTo(TOKEN_ROUTE, 'POST')).toHaveLength(1);
  });

  it.each([
    ['there is no platform authenticator', '/', false],
    ['PublicKeyCredential is missing', '/no-webauthn.html', true],
    ['the platform authenticator check throws', '/check-throws.html', true],
  ])(
    'skips as ineligible and reports it, without a token, when %s',
    async (_name, path, withAuthenticator) => {
      if (!withAuthenticator) await removePlatformAuthenticator();
      await open(path);
      await signIn();
      expect(await run({ bearer: BEARER })).toEqual({
        outcome: 'skipped',
        events: [{ type: 'skipped', reason: 'ineligible' }],
        sdkCalls: 0,
      });
      expect(server.requestsTo(TOKEN_ROUTE)).toEqual([]);
      await expectOneReport({ outcome: 'ineligible' });
    },
  );

  it('asks anyway with checkEligibility: false', async () => {
    await removePlatformAuthenticator();
    await open();
    expect(await run({ options: { checkEligibility: false } })).toMatchObject({ outcome: 'enrolled' });
    expect(server.requestsTo(TOKEN_ROUTE)).toHaveLength(1);
  });
});

describe('device memory', () => {
  const expectedKey = `ownid-enroll:${createHash('sha256').update(EMAIL).digest('base64')}`;
  const storedEntries = () => tab.evaluate(() => Object.entries(localStorage));

  it('remembers an enrollment under a SHA-256 of the lower-cased email, never the email', async () => {
    server.route(TOKEN_ROUTE, { body: { email: 'Ada@Example.COM', token: TOKEN } });
    await open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    const entries = await storedEntries();
    expect(entries).toEqual([[expectedKey, '1']]);
    expect(JSON.stringify(entries).toLowerCase()).not.toContain('ada@');
  });

  it('remembers nothing after a cancel or a failure', async () => {
    await open();
    expect(await run({ ownid: { result: {} } })).toMatchObject({ outcome: 'cancelled' });
    expect(await run({ ownid: { throws: 'nope' } })).toMatchObject({ outcome: 'failed' });
    expect(await storedEntries()).toEqual([]);
  });

  it('with the email hint, skips a user who enrolled here without any request', async () => {
    await open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    await open('/next.html');
    server.clearRequests();
    expect(await run({ options: { email: 'ADA@example.com' } })).toEqual({
      outcome: 'skipped',
      events: [{ type: 'skipped', reason: 'enrolled_on_device' }],
      sdkCalls: 0,
    });
    await tab.waitForTimeout(100); // a report, if any, would have been sent by now
    expect(server.requests).toEqual([]);
  });

  it('without a hint, fetches the token, then neither opens OwnID nor reports', async () => {
    await open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    server.clearRequests();
    expect(await run()).toEqual({
      outcome: 'skipped',
      events: [{ type: 'skipped', reason: 'enrolled_on_device' }],
      sdkCalls: 0,
    });
    expect(server.requestsTo(TOKEN_ROUTE)).toHaveLength(1);
    await tab.waitForTimeout(100);
    expect(server.requestsTo(OUTCOME_ROUTE)).toEqual([]);
  });

  it('asks a user this device does not remember, hint or not', async () => {
    await open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    server.route(TOKEN_ROUTE, { body: { email: 'grace@example.com', token: TOKEN } });
    expect(await run({ options: { email: 'grace@example.com' } })).toMatchObject({
      outcome: 'enrolled',
      sdkCalls: 1,
    });
  });

  it('checks the email of the token response too when the hint names someone else', async () => {
    await open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    expect(await run({ options: { email: 'grace@example.com' } })).toMatchObject({
      outcome: 'skipped',
      sdkCalls: 0,
    });
    expect(server.requestsTo(TOKEN_ROUTE)).toHaveLength(2);
  });

  it('goes on silently when localStorage is blocked', async () => {
    await open('/no-local-storage.html');
    expect(await run({ options: { email: EMAIL } })).toMatchObject({ outcome: 'enrolled' });
    expect(await run({ options: { email: EMAIL } })).toMatchObject({ outcome: 'enrolled', sdkCalls: 1 });
    expect(problems.consoleOf()).toEqual([]);
  });
});

describe("the server's skips", () => {
  it.each(['snoozed', 'declined', 'not_in_rollout', 'failing', 'enrolled', 'a_reason_from_the_future'])(
    '204 with Enrollment-Skip: %s',
    async (reason) => {
      server.route(TOKEN_ROUTE, { status: 204, headers: { 'Enrollment-Skip': reason } });
      await open();
      expect(await run()).toEqual({ outcome: 'skipped', events: [{ type: 'skipped', reason }], sdkCalls: 0 });
      await tab.waitForTimeout(100);
      expect(server.requestsTo(OUTCOME_ROUTE)).toEqual([]);
      expect(problems.consoleOf()).toEqual([]);
    },
  );

  it('204 cross-origin: the reason when CORS exposes the header, "policy" when not', async () => {
    const endpoint = `http://localhost:${server.port}${TOKEN_ROUTE}`;
    const cors = { 'Access-Control-Allow-Origin': server.origin, 'Access-Control-Allow-Credentials': 'true' };
    await open();
    server.route(TOKEN_ROUTE, {
      status: 204,
      headers: { ...cors, 'Enrollment-Skip': 'snoozed', 'Access-Control-Expose-Headers': 'Enrollment-Skip' },
    });
    expect(await run({ options: { endpoint } })).toMatchObject({ events: [{ reason: 'snoozed' }] });
    server.route(TOKEN_ROUTE, { status: 204, headers: { ...cors, 'Enrollment-Skip': 'snoozed' } });
    expect(await run({ options: { endpoint } })).toMatchObject({ events: [{ reason: 'policy' }] });
  });

  it('429 is a skip (rate_limited), not a failure', async () => {
    server.route(TOKEN_ROUTE, {
      status: 429,
      headers: { 'Retry-After': '3600' },
      body: { error: 'rate_limited' },
    });
    await open();
    expect(await run()).toEqual({
      outcome: 'skipped',
      events: [{ type: 'skipped', reason: 'rate_limited' }],
      sdkCalls: 0,
    });
    const warnings = problems.consoleOf().filter((m) => !m.text.startsWith('Failed to load resource'));
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
      await open();
      await signIn();
      const result = await run({ ownid, bearer: BEARER, options: { sdkWaitMs: 100 } });
      expect(result.outcome).toBe(report.outcome);
      expect(result.events).toHaveLength(1);
      await expectOneReport({ token: TOKEN, ...report });
    },
  );

  it('reports nothing for a failure before a token was received', async () => {
    server.route(TOKEN_ROUTE, { status: 500 });
    await open();
    expect(await run()).toMatchObject({ outcome: 'failed', events: [{ reason: 'http_error' }] });
    await tab.waitForTimeout(100);
    expect(server.requestsTo(OUTCOME_ROUTE)).toEqual([]);
  });

  it('resolves without waiting for the report', async () => {
    let answer = () => {};
    server.route(OUTCOME_ROUTE, () => new Promise((resolve) => (answer = () => resolve({ status: 204 }))));
    await open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    // Resolved although the outcome endpoint has not answered yet.
    await expect.poll(() => server.requestsTo(OUTCOME_ROUTE).length, POLL).toBe(1);
    answer();
  });

  it('goes beside the token endpoint by default, to outcomeEndpoint when given, nowhere with false', async () => {
    server.route('/api/v1/token', { body: { email: EMAIL, token: TOKEN } });
    server.route('/api/v1/enrollment-outcome', { status: 204 });
    server.route('/custom/outcome', { status: 204 });
    await open();
    const forgetPasskey = () => tab.evaluate(() => localStorage.clear());
    await run({ options: { endpoint: '/api/v1/token' } });
    await forgetPasskey();
    await run({ options: { outcomeEndpoint: '/custom/outcome' } });
    await forgetPasskey();
    await run({ options: { outcomeEndpoint: false } });
    await removePlatformAuthenticator();
    expect(await run({ options: { outcomeEndpoint: false } })).toMatchObject({ outcome: 'skipped' });
    await tab.waitForTimeout(100);
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
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
      server.route(OUTCOME_ROUTE, { status: 500, body: { error: 'internal' } });
      await open();
      const result = await run({ options: await options() });
      expect(result).toEqual({ outcome: 'enrolled', events: [{ type: 'enrolled' }], sdkCalls: 1 });
      await expect
        .poll(() => tab.evaluate(() => window.policyEvents), POLL)
        .toEqual([{ type: 'enrolled' }, { type: 'report_failed', outcome: 'enrolled', ...detail }]);
      const warnings = problems
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
    const cors = { 'Access-Control-Allow-Origin': server.origin, 'Access-Control-Allow-Credentials': 'true' };
    server.route(OUTCOME_ROUTE, ({ method }) =>
      method === 'OPTIONS'
        ? {
            status: 204,
            delayMs: 800,
            headers: { ...cors, 'Access-Control-Allow-Headers': 'content-type, authorization' },
          }
        : { status: 204, headers: cors },
    );
    await open();
    await tab.evaluate((outcomeEndpoint) => {
      (window as { ownid?: unknown }).ownid = { enrollCredential: async () => ({ data: {} }) };
      void window.OwnIDEnroll.initiatePasskeysEnrollment({
        toast: false,
        outcomeEndpoint,
        onEvent: () => {
          location.href = '/next.html';
        },
      });
    }, `http://localhost:${server.port}${OUTCOME_ROUTE}`);
    await tab.waitForURL(`${server.origin}/next.html`);
    await expect.poll(() => server.requestsTo(OUTCOME_ROUTE, 'OPTIONS').length, POLL).toBe(1);
    await expect
      .poll(() => server.requestsTo(OUTCOME_ROUTE, 'POST').map((r) => JSON.parse(r.body)), POLL)
      .toEqual([{ token: TOKEN, outcome: 'enrolled' }]);
  });
});
