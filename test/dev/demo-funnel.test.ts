// The demo's funnel in a real Chromium: the counts and the rate move as the OwnID stand-in's Create,
// Cancel and Fail are clicked, and they are exactly what the function's metric lines say (the same
// EMF CloudWatch would read), counted by the local server from the function's stdout.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { watchPage } from '../support/browser.ts';
import { useDemoServer } from '../support/demo-server.ts';
import { readEmfLines } from '../support/emf.ts';
import { usePlatformAuthenticator } from '../support/virtual-authenticator.ts';

const DIALOG = '#ownid-stand-in-dialog';

const demo = useDemoServer('ownid-demo-funnel-');

const count = (page: Page, step: string) => page.locator(`#funnel-${step}`).textContent();

async function expectFunnel(page: Page, expected: Record<string, string>, rate: string) {
  for (const [step, value] of Object.entries(expected)) {
    await expect.poll(() => count(page, step), { timeout: 5000 }).toBe(value);
  }
  await expect.poll(() => page.locator('#funnel-rate').textContent()).toBe(rate);
}

/** Sums one metric's dimensionless total over the function's lines so far, as CloudWatch would. */
function fromLogLines(name: string, outcome?: string): number {
  return readEmfLines(demo.functionLog)
    .filter((m) => m.name === name)
    .filter((m) =>
      outcome === undefined
        ? Object.keys(m.dimensions).length === 0
        : Object.keys(m.dimensions).length === 1 && m.dimensions.EnrollmentOutcome === outcome,
    )
    .reduce((sum, m) => sum + m.value, 0);
}

async function choose(page: Page, choice: 'create' | 'cancel' | 'fail', outcome: string) {
  const dialog = page.locator(DIALOG);
  await dialog.waitFor({ state: 'visible' });
  await dialog.locator(`[data-choice="${choice}"]`).click();
  await expect
    .poll(() => page.locator('body').getAttribute('data-outcome'), { timeout: 10_000 })
    .toBe(outcome);
  await expect.poll(() => page.locator('#panel-report').textContent()).toContain('→ 204 (recorded)');
}

/** Forgets the user's policy state and device memory, then runs the enrollment again. */
async function again(page: Page) {
  await page.click('#policy-reset');
  await expect.poll(() => page.locator('#policy-declines').getAttribute('data-value')).toBe('0');
  await page.click('#run-again');
}

it('moves the funnel with Create, Cancel and Fail, counting what the metric lines say', async () => {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 1300 } });
  const page = await context.newPage();
  const problems = await watchPage(page);
  await usePlatformAuthenticator(page, 'present');

  await page.goto(`${demo.server.url}/`);
  await page.click('button.user[data-email="ada@example.com"]');
  await page.click('#login-button');
  await page.waitForURL(`${demo.server.url}/welcome`);

  await choose(page, 'create', 'enrolled');
  await expectFunnel(
    page,
    { eligible: '1', issued: '1', enrolled: '1', cancelled: '0', failed: '0' },
    '100% of tokens issued',
  );

  await again(page);
  await choose(page, 'cancel', 'cancelled');
  await expectFunnel(
    page,
    { eligible: '2', issued: '2', enrolled: '1', cancelled: '1', failed: '0' },
    '50% of tokens issued',
  );

  await again(page);
  await choose(page, 'fail', 'failed');
  await expectFunnel(
    page,
    { eligible: '3', issued: '3', enrolled: '1', cancelled: '1', failed: '1' },
    '33.3% of tokens issued',
  );
  await page.screenshot({ path: '/tmp/demo-funnel.png', fullPage: true });

  // The page shows the counts the function's own metric lines give.
  expect(fromLogLines('TokenRequests')).toBe(3);
  expect(fromLogLines('TokensIssued')).toBe(3);
  for (const outcome of ['enrolled', 'cancelled', 'failed']) {
    expect(fromLogLines('EnrollmentOutcomes', outcome)).toBe(1);
  }
  // A bar per step, scaled to the largest: eligible devices fill the track.
  const widths = await page.$$eval('.funnel-bar', (bars) =>
    bars.map((bar) => Number.parseFloat((bar as HTMLElement).style.width)),
  );
  expect(widths.map((width) => Math.round(width))).toEqual([100, 100, 33, 33, 33]);

  expect(problems.pageErrors).toEqual([]);
  expect(problems.unhandledRejections).toEqual([]);
  await context.close();
}, 60_000);
