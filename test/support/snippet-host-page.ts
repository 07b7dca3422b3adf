// A host page for the built snippet (web-snippet/dist/ownid-enroll.min.js) in a real Chromium, served
// with stand-in token and outcome endpoints, for the browser tests of the snippet. One page per test
// file, reused: a new page costs ~300 ms in headless Chromium. Each test starts with no cookies, no
// storage, a virtual platform authenticator (a device that can make a passkey), the token endpoint
// answering a token, and an empty problem log; after each, the page must have had no uncaught error
// and no unhandled rejection: whatever happens, the snippet never throws into the page.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launchChromium, type PageProblems, watchPage } from './browser.ts';
import { type StaticServer, startStaticServer } from './static-server.ts';
import {
  type PlatformAuthenticator,
  usePlatformAuthenticator,
  type VirtualAuthenticators,
} from './virtual-authenticator.ts';

export const SNIPPET_PATH = join(import.meta.dirname, '../../web-snippet/dist/ownid-enroll.min.js');
export const TOKEN_ROUTE = '/generate-auth-token';
export const OUTCOME_ROUTE = '/enrollment-outcome';
export const EMAIL = 'ada@example.com';
export const TOKEN = 'header.payload.signature';
export const TOKEN_BODY = { email: EMAIL, token: TOKEN };
// Generous: the machine may be busy; a passing poll returns at once.
export const POLL = { timeout: 5000 };

export interface SnippetHostPage {
  readonly server: StaticServer;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly problems: PageProblems;
  /** Navigates the page to `path` on the server; hands back the page and what it reports. */
  open(path?: string): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }>;
  /** From here on the page sees this platform authenticator, or none (the machine's real ones are hidden). */
  usePlatformAuthenticator(state: PlatformAuthenticator): Promise<void>;
}

export interface HostPageSetup {
  /** Serves the file's pages (the snippet itself is served at /ownid-enroll.min.js). */
  serve(server: StaticServer, page: Page): Promise<void> | void;
  /** More per-test reset, run beside the common one. */
  beforeEach?(page: Page): Promise<unknown>;
}

/** Registers the file's hooks; the returned object's fields are set once beforeAll has run. */
export function useSnippetHostPage(setup: HostPageSetup): SnippetHostPage {
  let browser: Browser | undefined;
  let authenticator: VirtualAuthenticators | undefined;
  const host = {
    open: async (path = '/') => {
      await host.page.goto(host.server.origin + path);
      return { context: host.context, page: host.page, problems: host.problems };
    },
    usePlatformAuthenticator: async (state: PlatformAuthenticator) => {
      await authenticator?.session.detach(); // takes the virtual authenticators with it
      authenticator = await usePlatformAuthenticator(host.page, state);
    },
  } as { -readonly [K in keyof SnippetHostPage]: SnippetHostPage[K] };

  beforeAll(async () => {
    if (!existsSync(SNIPPET_PATH)) throw new Error(`${SNIPPET_PATH} is missing: run \`npm run build\` first`);
    [browser, host.server] = await Promise.all([launchChromium(), startStaticServer()]);
    host.context = await browser.newContext();
    host.page = await host.context.newPage();
    host.problems = await watchPage(host.page);
    host.server.fileFromDisk('/ownid-enroll.min.js', SNIPPET_PATH);
    await setup.serve(host.server, host.page);
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), host.server?.close()]);
  });

  beforeEach(async () => {
    host.server.clearRequests();
    host.server.route(TOKEN_ROUTE, { body: TOKEN_BODY });
    host.server.route(OUTCOME_ROUTE, { status: 204 });
    [authenticator] = await Promise.all([
      usePlatformAuthenticator(host.page, 'present'),
      host.context.clearCookies(),
      setup.beforeEach?.(host.page),
    ]);
    host.problems.clear();
  });

  afterEach(async () => {
    expect(host.problems.pageErrors).toEqual([]);
    expect(host.problems.unhandledRejections).toEqual([]);
    await host.page.evaluate(() => {
      try {
        sessionStorage.clear();
        localStorage.clear();
      } catch {}
    });
    await authenticator?.session.detach(); // takes the virtual authenticators with it
    authenticator = undefined;
  });

  return host;
}
