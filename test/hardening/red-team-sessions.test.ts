// What a red team found in session sources, each driven through the handler (REST proxy event in,
// response and log line out): email_verified spelled other ways or missing, cookie characters a
// request cannot carry, invisible and compatibility look-alike emails, and Amplify's
// percent-encoded cookie names.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/generate-auth-token/config.ts';
import { ConfigError } from '../../functions/generate-auth-token/errors.ts';
import { issuerClaims, without } from '../support/forged-tokens.ts';
import { callHandler as call, expectIssuedFor, expectRefused } from '../support/hardening-assertions.ts';
import {
  ALLOWED_ORIGIN,
  CLIENT_ID,
  cognitoIdToken,
  createTestFunction,
  ISSUER_KID,
  issuerSession,
  type Stand,
  startStand,
} from '../support/scenario.ts';
import {
  introspectionOnlyEnv,
  type SiteSessionEndpoint,
  startSiteSessionEndpoint,
} from '../support/site-session-endpoint.ts';
import { sessionJwt } from '../support/tokens.ts';

const ADA = 'ada@example.com';

let stand: Stand;
let site: SiteSessionEndpoint;

beforeAll(async () => {
  [stand, site] = await Promise.all([startStand(), startSiteSessionEndpoint()]);
});
afterAll(async () => {
  await Promise.all([stand.close(), site.close()]);
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('introspection: when email_verified is present, only true counts', () => {
  beforeEach(() => {
    site.received.length = 0;
  });
  const introspect = () => createTestFunction(introspectionOnlyEnv(stand.env, site.url));
  const cookie = { Cookie: 'connect.sid=s%3Avalid.sig', Origin: ALLOWED_ORIGIN };

  it.each<[string, unknown]>([
    ['"false"', 'false'],
    ['0', 0],
    ['"0"', '0'],
    ['"no"', 'no'],
    ['"true" (a string)', 'true'],
    ['null', null],
    ['false', false],
  ])('email_verified %s -> 403 email_unverified', async (_label, value) => {
    site.answer = { email: ADA, email_verified: value };
    expectRefused(await call(introspect(), cookie), 403, 'email_unverified');
  });

  it.each<[string, Record<string, unknown>]>([
    ['true', { email: ADA, email_verified: true }],
    ['absent (the site vouches for its own sessions)', { email: ADA }],
  ])('control: email_verified %s -> 200', async (_label, answer) => {
    site.answer = answer;
    await expectIssuedFor((await call(introspect(), cookie)).result, ADA, stand.ownIdKey.pkcs1Pem);
  });
});

describe('the generic issuer requires email_verified: true unless SESSION_JWT_REQUIRE_EMAIL_VERIFIED=false', () => {
  const noClaim = () =>
    sessionJwt(without(issuerClaims(), 'email_verified'), stand.issuerKey.privateKey, { kid: ISSUER_KID });

  it('by default a session without email_verified is 403 email_unverified', async () => {
    const fn = createTestFunction(stand.env);
    expectRefused(await call(fn, bearer(await noClaim())), 403, 'email_unverified');
    for (const value of ['true', 1, 'yes']) {
      expectRefused(
        await call(fn, bearer(await issuerSession(stand, { email_verified: value }))),
        403,
        'email_unverified',
      );
    }
    await expectIssuedFor(
      (await call(fn, bearer(await issuerSession(stand)))).result,
      ADA,
      stand.ownIdKey.pkcs1Pem,
    );
  });

  it('opted out: a missing claim is accepted, a stated false is still refused', async () => {
    const fn = createTestFunction({ ...stand.env, SESSION_JWT_REQUIRE_EMAIL_VERIFIED: 'false' });
    await expectIssuedFor((await call(fn, bearer(await noClaim()))).result, ADA, stand.ownIdKey.pkcs1Pem);
    for (const value of [false, 'false', 0]) {
      expectRefused(
        await call(fn, bearer(await issuerSession(stand, { email_verified: value }))),
        403,
        'email_unverified',
      );
    }
  });

  it('the opt-out applies to the generic issuer only: Cognito still requires email_verified', async () => {
    const fn = createTestFunction({ ...stand.env, SESSION_JWT_REQUIRE_EMAIL_VERIFIED: 'false' });
    const token = await cognitoIdToken(stand, { email_verified: undefined });
    expectRefused(await call(fn, bearer(token)), 403, 'email_unverified');
  });

  it('the setting takes "true" or "false" only', () => {
    expect(parseConfig(stand.env).jwtIssuer?.requireEmailVerified).toBe(true);
    expect(
      parseConfig({ ...stand.env, SESSION_JWT_REQUIRE_EMAIL_VERIFIED: 'true' }).jwtIssuer
        ?.requireEmailVerified,
    ).toBe(true);
    expect(() => parseConfig({ ...stand.env, SESSION_JWT_REQUIRE_EMAIL_VERIFIED: 'no' })).toThrow(
      ConfigError,
    );
    try {
      parseConfig({ ...stand.env, SESSION_JWT_REQUIRE_EMAIL_VERIFIED: '0' });
    } catch (error) {
      expect((error as ConfigError).variables).toEqual(['SESSION_JWT_REQUIRE_EMAIL_VERIFIED']);
    }
  });
});

describe('a cookie that cannot be forwarded byte for byte is 401 malformed, before any request', () => {
  beforeEach(() => {
    site.received.length = 0;
    site.answer = { email: ADA, email_verified: true };
  });

  it.each([
    ['DEL', '\u007f'],
    ['NUL', '\u0000'],
    ['a line feed', '\n'],
    ['a tab', '\t'],
    ['e-acute (U+00E9)', '\u00e9'],
    ['U+0100', '\u0100'],
    ['an emoji', '\u{1F600}'],
  ])('%s in the cookie value', async (_label, char) => {
    const fn = createTestFunction(introspectionOnlyEnv(stand.env, site.url));
    const got = await call(fn, { Cookie: `connect.sid=s%3Avalid${char}.sig`, Origin: ALLOWED_ORIGIN });
    expectRefused(got, 401, 'malformed');
    expect(got.result.headers['Retry-After']).toBeUndefined();
    expect(site.received).toHaveLength(0);
  });

  it('control: printable ASCII, quotes and percent-escapes are forwarded as sent', async () => {
    const fn = createTestFunction(introspectionOnlyEnv(stand.env, site.url));
    const value = '"s%3Avalid.sig!#$&\'()*+-/:<=>?@[]^_`{|}~"';
    const got = await call(fn, { Cookie: `connect.sid=${value}`, Origin: ALLOWED_ORIGIN });
    await expectIssuedFor(got.result, ADA, stand.ownIdKey.pkcs1Pem);
    expect(site.received[0]?.cookie).toBe(`connect.sid=${value}`);
  });
});

describe('emails with invisible or compatibility look-alike characters are 403 email_invalid', () => {
  it.each([
    ['U+FE0F variation selector', 'ada\uFE0F@example.com'],
    ['U+3164 Hangul filler', 'ada\u3164@example.com'],
    ['U+115F Hangul choseong filler', '\u115Fada@example.com'],
    ['U+2800 Braille blank', 'ada@exam\u2800ple.com'],
    ['U+180E Mongolian vowel separator', 'ada\u180E@example.com'],
    ['U+034F combining grapheme joiner', 'ada\u034F@example.com'],
    ['a lone combining mark after the at-sign', 'ada@\u0301example.com'],
    ['a lone combining mark first', '\u0308ada@example.com'],
    ['fullwidth letters', '\uFF41\uFF44\uFF41@example.com'],
    ['the fi ligature', '\uFB01n@example.com'],
    ['superscript two', 'ada\u00B2@example.com'],
    ['a private-use character', 'ada\uE000@example.com'],
  ])('%s', async (_label, email) => {
    const fn = createTestFunction(stand.env);
    expectRefused(await call(fn, bearer(await issuerSession(stand, { email }))), 403, 'email_invalid');
  });

  it.each([
    ['Latin with a precomposed accent', 'jos\u00E9@example.com'],
    ['Devanagari with vowel signs (marks after letters)', '\u0939\u093F\u0928\u094D\u0926\u0940@example.in'],
    ['Cyrillic look-alike (another account, not a compatibility form)', '\u0430da@example.com'],
  ])('control: %s is accepted as given', async (_label, email) => {
    const fn = createTestFunction(stand.env);
    await expectIssuedFor(
      (await call(fn, bearer(await issuerSession(stand, { email })))).result,
      email,
      stand.ownIdKey.pkcs1Pem,
    );
  });
});

describe('Amplify with several signed-in users: cookie names and LastAuthUser compared decoded', () => {
  const prefix = `CognitoIdentityServiceProvider.${CLIENT_ID}`;

  it('js-cookie encoding: %40 in the name, @ in LastAuthUser', async () => {
    const fn = createTestFunction(stand.env);
    const carol = await cognitoIdToken(stand, { email: 'carol@example.com' });
    const dave = await cognitoIdToken(stand, { email: 'dave@example.com' });
    const cookie = [
      `${prefix}.dave%40example.com.idToken=${dave}`,
      `${prefix}.carol%40example.com.idToken=${carol}`,
      `${prefix}.LastAuthUser=carol@example.com`,
    ].join('; ');
    const got = await call(fn, { Cookie: cookie });
    await expectIssuedFor(got.result, 'carol@example.com', stand.ownIdKey.pkcs1Pem);
  });

  it('both encoded, and both plain, match too; a LastAuthUser naming nobody is still refused', async () => {
    const fn = createTestFunction(stand.env);
    const carol = await cognitoIdToken(stand, { email: 'carol@example.com' });
    const dave = await cognitoIdToken(stand, { email: 'dave@example.com' });
    for (const [name, last] of [
      ['carol%40example.com', 'carol%40example.com'],
      ['carol@example.com', 'carol@example.com'],
    ] as const) {
      const other = name.replace('carol', 'dave');
      const cookie = `${prefix}.${other}.idToken=${dave}; ${prefix}.${name}.idToken=${carol}; ${prefix}.LastAuthUser=${last}`;
      await expectIssuedFor(
        (await call(fn, { Cookie: cookie })).result,
        'carol@example.com',
        stand.ownIdKey.pkcs1Pem,
      );
    }
    const nobody = `${prefix}.dave%40example.com.idToken=${dave}; ${prefix}.carol%40example.com.idToken=${carol}; ${prefix}.LastAuthUser=erin@example.com`;
    expectRefused(await call(fn, { Cookie: nobody }), 401, 'malformed');
  });
});
