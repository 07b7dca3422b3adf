// A real Chromium driven by playwright-core, for every browser test; which binary is chromium-path.ts's
// choice (CHROMIUM_PATH, the system's, or the npm package's).
import { type Browser, chromium, type LaunchOptions, type Page } from 'playwright-core';
import { findChromium } from './chromium-path.ts';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

// Once per test file: the first run on a machine may unpack the npm package's Chromium (seconds). A failure is kept
// too, so every browser test fails with the same message on how to get a browser.
let chromiumPath: Promise<string> | undefined;

export function chromiumExecutable(): Promise<string> {
  chromiumPath ??= findChromium().then((found) => found.path);
  return chromiumPath;
}

/** Launches one headless Chromium; extra `args` are appended to CHROMIUM_ARGS. Close it in afterAll. */
// A new page costs a few hundred milliseconds in headless Chromium (a renderer process each): a test
// file that wants to stay fast reuses one page, navigating it and calling `problems.clear()` per test.
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    headless: true,
    ...options,
    executablePath: options.executablePath ?? (await chromiumExecutable()),
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

export interface ConsoleEntry {
  readonly type: string;
  readonly text: string;
}

/** What a page reported, appended to as it happens. */
export interface PageProblems {
  /** Uncaught exceptions (`pageerror`), as `name: message`. */
  readonly pageErrors: string[];
  /** Promise rejections nobody handled, seen by an `unhandledrejection` listener in every frame. */
  readonly unhandledRejections: string[];
  /** Every console message, in order. */
  readonly console: ConsoleEntry[];
  /** Console messages of the given types (default: `error` and `warning`). */
  consoleOf(...types: string[]): ConsoleEntry[];
  /** Forgets everything recorded so far (to reuse one page across tests). */
  clear(): void;
}

const REJECTION_BINDING = '__reportUnhandledRejection';

/**
 * Starts recording a page's uncaught errors, unhandled rejections and console messages. Call it before
 * the page navigates (the rejection listener is an init script).
 */
export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = {
    pageErrors: [],
    unhandledRejections: [],
    console: [],
    consoleOf: (...types) => {
      const wanted = types.length > 0 ? types : ['error', 'warning'];
      return problems.console.filter((entry) => wanted.includes(entry.type));
    },
    clear: () => {
      problems.pageErrors.length = 0;
      problems.unhandledRejections.length = 0;
      problems.console.length = 0;
    },
  };
  page.on('pageerror', (error) => problems.pageErrors.push(`${error.name}: ${error.message}`));
  page.on('console', (message) => problems.console.push({ type: message.type(), text: message.text() }));
  await page.exposeBinding(REJECTION_BINDING, (_source, reason: string) => {
    problems.unhandledRejections.push(reason);
  });
  await page.addInitScript((binding) => {
    addEventListener('unhandledrejection', (event) => {
      const report = (window as unknown as Record<string, (reason: string) => void>)[binding];
      report?.(String(event.reason instanceof Error ? event.reason.stack : event.reason));
    });
  }, REJECTION_BINDING);
  return problems;
}
