// The demo's whole journey in a real Chromium: password login, the next page load runs the
// enrollment through the local server and the built snippet, the OwnID stand-in's dialog offers the
// three outcomes of the guide. Screenshots go to /tmp/demo-*.png for a human look.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../dev/local-server.ts';
import { launchChromium, type PageProblems, watchPage } from '../support/browser.ts';
import { usePlatformAuthenticator } from '../support/virtual-authenticator.ts';

const TOAST = '[data-ownid-enroll-toast]';
const DIALOG = '#ownid-stand-in-dialog';

let server: LocalServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ownid-demo-journey-'));
  server = await startLocalServer({
    port: 0,
    env: { PATH: process.env.PATH },
    devDir: join(dir, '.local'),
    onFunctionLog: () => undefined,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function outcome(page: Page, expected: string) {
  await expect
    .poll(() => page.locator('body').getAttribute('data-outcome'), { timeout: 10_000 })
    .toBe(expected);
}

async function runAgain(page: Page) {
  await page.click('#run-again');
  await page.locator(DIALOG).waitFor({ state: 'visible' });
}

it('walks the journey: login, welcome, create / cancel / fail, log out', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const problems: PageProblems = await watchPage(page);
  // The snippet asks only where a passkey can be made.
  await usePlatformAuthenticator(page, 'present');

  await page.goto(`${server.url}/`);
  await expect.poll(() => page.title()).toContain('Sign in');
  await page.screenshot({ path: '/tmp/demo-login.png', fullPage: true });

  // A wrong password stays on the page with a message.
  await page.fill('#email', 'ada@example.com');
  await page.fill('#password', 'wrong');
  await page.click('#login-button');
  await expect.poll(() => page.locator('#login-error').textContent()).toBe('Wrong email or password');

  await page.click('button.user[data-email="ada@example.com"]');
  await page.click('#login-button');
  await page.waitForURL(`${server.url}/welcome`);

  // The next page load ran the pending enrollment: the stand-in checked the token and asks.
  const dialog = page.locator(DIALOG);
  await dialog.waitFor({ state: 'visible' });
  await expect
    .poll(() => page.locator('.stand-in-banner').textContent())
    .toContain('OwnID SDK stand-in (offline demo)');
  await expect.poll(() => dialog.locator('.stand-in-checks li.ok').count()).toBe(8);
  expect(await dialog.locator('.stand-in-checks li.bad').count()).toBe(0);
  expect(await dialog.textContent()).toContain('ada@example.com');
  await page.screenshot({ path: '/tmp/demo-dialog.png' });

  // Create: the snippet's toast.
  await dialog.locator('[data-choice="create"]').click();
  await outcome(page, 'enrolled');
  await expect
    .poll(() => page.locator(`${TOAST} [role="status"]`).textContent(), { timeout: 5000 })
    .toBe('Passkey successfully created!');
  await expect.poll(() => page.locator('#panel-endpoint').textContent()).toContain('200');
  expect(await page.locator('#panel-claims').textContent()).toContain('"sub": "ada@example.com"');
  expect(await page.locator('#panel-events').textContent()).toContain('{"type":"enrolled"}');
  expect(await page.locator('#welcome-title').textContent()).toBe('Welcome back, ada@example.com');
  await page.screenshot({ path: '/tmp/demo-created.png', fullPage: true });
  await page.locator(TOAST).waitFor({ state: 'detached', timeout: 8000 });
  // This device now remembers Ada's passkey and would skip her: forget it to see the other outcomes.
  await page.evaluate(() => localStorage.clear());

  // Cancel: nothing is shown.
  await runAgain(page);
  await dialog.locator('[data-choice="cancel"]').click();
  await outcome(page, 'cancelled');
  expect(await page.locator(TOAST).count()).toBe(0);
  expect(await page.locator(DIALOG).count()).toBe(0);

  // Fail: nothing is shown either; the panel tells the developer.
  await runAgain(page);
  await dialog.locator('[data-choice="fail"]').click();
  await outcome(page, 'failed');
  await page.waitForTimeout(300);
  expect(await page.locator(TOAST).count()).toBe(0);
  expect(await page.locator('#panel-events').textContent()).toContain('"reason":"sdk_error"');
  await page.screenshot({ path: '/tmp/demo-failed.png', fullPage: true });

  // Log out: back to the login page, and the endpoint has no session any more.
  await page.click('#logout');
  await page.waitForURL(`${server.url}/`);
  const status = await page.evaluate(
    async () => (await fetch('/generate-auth-token', { method: 'POST' })).status,
  );
  expect(status).toBe(401);

  expect(problems.pageErrors).toEqual([]);
  expect(problems.unhandledRejections).toEqual([]);
  // The snippet reports the chosen failure with console.warn; the browser logs the two 401s this test
  // asks for (wrong password, endpoint after logout); nothing else may complain.
  const unexpected = problems.consoleOf('error').filter((entry) => !/status of 401/.test(entry.text));
  expect(unexpected).toEqual([]);
  await context.close();
}, 60_000);

it('skips quietly on /welcome without a pending login, and says who is not signed in', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = await watchPage(page);
  await page.goto(`${server.url}/welcome`);
  await outcome(page, 'skipped');
  expect(await page.locator('#panel-events').textContent()).toContain('no_pending_mark');
  await expect.poll(() => page.locator('#session-line').textContent()).toContain('not signed in');
  expect(await page.locator(DIALOG).count()).toBe(0);
  expect(problems.pageErrors).toEqual([]);
  await context.close();
});
