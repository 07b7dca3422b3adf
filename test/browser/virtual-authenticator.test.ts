// The virtual-authenticator helper in a real Chromium: a page served from 127.0.0.1 (a secure context)
// sees a user-verifying platform authenticator exactly when the test adds one.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { type StaticServer, startStaticServer } from '../support/static-server.ts';
import { type PlatformAuthenticator, usePlatformAuthenticator } from '../support/virtual-authenticator.ts';

let browser: Browser;
let server: StaticServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startStaticServer()]);
  server.file(
    '/',
    '<!doctype html><html><head><title>Account</title><link rel="icon" href="data:,"></head></html>',
  );
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function pageWith(platformAuthenticator: PlatformAuthenticator): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await usePlatformAuthenticator(page, platformAuthenticator);
  await page.goto(`${server.origin}/`);
  return page;
}

const askPage = (page: Page) =>
  page.evaluate(async () => ({
    secure: isSecureContext,
    platformAuthenticator: await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(),
  }));

it('answers isUserVerifyingPlatformAuthenticatorAvailable() true with the authenticator, false without', async () => {
  const [withOne, withNone] = await Promise.all([pageWith('present'), pageWith('absent')]);

  expect(await askPage(withOne)).toEqual({ secure: true, platformAuthenticator: true });
  expect(await askPage(withNone)).toEqual({ secure: true, platformAuthenticator: false });
});
