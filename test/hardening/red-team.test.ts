// What a red team found, each driven through the handler (REST proxy event in, response and log
// line out): signatures of the wrong shape, email_verified spelled other ways or missing, cookie
// bytes a request cannot carry, nbf skew, invisible and compatibility look-alike emails, weak or
// mislabelled JWKS keys, RFC 9068 access tokens, and Amplify's percent-encoded cookie names.
import { createSign, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/generate-auth-token/config.ts';
import type { ProxyResult } from '../../functions/generate-auth-token/http-response.ts';
import { restEvent } from '../support/events.ts';
import { issuerClaims, nowSeconds, respellSignature, without } from '../support/forged-tokens.ts';
import { expectContractResponse, expectIssuedFor, requestLogLine } from '../support/hardening-assertions.ts';
import { ecKey, publicJwk, rsaKey } from '../support/keys.ts';
import {
  ALLOWED_ORIGIN,
  CLIENT_ID,
  cognitoIdToken,
  createTestFunction,
  ISSUER_KID,
  issuerSession,
  type Stand,
  startStand,
  type TestFunction,
} from '../support/scenario.ts';
import {
  introspectionOnlyEnv,
  type SiteSessionEndpoint,
  startSiteSessionEndpoint,
} from '../support/site-session-endpoint.ts';
import { b64url, sessionJwt } from '../support/tokens.ts';

const EC_KID = 'issuer-ec-1';
const ADA = 'ada@example.com';

let stand: Stand;
let site: SiteSessionEndpoint;
let ec: ReturnType<typeof ecKey>;

beforeAll(async () => {
  [stand, site] = await Promise.all([startStand(), startSiteSessionEndpoint()]);
  ec = ecKey();
  stand.jwks.keysByPath.set('/jwks.json', [
    publicJwk(stand.issuerKey.publicKey, ISSUER_KID),
    publicJwk(ec.publicKey, EC_KID, 'ES256'),
  ]);
});
afterAll(async () => {
  await Promise.all([stand.close(), site.close()]);
});

async function call(fn: TestFunction, headers: Record<string, string>) {
  const before = fn.logs.length;
  const result = await fn.invoke(restEvent({ headers }));
  expectContractResponse(result, headers.Origin);
  return { result, line: requestLogLine(fn.logs, before) };
}
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

function expectRefused(
  got: { result: ProxyResult; line: Record<string, unknown> },
  status: number,
  outcome: string,
) {
  expect(got.result.statusCode).toBe(status);
  expect(got.line).toMatchObject({ outcome, status });
}

/** A compact JWS whose signature is made by `sign` over the exact signing input. */
function signedWith(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  sign: (input: string) => Buffer,
) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${sign(input).toString('base64url')}`;
}
const ecdsaSha256 = (key: KeyObject) => (input: string) =>
  createSign('SHA256').update(input).sign({ key, dsaEncoding: 'ieee-p1363' });
const rsaSha256 = (key: KeyObject) => (input: string) => createSign('RSA-SHA256').update(input).sign(key);
const withSignature = (token: string, signature: string) =>
  `${token.split('.').slice(0, 2).join('.')}.${signature}`;

describe('a signature of any shape that does not verify is 401 bad_signature, never a 500', () => {
  it.each([0, 1, 10, 63, 65, 70, 72, 96, 128])('ES256 with a %i-byte signature', async (bytes) => {
    const fn = createTestFunction(stand.env);
    const valid = await sessionJwt(issuerClaims(), ec.privateKey, { kid: EC_KID });
    const token = withSignature(valid, randomBytes(bytes).toString('base64url'));
    const got = await call(fn, bearer(token));
    // An empty third segment is not a compact JWS at all.
    expectRefused(got, 401, bytes === 0 ? 'malformed' : 'bad_signature');
    expect(got.line.level).toBe('WARN');
  });

  it('ES256 control: the genuine 64-byte signature is accepted', async () => {
    const fn = createTestFunction(stand.env);
    const got = await call(fn, bearer(await sessionJwt(issuerClaims(), ec.privateKey, { kid: EC_KID })));
    await expectIssuedFor(got.result, ADA, stand.ownIdKey.pkcs1Pem);
  });

  it.each([
    ['RS256 with a 1-byte signature', (t: string) => withSignature(t, 'AA')],
    [
      'RS256 with a 255-byte signature',
      (t: string) => withSignature(t, randomBytes(255).toString('base64url')),
    ],
    [
      'RS256 with a 257-byte signature',
      (t: string) => withSignature(t, randomBytes(257).toString('base64url')),
    ],
    [
      'a signature segment of 5 characters (no byte length has that base64url form)',
      (t: string) => withSignature(t, 'AAAAA'),
    ],
    ['the genuine signature with a 5th padding character', (t: string) => `${t}A`],
    ['the genuine signature re-spelled with non-zero spare bits', (t: string) => respellSignature(t)],
  ])('%s', async (_label, reshape) => {
    const fn = createTestFunction(stand.env);
    const got = await call(fn, bearer(reshape(await issuerSession(stand))));
    expectRefused(got, 401, 'bad_signature');
  });

  it('the same shapes on a Cognito ID token', async () => {
    const fn = createTestFunction(stand.env);
    const token = await cognitoIdToken(stand);
    for (const reshaped of [
      withSignature(token, 'AAAAA'),
      withSignature(token, randomBytes(70).toString('base64url')),
    ]) {
      expectRefused(await call(fn, bearer(reshaped)), 401, 'bad_signature');
    }
  });
});

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

describe('nbf and iat share one clock-skew allowance (60 s)', () => {
  it.each([
    [3, 200],
    [59, 200],
    [61, 401],
  ])('an IdP clock %i s ahead (nbf = iat = now + skew) -> %i', async (ahead, status) => {
    const fn = createTestFunction(stand.env);
    const t = nowSeconds() + ahead;
    const got = await call(fn, bearer(await issuerSession(stand, { iat: t, nbf: t, exp: t + 600 })));
    expect(got.result.statusCode).toBe(status);
    if (status === 401) expect(got.line.outcome).toBe('not_yet_valid');
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

describe('JWKS keys: RSA >= 2048 bits for RS256, P-256 for ES256, each key bound to one algorithm', () => {
  let counter = 0;
  /** A function whose issuer publishes exactly `keys`. */
  function withJwks(keys: Record<string, unknown>[]): TestFunction {
    counter += 1;
    const path = `/jwks-${counter}.json`;
    stand.jwks.keysByPath.set(path, keys);
    return createTestFunction({ ...stand.env, SESSION_JWT_JWKS_URL: `${stand.jwks.url}${path}` });
  }
  const weakRsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });
  const curve = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });

  it.each([512, 1024])('only a %i-bit RSA key: 503 jwks_unavailable naming the kid and why', async (bits) => {
    const key = weakRsa(bits);
    const fn = withJwks([publicJwk(key.publicKey, `weak-${bits}`)]);
    const token = signedWith(
      { alg: 'RS256', kid: `weak-${bits}` },
      issuerClaims(),
      rsaSha256(key.privateKey),
    );
    const got = await call(fn, bearer(token));
    expectRefused(got, 503, 'jwks_unavailable');
    expect(got.line.level).toBe('ERROR');
    expect(got.line.detail).toContain(`weak-${bits}`);
    expect(got.line.detail).toContain(`${bits} bits`);
  });

  it.each([
    ['P-384', 'secp384r1'],
    ['P-521', 'secp521r1'],
  ])(
    'only a %s key (token labelled ES256): 503 jwks_unavailable naming the curve',
    async (name, namedCurve) => {
      const key = curve(namedCurve);
      const fn = withJwks([{ ...key.publicKey.export({ format: 'jwk' }), kid: 'big-curve', use: 'sig' }]);
      const token = signedWith(
        { alg: 'ES256', kid: 'big-curve' },
        issuerClaims(),
        ecdsaSha256(key.privateKey),
      );
      const got = await call(fn, bearer(token));
      expectRefused(got, 503, 'jwks_unavailable');
      expect(got.line.detail).toContain('big-curve');
      expect(got.line.detail).toContain(name);
    },
  );

  it('an RSA key without alg does not verify a token labelled ES256 (RSA-SHA256 under another name)', async () => {
    const fn = withJwks([
      { ...stand.issuerKey.publicKey.export({ format: 'jwk' }), kid: 'no-alg', use: 'sig' },
    ]);
    const token = signedWith(
      { alg: 'ES256', kid: 'no-alg' },
      issuerClaims(),
      rsaSha256(stand.issuerKey.privateKey),
    );
    expectRefused(await call(fn, bearer(token)), 401, 'alg_not_allowed');
    const rs256 = signedWith(
      { alg: 'RS256', kid: 'no-alg' },
      issuerClaims(),
      rsaSha256(stand.issuerKey.privateKey),
    );
    await expectIssuedFor((await call(fn, bearer(rs256))).result, ADA, stand.ownIdKey.pkcs1Pem);
  });

  it('a key whose alg does not fit its type, and an exponent of 3, are not usable', async () => {
    const fn = withJwks([
      publicJwk(ec.publicKey, 'ec-as-rsa', 'RS256'),
      publicJwk(stand.issuerKey.publicKey, 'rsa-as-rs512', 'RS512'),
      { ...publicJwk(stand.issuerKey.publicKey, 'tiny-e'), e: 'Aw' },
    ]);
    const got = await call(fn, bearer(await sessionJwt(issuerClaims(), ec.privateKey, { kid: 'ec-as-rsa' })));
    expectRefused(got, 503, 'jwks_unavailable');
    expect(got.line.detail).toMatch(/ec-as-rsa.*rsa-as-rs512.*tiny-e/);
  });

  it('a JWKS with one usable key: that key works, a token naming the refused key is 401', async () => {
    const weak = weakRsa(1024);
    const fn = withJwks([
      publicJwk(weak.publicKey, 'legacy-1024'),
      publicJwk(stand.issuerKey.publicKey, ISSUER_KID),
    ]);
    await expectIssuedFor(
      (await call(fn, bearer(await issuerSession(stand)))).result,
      ADA,
      stand.ownIdKey.pkcs1Pem,
    );
    const token = signedWith(
      { alg: 'RS256', kid: 'legacy-1024' },
      issuerClaims(),
      rsaSha256(weak.privateKey),
    );
    expectRefused(await call(fn, bearer(token)), 401, 'bad_signature');
  });

  it('control: a 3072-bit RSA key and a P-256 key both verify', async () => {
    const big = rsaKey('issuer-3072', 3072);
    const fn = withJwks([publicJwk(big.publicKey, 'rsa-3072'), publicJwk(ec.publicKey, EC_KID, 'ES256')]);
    for (const token of [
      await sessionJwt(issuerClaims(), big.privateKey, { kid: 'rsa-3072' }),
      await sessionJwt(issuerClaims(), ec.privateKey, { kid: EC_KID }),
    ]) {
      await expectIssuedFor((await call(fn, bearer(token))).result, ADA, stand.ownIdKey.pkcs1Pem);
    }
  });
});

describe('an RFC 9068 access token is not a session', () => {
  it.each(['at+jwt', 'at+JWT', 'application/at+jwt'])('typ %s -> 401 bad_token_use', async (typ) => {
    const fn = createTestFunction(stand.env);
    expectRefused(await call(fn, bearer(await issuerSession(stand, {}, { typ }))), 401, 'bad_token_use');
  });

  it.each(['JWT', 'jwt'])('control: typ %s is accepted', async (typ) => {
    const fn = createTestFunction(stand.env);
    await expectIssuedFor(
      (await call(fn, bearer(await issuerSession(stand, {}, { typ })))).result,
      ADA,
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
