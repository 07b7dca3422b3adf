// The built IIFE (web-snippet/dist/ownid-enroll.min.js) in a real Chromium, against a stand-in token
// endpoint and a stand-in OwnID SDK whose behaviour each test sets.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Snippet from '../../web-snippet/src/index.ts';
import { launchChromium, type PageProblems, watchPage } from '../support/browser.ts';
import {
  findClosedPort,
  type RouteResponse,
  type StaticServer,
  startStaticServer,
} from '../support/static-server.ts';
import { usePlatformAuthenticator, type VirtualAuthenticators } from '../support/virtual-authenticator.ts';

const SNIPPET_PATH = join(import.meta.dirname, '../../web-snippet/dist/ownid-enroll.min.js');
const ENDPOINT = '/generate-auth-token';
const OUTCOME_ENDPOINT = '/enrollment-outcome';
const TOAST = '[data-ownid-enroll-toast]';
const TOAST_TEXT = 'Passkey successfully created!';
// Generous: the machine may be busy; a passing poll returns at once.
const POLL = { timeout: 5000 };
const TOKEN_BODY = { email: 'ada@example.com', token: 'header.payload.signature' };

interface OwnIdBehaviour {
  result?: unknown;
  throws?: string;
}

declare global {
  interface Window {
    OwnIDEnroll: typeof Snippet;
    ownidCalls: { email: string; token: string }[];
    ownidBehaviour: OwnIdBehaviour;
    pendingOutcome?: Promise<Snippet.EnrollmentOutcome>;
    esm?: typeof Snippet;
  }
}

// The OwnID SDK stand-in: records its calls and answers what the test put in `ownidBehaviour`.
const OWNID_STUB = `
window.ownidCalls = [];
window.ownidBehaviour = { result: { data: { id: 'passkey-1' } } };
window.ownid = {
  enrollCredential: async function (email, token) {
    window.ownidCalls.push({ email, token });
    var b = window.ownidBehaviour;
    if (b.throws) throw new Error(b.throws);
    return b.result;
  },
};`;

const html = (head: string, body = '<main><h1>Welcome back</h1><p>You are logged in.</p></main>') =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Host page</title><link rel="icon" href="data:,">${head}</head><body>${body}</body></html>`;
const WITH_SDK = '<script src="/ownid-stub.js"></script><script src="/ownid-enroll.min.js"></script>';

let browser: Browser;
let server: StaticServer;
// One page for the whole file, reused: a new page costs ~300 ms in headless Chromium. Each test starts
// with no cookies, no sessionStorage, no reduced motion and an empty problem log, and navigates.
let context: BrowserContext;
let page: Page;
let problems: PageProblems;
// These tests are about a device that can make a passkey (eligibility has its own file).
let authenticator: VirtualAuthenticators;

beforeAll(async () => {
  if (!existsSync(SNIPPET_PATH)) throw new Error(`${SNIPPET_PATH} is missing: run \`npm run build\` first`);
  [browser, server] = await Promise.all([launchChromium(), startStaticServer()]);
  context = await browser.newContext();
  page = await context.newPage();
  problems = await watchPage(page);
  server.fileFromDisk('/ownid-enroll.min.js', SNIPPET_PATH);
  server.file('/ownid-stub.js', OWNID_STUB);
  server.file('/', html(WITH_SDK));
  server.file('/no-sdk.html', html('<script src="/ownid-enroll.min.js"></script>'));
  server.file(
    '/late-sdk.html',
    html(
      '<script src="/ownid-enroll.min.js"></script>' +
        `<script>setTimeout(function () { var s = document.createElement('script'); s.src = '/ownid-stub.js'; document.head.append(s); }, 300);</script>`,
    ),
  );
  // Hostile host CSS: the toast must still show, styled by itself alone.
  server.file(
    '/hostile.html',
    html(
      `${WITH_SDK}<style>*{color:red!important;font-size:40px!important}div,span,svg{display:none!important}` +
        'ownid-enroll-toast{display:none!important}</style>',
    ),
  );
  // Storage blocked, as in a sandboxed frame or with cookies disabled.
  server.file(
    '/no-storage.html',
    html(
      `<script>Object.defineProperty(window, 'sessionStorage', { get: function () { throw new DOMException('The operation is insecure.', 'SecurityError'); } });</script>${WITH_SDK}`,
    ),
  );
  server.fileFromDisk('/ownid-enroll.mjs', SNIPPET_PATH.replace(/\.min\.js$/, '.mjs'));
  server.file(
    '/esm.html',
    html(
      `<script src="/ownid-stub.js"></script><script type="module">import * as enroll from '/ownid-enroll.mjs'; window.esm = enroll;</script>`,
    ),
  );
  // The page after login: runs the pending enrollment on load.
  server.file(
    '/account.html',
    html(`${WITH_SDK}<script>window.pendingOutcome = OwnIDEnroll.runPendingEnrollment();</script>`),
  );
});

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

beforeEach(async () => {
  server.clearRequests();
  server.route(ENDPOINT, { body: TOKEN_BODY });
  server.route(OUTCOME_ENDPOINT, { status: 204 });
  [authenticator] = await Promise.all([
    usePlatformAuthenticator(page, 'present'),
    context.clearCookies(),
    page.emulateMedia({ reducedMotion: 'no-preference' }),
  ]);
  problems.clear();
});

afterEach(async () => {
  // Whatever happened, the snippet never throws into the page.
  expect(problems.pageErrors).toEqual([]);
  expect(problems.unhandledRejections).toEqual([]);
  await page.evaluate(() => {
    try {
      sessionStorage.clear();
      localStorage.clear();
    } catch {}
  });
  await authenticator.session.detach(); // takes the virtual authenticator with it
});

async function open(path = '/') {
  await page.goto(server.origin + path);
  return { context, page, problems };
}

interface EnrollArgs {
  options?: Omit<Snippet.EnrollmentOptions, 'onEvent' | 'getAuthorization' | 'toast'> & { toast?: boolean };
  /** getAuthorization() resolves to this (a string, or null for "no bearer"); 'throw' makes it throw. */
  bearer?: string | null;
  behaviour?: OwnIdBehaviour;
}

/**
 * Runs initiatePasskeysEnrollment in the page; returns the outcome, the events onEvent received, and what
 * the page looks like right after (one round trip keeps the suite fast).
 */
function enroll(page: Page, args: EnrollArgs = {}) {
  return page.evaluate(async ({ options, bearer, behaviour }) => {
    if (behaviour && window.ownidBehaviour) window.ownidBehaviour = behaviour;
    const before = document.documentElement.outerHTML;
    const events: Record<string, unknown>[] = [];
    const getAuthorization =
      bearer === undefined
        ? undefined
        : async () => {
            if (bearer === 'throw') throw new Error('no session in the auth library');
            return bearer;
          };
    const outcome = await window.OwnIDEnroll.initiatePasskeysEnrollment({
      ...options,
      getAuthorization,
      onEvent: (event) => {
        const { error, ...rest } = event as { error?: unknown };
        events.push({ ...rest, hasError: error !== undefined });
      },
    });
    return {
      outcome,
      events,
      pageChanged: document.documentElement.outerHTML !== before,
      toasts: document.querySelectorAll('[data-ownid-enroll-toast]').length,
      sdkCalls: window.ownidCalls?.length ?? 0,
    };
  }, args);
}

const animationName = (page: Page) =>
  page.locator(`${TOAST} [role="status"]`).evaluate((el) => getComputedStyle(el).animationName);

describe('success', () => {
  it('shows "Passkey successfully created!" with role status and a check mark, then removes it', async () => {
    const { page, problems } = await open();
    const result = await enroll(page, { options: { toastDurationMs: 1500 } });
    expect(result).toEqual({
      outcome: 'enrolled',
      events: [{ type: 'enrolled', hasError: false }],
      pageChanged: true,
      toasts: 1,
      sdkCalls: 1,
    });
    expect(await page.evaluate(() => window.ownidCalls)).toEqual([TOKEN_BODY]);

    const status = page.locator(`${TOAST} [role="status"]`);
    await expect.poll(() => status.textContent(), POLL).toBe(TOAST_TEXT);
    expect(await status.getAttribute('aria-live')).toBe('polite');
    expect(await status.locator('svg').count()).toBe(1);
    expect(await status.isVisible()).toBe(true);
    expect(await animationName(page)).not.toBe('none');
    // Styles are scoped to the shadow root: nothing was added to the page's own stylesheets.
    expect(await page.evaluate(() => document.styleSheets.length)).toBe(0);

    await page.locator(TOAST).waitFor({ state: 'detached', timeout: 5000 });
    expect(problems.consoleOf()).toEqual([]);
  });

  it('shows the toast without animation when the user prefers reduced motion', async () => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await open();
    expect(await enroll(page)).toMatchObject({ outcome: 'enrolled' });
    await expect.poll(() => page.locator(`${TOAST} [role="status"]`).textContent(), POLL).toBe(TOAST_TEXT);
    expect(await animationName(page)).toBe('none');
  });

  it('keeps its own look on a page with hostile CSS', async () => {
    const { page } = await open('/hostile.html');
    expect(await enroll(page)).toMatchObject({ outcome: 'enrolled' });
    const status = page.locator(`${TOAST} [role="status"]`);
    await expect.poll(() => status.textContent(), POLL).toBe(TOAST_TEXT);
    expect(await status.isVisible()).toBe(true);
    const style = await status.evaluate((el) => {
      const { color, fontSize } = getComputedStyle(el);
      return { color, fontSize };
    });
    expect(style).toEqual({ color: 'rgb(34, 34, 34)', fontSize: '14px' });
  });

  it('shows no toast with toast: false', async () => {
    const { page } = await open();
    // The built-in toast is attached before the promise resolves, so there is nothing to wait for.
    expect(await enroll(page, { options: { toast: false } })).toMatchObject({
      outcome: 'enrolled',
      toasts: 0,
      pageChanged: false,
    });
  });

  it('hands the message to a custom toast function instead', async () => {
    const { page } = await open();
    const shown = await page.evaluate(async () => {
      const messages: string[] = [];
      const outcome = await window.OwnIDEnroll.initiatePasskeysEnrollment({
        toast: (message) => messages.push(message),
      });
      const translated: string[] = [];
      // This device now remembers the passkey: forget it, to enroll again.
      localStorage.clear();
      await window.OwnIDEnroll.initiatePasskeysEnrollment({
        toastMessage: 'Passkey erstellt!',
        toast: (message) => translated.push(message),
      });
      return { outcome, messages, translated };
    });
    expect(shown).toEqual({ outcome: 'enrolled', messages: [TOAST_TEXT], translated: ['Passkey erstellt!'] });
    expect(await page.locator(TOAST).count()).toBe(0);
  });

  it('survives a custom toast and an onEvent that throw or reject', async () => {
    const { page } = await open();
    const outcomes = await page.evaluate(async () => {
      const { initiatePasskeysEnrollment } = window.OwnIDEnroll;
      const first = await initiatePasskeysEnrollment({
        toast: () => {
          throw new Error('toast broke');
        },
        onEvent: () => {
          throw new Error('analytics broke');
        },
      });
      // This device now remembers the passkey: forget it, to enroll again.
      localStorage.clear();
      const second = await initiatePasskeysEnrollment({
        toast: false,
        onEvent: async () => {
          throw new Error('async analytics broke');
        },
      });
      return [first, second];
    });
    expect(outcomes).toEqual(['enrolled', 'enrolled']);
    await page.waitForTimeout(100); // let an unhandled rejection, if any, be reported
  });

  it('waits for an OwnID SDK that is still loading', async () => {
    const { page } = await open('/late-sdk.html');
    expect(await enroll(page, { options: { sdkWaitMs: 3000 } })).toMatchObject({ outcome: 'enrolled' });
  });

  it('uses an OwnID SDK that loaded after sdkWaitMs but before a slower token', async () => {
    server.route(ENDPOINT, { body: TOKEN_BODY, delayMs: 700 });
    const { page } = await open('/no-sdk.html');
    await page.evaluate(() => {
      setTimeout(() => {
        const script = document.createElement('script');
        script.src = '/ownid-stub.js';
        document.head.append(script);
      }, 400);
    });
    expect(await enroll(page, { options: { sdkWaitMs: 300, toast: false } })).toMatchObject({
      outcome: 'enrolled',
      sdkCalls: 1,
    });
  });
});

describe('odd options', () => {
  it('reads a non-positive, non-finite or too large timeoutMs as the default, not as 1 ms', async () => {
    server.route(ENDPOINT, { body: TOKEN_BODY, delayMs: 150 });
    const { page } = await open();
    const outcomes = await page.evaluate(async () => {
      const results: string[] = [];
      for (const timeoutMs of [Number.POSITIVE_INFINITY, Number.NaN, -1, 0, 2 ** 31, 1e12]) {
        results.push(await window.OwnIDEnroll.initiatePasskeysEnrollment({ timeoutMs, toast: false }));
        // This device now remembers the passkey: forget it, to enroll again.
        localStorage.clear();
      }
      return results;
    });
    expect(outcomes).toEqual(['enrolled', 'enrolled', 'enrolled', 'enrolled', 'enrolled', 'enrolled']);
  });

  it('reads odd sdkWaitMs and toastDurationMs values as the defaults', async () => {
    const { page } = await open('/late-sdk.html');
    expect(
      await enroll(page, { options: { sdkWaitMs: Number.NaN, toastDurationMs: Number.POSITIVE_INFINITY } }),
    ).toMatchObject({ outcome: 'enrolled', toasts: 1 });
    await page.waitForTimeout(200);
    expect(await page.locator(TOAST).count()).toBe(1);
  });

  it('clears its request timer when the request path throws', async () => {
    const { page } = await open();
    const result = await page.evaluate(async () => {
      const { setTimeout: set, clearTimeout: clear, fetch: realFetch } = window;
      // A page's fetch wrapper that hands back something broken: reading its status throws.
      window.fetch = async () =>
        ({
          get status(): number {
            throw new Error('broken response');
          },
        }) as Response;
      const timers: unknown[] = [];
      const cleared: unknown[] = [];
      window.setTimeout = ((fn: () => void, ms?: number) => {
        const id = set(fn, ms);
        if (ms === 7777) timers.push(id);
        return id;
      }) as typeof window.setTimeout;
      window.clearTimeout = (id) => {
        cleared.push(id);
        clear(id);
      };
      try {
        const events: unknown[] = [];
        const outcome = await window.OwnIDEnroll.initiatePasskeysEnrollment({
          timeoutMs: 7777,
          onEvent: (event) => events.push((event as { reason?: string }).reason),
        });
        return {
          outcome,
          events,
          timers: timers.length,
          cleared: timers.every((id) => cleared.includes(id)),
        };
      } finally {
        window.fetch = realFetch;
        window.setTimeout = set;
        window.clearTimeout = clear;
      }
    });
    expect(result).toEqual({ outcome: 'failed', events: ['unexpected'], timers: 1, cleared: true });
  });

  it('never rejects or throws when the page console.warn or an option getter throws', async () => {
    server.route(ENDPOINT, { status: 500, body: { message: 'nope' } });
    const { page } = await open();
    const result = await page.evaluate(async () => {
      const { warn } = console;
      console.warn = () => {
        throw new Error('console.warn broke');
      };
      const events: string[] = [];
      const hostile = {
        onEvent: (event: { type: string }) => events.push(event.type),
        get toast(): boolean {
          throw new Error('toast getter broke');
        },
      };
      try {
        const failedOutcome = await window.OwnIDEnroll.initiatePasskeysEnrollment(hostile);
        let pending: unknown;
        try {
          pending = await window.OwnIDEnroll.runPendingEnrollment(hostile);
        } catch (error) {
          pending = `threw ${error}`;
        }
        const nullOptions = await window.OwnIDEnroll.runPendingEnrollment(
          null as unknown as Snippet.EnrollmentOptions,
        );
        return { failedOutcome, pending, nullOptions, events };
      } finally {
        console.warn = warn;
      }
    });
    expect(result).toEqual({
      failedOutcome: 'failed',
      pending: 'skipped',
      nullOptions: 'skipped',
      events: ['failed', 'skipped'],
    });
    await page.waitForTimeout(100); // let an unhandled rejection, if any, be reported
  });
});

describe('the request', () => {
  it('POSTs with the page cookies and no Authorization header by default', async () => {
    const { context, page } = await open();
    await context.addCookies([{ name: 'session', value: 'cookie-session-1', url: server.origin }]);
    expect(await enroll(page)).toMatchObject({ outcome: 'enrolled' });
    const [request, ...more] = server.requestsTo(ENDPOINT);
    expect(more).toEqual([]);
    expect(request?.method).toBe('POST');
    expect(request?.cookies.session).toBe('cookie-session-1');
    expect(request?.headers.authorization).toBeUndefined();
  });

  it('sends Authorization: Bearer <token> from getAuthorization()', async () => {
    const { page } = await open();
    expect(await enroll(page, { bearer: 'amplify-id-token' })).toMatchObject({ outcome: 'enrolled' });
    expect(server.requestsTo(ENDPOINT, 'POST')[0]?.headers.authorization).toBe('Bearer amplify-id-token');
  });

  it('sends no Authorization header when getAuthorization() has no token', async () => {
    const { page } = await open();
    expect(await enroll(page, { bearer: null })).toMatchObject({ outcome: 'enrolled' });
    expect(server.requestsTo(ENDPOINT, 'POST')[0]?.headers.authorization).toBeUndefined();
  });

  it('uses the endpoint option', async () => {
    server.route('/api/ownid-token', { body: TOKEN_BODY });
    const { page } = await open();
    expect(await enroll(page, { options: { endpoint: '/api/ownid-token' } })).toMatchObject({
      outcome: 'enrolled',
    });
    expect(server.requestsTo('/api/ownid-token', 'POST')).toHaveLength(1);
    expect(server.requestsTo(ENDPOINT)).toHaveLength(0);
  });

  it('runs one enrollment for two concurrent calls, and a new one after it ends', async () => {
    server.route(ENDPOINT, { body: TOKEN_BODY, delayMs: 150 });
    const { page } = await open();
    const result = await page.evaluate(async () => {
      const { initiatePasskeysEnrollment } = window.OwnIDEnroll;
      const first = initiatePasskeysEnrollment({ toast: false });
      const second = initiatePasskeysEnrollment({ toast: false });
      const outcomes = await Promise.all([first, second]);
      return { same: first === second, outcomes, calls: window.ownidCalls.length };
    });
    expect(result).toEqual({ same: true, outcomes: ['enrolled', 'enrolled'], calls: 1 });
    expect(server.requestsTo(ENDPOINT)).toHaveLength(1);
    await page.evaluate(() => localStorage.clear()); // this device now remembers the passkey: forget it
    expect(await enroll(page, { options: { toast: false } })).toMatchObject({ outcome: 'enrolled' });
    expect(server.requestsTo(ENDPOINT)).toHaveLength(2);
  });
});

interface QuietCase {
  name: string;
  path?: string;
  endpoint?: RouteResponse;
  args?: EnrollArgs | (() => Promise<EnrollArgs>);
  outcome: Snippet.EnrollmentOutcome;
  event: Record<string, unknown>;
  /** Whether OwnID's enrollCredential is reached. */
  sdkCalled?: boolean;
}

const quietCases: QuietCase[] = [
  {
    name: 'the user cancels',
    args: { behaviour: { result: {} } },
    outcome: 'cancelled',
    event: { type: 'cancelled' },
    sdkCalled: true,
  },
  {
    name: 'HTTP 401 (no session)',
    endpoint: { status: 401, body: { message: 'Unauthorized' } },
    outcome: 'skipped',
    event: { type: 'skipped', reason: 'no_session' },
  },
  // 429 is a skip (rate_limited): see snippet-policy.test.ts.
  ...[403, 500, 503].map(
    (status): QuietCase => ({
      name: `HTTP ${status}`,
      endpoint: { status, body: { message: 'nope' } },
      outcome: 'failed',
      event: { type: 'failed', reason: 'http_error', status },
    }),
  ),
  {
    name: 'the endpoint is on a closed port',
    args: async () => ({ options: { endpoint: `http://127.0.0.1:${await findClosedPort()}${ENDPOINT}` } }),
    outcome: 'failed',
    event: { type: 'failed', reason: 'network', hasError: true },
  },
  {
    name: 'the connection drops',
    endpoint: { destroy: true },
    outcome: 'failed',
    event: { type: 'failed', reason: 'network', hasError: true },
  },
  {
    name: 'the endpoint is slower than timeoutMs',
    endpoint: { body: TOKEN_BODY, delayMs: 3000 },
    args: { options: { timeoutMs: 200 } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'timeout' },
  },
  {
    name: 'the body is not JSON',
    endpoint: { headers: { 'content-type': 'application/json' }, body: '{"email": "ada@' },
    outcome: 'failed',
    event: { type: 'failed', reason: 'bad_response', hasError: true },
  },
  ...[
    { email: 'ada@example.com' },
    { token: 't' },
    { email: '', token: 't' },
    { email: 'a@b.c', token: 7 },
    null,
  ].map(
    (body): QuietCase => ({
      name: `the body is ${JSON.stringify(body)}`,
      endpoint: { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
      outcome: 'failed',
      event: { type: 'failed', reason: 'bad_response' },
    }),
  ),
  {
    name: 'getAuthorization() throws',
    args: { bearer: 'throw' },
    outcome: 'failed',
    event: { type: 'failed', reason: 'authorization', hasError: true },
  },
  {
    name: 'OwnID answers with an error',
    args: { behaviour: { result: { error: { code: 'ENROLL_FAILED' }, message: 'Enrollment failed' } } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'sdk_error', message: 'Enrollment failed', hasError: true },
    sdkCalled: true,
  },
  {
    name: 'OwnID resolves with nothing',
    args: { behaviour: { result: null } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'sdk_error', hasError: false },
    sdkCalled: true,
  },
  {
    name: 'OwnID throws',
    args: { behaviour: { throws: 'SDK exploded' } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'sdk_threw', hasError: true },
    sdkCalled: true,
  },
  {
    name: 'the OwnID SDK never loads',
    path: '/no-sdk.html',
    args: { options: { sdkWaitMs: 200 } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'sdk_missing' },
  },
];

describe('nothing visible when', () => {
  it.each(quietCases)('$name', async ({ path, endpoint, args, outcome, event, sdkCalled = false }) => {
    if (endpoint) server.route(ENDPOINT, endpoint);
    const { page, problems } = await open(path);
    const result = await enroll(page, typeof args === 'function' ? await args() : args);

    expect(result).toMatchObject({ outcome, toasts: 0, pageChanged: false, sdkCalls: sdkCalled ? 1 : 0 });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject(event);
    // Failures leave one concise console warning; cancel and skip stay silent.
    const warnings = problems
      .consoleOf('warning', 'error')
      .filter((m) => !m.text.startsWith('Failed to load resource'));
    expect(warnings).toHaveLength(outcome === 'failed' ? 1 : 0);
    if (outcome === 'failed')
      expect(warnings[0]?.text).toContain(`OwnIDEnroll: passkey enrollment failed: ${event.reason}`);
  });
});

describe('pending enrollment across page loads', () => {
  it('runs once on the next page load and clears the mark', async () => {
    const { page } = await open();
    expect(await page.evaluate(() => window.OwnIDEnroll.enrollOnNextPageLoad())).toBe(true);
    expect(server.requestsTo(ENDPOINT)).toHaveLength(0);

    await page.goto(`${server.origin}/account.html`);
    expect(await page.evaluate(() => window.pendingOutcome)).toBe('enrolled');
    await expect.poll(() => page.locator(`${TOAST} [role="status"]`).textContent(), POLL).toBe(TOAST_TEXT);
    expect(server.requestsTo(ENDPOINT)).toHaveLength(1);

    await page.reload();
    expect(await page.evaluate(() => window.pendingOutcome)).toBe('skipped');
    expect(server.requestsTo(ENDPOINT)).toHaveLength(1);
  });

  it('does not run again after a reload in the middle of the enrollment', async () => {
    server.route(ENDPOINT, { body: TOKEN_BODY, delayMs: 5000 });
    const { page } = await open();
    await page.evaluate(() => window.OwnIDEnroll.enrollOnNextPageLoad());
    await page.goto(`${server.origin}/account.html`);
    await expect.poll(() => server.requestsTo(ENDPOINT).length, POLL).toBe(1);
    await page.reload();
    expect(await page.evaluate(() => window.pendingOutcome)).toBe('skipped');
    expect(server.requestsTo(ENDPOINT)).toHaveLength(1);
  });

  it('resolves "skipped" (no_pending_mark) without a mark, and tells onEvent', async () => {
    const { page } = await open();
    const result = await page.evaluate(async () => {
      const events: unknown[] = [];
      const outcome = await window.OwnIDEnroll.runPendingEnrollment({
        onEvent: (event) => events.push(event),
      });
      return { outcome, events };
    });
    expect(result).toEqual({ outcome: 'skipped', events: [{ type: 'skipped', reason: 'no_pending_mark' }] });
    expect(server.requestsTo(ENDPOINT)).toHaveLength(0);
  });

  it('does nothing when sessionStorage is unavailable', async () => {
    const { page } = await open('/no-storage.html');
    const result = await page.evaluate(async () => {
      const events: unknown[] = [];
      const marked = window.OwnIDEnroll.enrollOnNextPageLoad();
      const outcome = await window.OwnIDEnroll.runPendingEnrollment({
        onEvent: (event) => events.push(event),
      });
      return { marked, outcome, events };
    });
    expect(result).toEqual({
      marked: false,
      outcome: 'skipped',
      events: [{ type: 'skipped', reason: 'storage_unavailable' }],
    });
    expect(server.requestsTo(ENDPOINT)).toHaveLength(0);
  });
});

describe('the builds', () => {
  it('exposes exactly the three functions on the global OwnIDEnroll', async () => {
    const { page } = await open();
    const api = await page.evaluate(() =>
      Object.keys(window.OwnIDEnroll)
        .sort()
        .map((name) => [name, typeof (window.OwnIDEnroll as unknown as Record<string, unknown>)[name]]),
    );
    expect(api).toEqual([
      ['enrollOnNextPageLoad', 'function'],
      ['initiatePasskeysEnrollment', 'function'],
      ['runPendingEnrollment', 'function'],
    ]);
  });

  it('works as an ES module with the same three exports', async () => {
    const { page } = await open('/esm.html');
    await page.waitForFunction(() => window.esm);
    const result = await page.evaluate(async () => {
      const esm = window.esm as typeof window.OwnIDEnroll;
      return {
        exports: Object.keys(esm).sort(),
        outcome: await esm.initiatePasskeysEnrollment({ toast: false }),
      };
    });
    expect(result).toEqual({
      exports: ['enrollOnNextPageLoad', 'initiatePasskeysEnrollment', 'runPendingEnrollment'],
      outcome: 'enrolled',
    });
  });
});

describe('the page watcher (test/support/browser.ts)', () => {
  it('records unhandled rejections and page errors', async () => {
    const { page, problems } = await open();
    await page.evaluate(() => {
      Promise.reject(new Error('nobody catches me'));
      setTimeout(() => {
        throw new Error('uncaught');
      });
    });
    await expect
      .poll(() => problems.unhandledRejections.length + problems.pageErrors.length, POLL)
      .toBeGreaterThanOrEqual(2);
    expect(problems.unhandledRejections.join()).toContain('nobody catches me');
    expect(problems.pageErrors.join()).toContain('uncaught');
    problems.clear();
  });
});
