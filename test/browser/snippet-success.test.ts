// The built snippet in Chromium when the enrollment succeeds: the toast (its text, role, look on a hostile
// page, reduced motion, none or a custom one), callbacks that throw, and an OwnID SDK that loads late.
// The host page: test/support/snippet-enroll-page.ts.
import { describe, expect, it } from 'vitest';
import {
  animationName,
  ENDPOINT,
  enroll,
  POLL,
  TOAST,
  TOAST_TEXT,
  TOKEN_BODY,
  useEnrollHostPage,
} from '../support/snippet-enroll-page.ts';

const host = useEnrollHostPage();

describe('success', () => {
  it('shows "Passkey successfully created!" with role status and a check mark, then removes it', async () => {
    const { page, problems } = await host.open();
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
    await host.page.emulateMedia({ reducedMotion: 'reduce' });
    const { page } = await host.open();
    expect(await enroll(page)).toMatchObject({ outcome: 'enrolled' });
    await expect.poll(() => page.locator(`${TOAST} [role="status"]`).textContent(), POLL).toBe(TOAST_TEXT);
    expect(await animationName(page)).toBe('none');
  });

  it('keeps its own look on a page with hostile CSS', async () => {
    const { page } = await host.open('/hostile.html');
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
    const { page } = await host.open();
    // The built-in toast is attached before the promise resolves, so there is nothing to wait for.
    expect(await enroll(page, { options: { toast: false } })).toMatchObject({
      outcome: 'enrolled',
      toasts: 0,
      pageChanged: false,
    });
  });

  it('hands the message to a custom toast function instead', async () => {
    const { page } = await host.open();
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
    const { page } = await host.open();
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
    const { page } = await host.open('/late-sdk.html');
    expect(await enroll(page, { options: { sdkWaitMs: 3000 } })).toMatchObject({ outcome: 'enrolled' });
  });

  it('uses an OwnID SDK that loaded after sdkWaitMs but before a slower token', async () => {
    host.server.route(ENDPOINT, { body: TOKEN_BODY, delayMs: 700 });
    const { page } = await host.open('/no-sdk.html');
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
