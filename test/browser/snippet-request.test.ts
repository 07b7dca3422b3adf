// The built snippet's token request in Chromium: cookies and bearer, the endpoint option, one enrollment
// for concurrent calls, and odd option values or hostile page APIs that must not break it.
// The host page: test/support/snippet-enroll-page.ts.
import { describe, expect, it } from 'vitest';
import type * as Snippet from '../../web-snippet/src/index.ts';
import { ENDPOINT, enroll, TOAST, TOKEN_BODY, useEnrollHostPage } from '../support/snippet-enroll-page.ts';

const host = useEnrollHostPage();

describe('the request', () => {
  it('POSTs with the page cookies and no Authorization header by default', async () => {
    const { context, page } = await host.open();
    await context.addCookies([{ name: 'session', value: 'cookie-session-1', url: host.server.origin }]);
    expect(await enroll(page)).toMatchObject({ outcome: 'enrolled' });
    const [request, ...more] = host.server.requestsTo(ENDPOINT);
    expect(more).toEqual([]);
    expect(request?.method).toBe('POST');
    expect(request?.cookies.session).toBe('cookie-session-1');
    expect(request?.headers.authorization).toBeUndefined();
  });

  it('sends Authorization: Bearer <token> from getAuthorization()', async () => {
    const { page } = await host.open();
    expect(await enroll(page, { bearer: 'amplify-id-token' })).toMatchObject({ outcome: 'enrolled' });
    expect(host.server.requestsTo(ENDPOINT, 'POST')[0]?.headers.authorization).toBe(
      'Bearer amplify-id-token',
    );
  });

  it('sends no Authorization header when getAuthorization() has no token', async () => {
    const { page } = await host.open();
    expect(await enroll(page, { bearer: null })).toMatchObject({ outcome: 'enrolled' });
    expect(host.server.requestsTo(ENDPOINT, 'POST')[0]?.headers.authorization).toBeUndefined();
  });

  it('uses the endpoint option', async () => {
    host.server.route('/api/ownid-token', { body: TOKEN_BODY });
    const { page } = await host.open();
    expect(await enroll(page, { options: { endpoint: '/api/ownid-token' } })).toMatchObject({
      outcome: 'enrolled',
    });
    expect(host.server.requestsTo('/api/ownid-token', 'POST')).toHaveLength(1);
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(0);
  });

  it('runs one enrollment for two concurrent calls, and a new one after it ends', async () => {
    host.server.route(ENDPOINT, { body: TOKEN_BODY, delayMs: 150 });
    const { page } = await host.open();
    const result = await page.evaluate(async () => {
      const { initiatePasskeysEnrollment } = window.OwnIDEnroll;
      const first = initiatePasskeysEnrollment({ toast: false });
      const second = initiatePasskeysEnrollment({ toast: false });
      const outcomes = await Promise.all([first, second]);
      return { same: first === second, outcomes, calls: window.ownidCalls.length };
    });
    expect(result).toEqual({ same: true, outcomes: ['enrolled', 'enrolled'], calls: 1 });
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(1);
    await page.evaluate(() => localStorage.clear()); // this device now remembers the passkey: forget it
    expect(await enroll(page, { options: { toast: false } })).toMatchObject({ outcome: 'enrolled' });
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(2);
  });
});

describe('odd options', () => {
  it('reads a non-positive, non-finite or too large timeoutMs as the default, not as 1 ms', async () => {
    host.server.route(ENDPOINT, { body: TOKEN_BODY, delayMs: 150 });
    const { page } = await host.open();
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
    const { page } = await host.open('/late-sdk.html');
    expect(
      await enroll(page, { options: { sdkWaitMs: Number.NaN, toastDurationMs: Number.POSITIVE_INFINITY } }),
    ).toMatchObject({ outcome: 'enrolled', toasts: 1 });
    await page.waitForTimeout(200);
    expect(await page.locator(TOAST).count()).toBe(1);
  });

  it('clears its request timer when the request path throws', async () => {
    const { page } = await host.open();
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
    host.server.route(ENDPOINT, { status: 500, body: { message: 'nope' } });
    const { page } = await host.open();
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
