// The built snippet in Chromium across page loads (the pending mark in sessionStorage), its two builds
// (the global IIFE and the ES module), and the page watcher the browser tests rely on.
// The host page: test/support/snippet-enroll-page.ts.
import { describe, expect, it } from 'vitest';
import {
  ENDPOINT,
  POLL,
  TOAST,
  TOAST_TEXT,
  TOKEN_BODY,
  useEnrollHostPage,
} from '../support/snippet-enroll-page.ts';

const host = useEnrollHostPage();

describe('pending enrollment across page loads', () => {
  it('runs once on the next page load and clears the mark', async () => {
    const { page } = await host.open();
    expect(await page.evaluate(() => window.OwnIDEnroll.enrollOnNextPageLoad())).toBe(true);
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(0);

    await page.goto(`${host.server.origin}/account.html`);
    expect(await page.evaluate(() => window.pendingOutcome)).toBe('enrolled');
    await expect.poll(() => page.locator(`${TOAST} [role="status"]`).textContent(), POLL).toBe(TOAST_TEXT);
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(1);

    await page.reload();
    expect(await page.evaluate(() => window.pendingOutcome)).toBe('skipped');
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(1);
  });

  it('does not run again after a reload in the middle of the enrollment', async () => {
    host.server.route(ENDPOINT, { body: TOKEN_BODY, delayMs: 5000 });
    const { page } = await host.open();
    await page.evaluate(() => window.OwnIDEnroll.enrollOnNextPageLoad());
    await page.goto(`${host.server.origin}/account.html`);
    await expect.poll(() => host.server.requestsTo(ENDPOINT).length, POLL).toBe(1);
    await page.reload();
    expect(await page.evaluate(() => window.pendingOutcome)).toBe('skipped');
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(1);
  });

  it('resolves "skipped" (no_pending_mark) without a mark, and tells onEvent', async () => {
    const { page } = await host.open();
    const result = await page.evaluate(async () => {
      const events: unknown[] = [];
      const outcome = await window.OwnIDEnroll.runPendingEnrollment({
        onEvent: (event) => events.push(event),
      });
      return { outcome, events };
    });
    expect(result).toEqual({ outcome: 'skipped', events: [{ type: 'skipped', reason: 'no_pending_mark' }] });
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(0);
  });

  it('does nothing when sessionStorage is unavailable', async () => {
    const { page } = await host.open('/no-storage.html');
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
    expect(host.server.requestsTo(ENDPOINT)).toHaveLength(0);
  });
});

describe('the builds', () => {
  it('exposes exactly the three functions on the global OwnIDEnroll', async () => {
    const { page } = await host.open();
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
    const { page } = await host.open('/esm.html');
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
    const { page, problems } = await host.open();
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
