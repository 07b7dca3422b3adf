// What a red team found in token verification, each driven through the handler (REST proxy event
// in, response and log line out): signatures of the wrong shape or spelling, nbf clock skew, weak or
// mislabelled JWKS keys, and RFC 9068 access tokens presented as sessions.
import { createSign, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerClaims, nowSeconds, respellSignature } from '../support/forged-tokens.ts';
import { callHandler as call, expectIssuedFor, expectRefused } from '../support/hardening-assertions.ts';
import { ecKey, publicJwk, rsaKey } from '../support/keys.ts';
import {
  cognitoIdToken,
  createTestFunction,
  ISSUER_KID,
  issuerSession,
  type Stand,
  startStand,
  type TestFunction,
} from '../support/scenario.ts';
import { b64url, sessionJwt } from '../support/tokens.ts';

const EC_KID = 'issuer-ec-1';
const ADA = 'ada@example.com';

let stand: Stand;
let ec: ReturnType<typeof ecKey>;

beforeAll(async () => {
  stand = await startStand();
  ec = ecKey();
  stand.jwks.keysByPath.set('/jwks.json', [
    publicJwk(stand.issuerKey.publicKey, ISSUER_KID),
    publicJwk(ec.publicKey, EC_KID, 'ES256'),
  ]);
});
afterAll(() => stand.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

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

describe('nbf and iat share one clock-skew allowance (60 s)', () => {
  it.each([
    [3, 200],
    [55, 200],
    [65, 401],
  ])('an IdP clock %i s ahead (nbf = iat = now + skew) -> %i', async (ahead, status) => {
    const fn = createTestFunction(stand.env);
    const t = nowSeconds() + ahead;
    const got = await call(fn, bearer(await issuerSession(stand, { iat: t, nbf: t, exp: t + 600 })));
    expect(got.result.statusCode).toBe(status);
    if (status === 401) expect(got.line.outcome).toBe('not_yet_valid');
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
