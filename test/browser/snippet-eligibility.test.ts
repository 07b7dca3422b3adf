// The snippet's prompt policy in Chromium, on the device: it asks only where a passkey can be made (a
// virtual platform authenticator on purpose, or none) and remembers a passkey made on this device.
// The host page: test/support/snippet-policy-page.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BEARER,
  EMAIL,
  OUTCOME_ROUTE,
  TOKEN,
  TOKEN_ROUTE,
  usePolicyHostPage,
} from '../support/snippet-policy-page.ts';

const { host, run, signIn, expectOneReport } = usePolicyHostPage();

describe('eligibility', () => {
  it('asks for a token on a device with a user-verifying platform authenticator', async () => {
    await host.open();
    expect(await run()).toEqual({ outcome: 'enrolled', events: [{ type: 'enrolled' }], sdkCalls: 1 });
    expect(host.server.requestsTo(TOKEN_ROUTE, 'POST')).toHaveLength(1);
  });

  it.each([
    ['there is no platform authenticator', '/', false],
    ['PublicKeyCredential is missing', '/no-webauthn.html', true],
    ['the platform authenticator check throws', '/check-throws.html', true],
  ])(
    'skips as ineligible and reports it, without a token, when %s',
    async (_name, path, withAuthenticator) => {
      if (!withAuthenticator) await host.usePlatformAuthenticator('absent');
      await host.open(path);
      await signIn();
      expect(await run({ bearer: BEARER })).toEqual({
        outcome: 'skipped',
        events: [{ type: 'skipped', reason: 'ineligible' }],
        sdkCalls: 0,
      });
      expect(host.server.requestsTo(TOKEN_ROUTE)).toEqual([]);
      await expectOneReport({ outcome: 'ineligible' });
    },
  );

  it('asks anyway with checkEligibility: false', async () => {
    await host.usePlatformAuthenticator('absent');
    await host.open();
    expect(await run({ options: { checkEligibility: false } })).toMatchObject({ outcome: 'enrolled' });
    expect(host.server.requestsTo(TOKEN_ROUTE)).toHaveLength(1);
  });
});

describe('device memory', () => {
  const expectedKey = `ownid-enroll:${createHash('sha256').update(EMAIL).digest('base64')}`;
  const storedEntries = () => host.page.evaluate(() => Object.entries(localStorage));

  it('remembers an enrollment under a SHA-256 of the lower-cased email, never the email', async () => {
    host.server.route(TOKEN_ROUTE, { body: { email: 'Ada@Example.COM', token: TOKEN } });
    await host.open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    const entries = await storedEntries();
    expect(entries).toEqual([[expectedKey, '1']]);
    expect(JSON.stringify(entries).toLowerCase()).not.toContain('ada@');
  });

  it('remembers nothing after a cancel or a failure', async () => {
    await host.open();
    expect(await run({ ownid: { result: {} } })).toMatchObject({ outcome: 'cancelled' });
    expect(await run({ ownid: { throws: 'nope' } })).toMatchObject({ outcome: 'failed' });
    expect(await storedEntries()).toEqual([]);
  });

  it('with the email hint, skips a user who enrolled here without any request', async () => {
    await host.open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    await host.open('/next.html');
    host.server.clearRequests();
    expect(await run({ options: { email: 'ADA@example.com' } })).toEqual({
      outcome: 'skipped',
      events: [{ type: 'skipped', reason: 'enrolled_on_device' }],
      sdkCalls: 0,
    });
    await host.page.waitForTimeout(100); // a report, if any, would have been sent by now
    expect(host.server.requests).toEqual([]);
  });

  it('without a hint, fetches the token, then neither opens OwnID nor reports', async () => {
    await host.open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    host.server.clearRequests();
    expect(await run()).toEqual({
      outcome: 'skipped',
      events: [{ type: 'skipped', reason: 'enrolled_on_device' }],
      sdkCalls: 0,
    });
    expect(host.server.requestsTo(TOKEN_ROUTE)).toHaveLength(1);
    await host.page.waitForTimeout(100);
    expect(host.server.requestsTo(OUTCOME_ROUTE)).toEqual([]);
  });

  it('asks a user this device does not remember, hint or not', async () => {
    await host.open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    host.server.route(TOKEN_ROUTE, { body: { email: 'grace@example.com', token: TOKEN } });
    expect(await run({ options: { email: 'grace@example.com' } })).toMatchObject({
      outcome: 'enrolled',
      sdkCalls: 1,
    });
  });

  it('checks the email of the token response too when the hint names someone else', async () => {
    await host.open();
    expect(await run()).toMatchObject({ outcome: 'enrolled' });
    expect(await run({ options: { email: 'grace@example.com' } })).toMatchObject({
      outcome: 'skipped',
      sdkCalls: 0,
    });
    expect(host.server.requestsTo(TOKEN_ROUTE)).toHaveLength(2);
  });

  it('goes on silently when localStorage is blocked', async () => {
    await host.open('/no-local-storage.html');
    expect(await run({ options: { email: EMAIL } })).toMatchObject({ outcome: 'enrolled' });
    expect(await run({ options: { email: EMAIL } })).toMatchObject({ outcome: 'enrolled', sdkCalls: 1 });
    expect(host.problems.consoleOf()).toEqual([]);
  });
});
