// The function through its real middy chain, with REST proxy events, the real AWS SDK against the
// Secrets Manager stand-in, and real JWKS downloads: every row of docs/contract.md, Responses and Errors.
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import { expectNoTokenIssued } from '../support/hardening-assertions.ts';
import { rsaKey } from '../support/keys.ts';
import {
  ALLOWED_ORIGIN,
  AUDIENCE,
  CLIENT_ID,
  COGNITO_ISSUER,
  cognitoIdToken,
  createTestFunction,
  ISSUER,
  ISSUER_KID,
  issuerSession,
  type Stand,
  startStand,
  USER_POOL_ID,
} from '../support/scenario.ts';
import { decodeJwt, hs256WithPublicKey, sessionJwt, unsignedJwt } from '../support/tokens.ts';

let stand: Stand;
beforeAll(async () => {
  stand = await startStand();
});
afterAll(() => stand.close());

const SECURITY = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

describe('200: a valid session gets {email, token}', () => {
  it('bearer from the generic issuer: default claim profile, RS256, 60 s, random jti', async () => {
    const fn = createTestFunction(stand.env);
    const bearer = await issuerSession(stand);
    const result = await fn.invoke(
      restEvent({ headers: { Authorization: `Bearer ${bearer}`, Origin: ALLOWED_ORIGIN } }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      ...SECURITY,
      'Access-Control-Allow-Origin': ALLOWED_ORIGIN,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
    const body = JSON.parse(result.body);
    expect(body.email).toBe('ada@example.com');
    const { payload, protectedHeader } = await jwtVerify(
      body.token,
      createPublicKey(stand.ownIdKey.pkcs1Pem),
      {
        issuer: 'OwnID',
        audience: 'OwnID',
        algorithms: ['RS256'],
      },
    );
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(payload.sub).toBe('ada@example.com');
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    const second = JSON.parse(
      (await fn.invoke(restEvent({ headers: { Authorization: `Bearer ${bearer}` } }))).body,
    );
    expect(decodeJwt(second.token).payload.jti).not.toBe(payload.jti);
    const line = JSON.parse(fn.logs.at(-1)!);
    expect(line).toMatchObject({
      message: 'generate-auth-token',
      outcome: 'issued',
      status: 200,
      source: 'bearer',
    });
    expect(line.emailHash).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('Cognito ID token as bearer and as Amplify cookie', async () => {
    const fn = createTestFunction(stand.env);
    const idToken = await cognitoIdToken(stand);
    const bearer = await fn.invoke(restEvent({ headers: { authorization: `Bearer ${idToken}` } }));
    expect(bearer.statusCode).toBe(200);
    const cookieName = `CognitoIdentityServiceProvider.${CLIENT_ID}.ada.idToken`;
    const cookie = await fn.invoke(
      restEvent({ headers: { cookie: `theme=dark; ${cookieName}=${idToken}`, origin: ALLOWED_ORIGIN } }),
    );
    expect(cookie.statusCode).toBe(200);
    expect(JSON.parse(cookie.body).email).toBe('ada@example.com');
    expect(JSON.parse(fn.logs.at(-1)!).source).toBe('cookie');
    expect(COGNITO_ISSUER).toContain(USER_POOL_ID);
  });
});

describe('401: no verified session', () => {
  it.each([
    ['no credentials at all', {}],
    ['a cookie that is not a session cookie', { Cookie: 'theme=dark' }],
    ['a bearer that is not a JWT', { Authorization: 'Bearer not-a-jwt' }],
    ['a Basic credential', { Authorization: 'Basic YWRhOnB3' }],
  ])('%s', async (_label, headers) => {
    const fn = createTestFunction(stand.env);
    const result = await fn.invoke(
      restEvent({ headers, body: JSON.stringify({ email: 'victim@example.com' }) }),
    );
    expect(result.statusCode).toBe(401);
    expect(result.body).toBe('{"message":"Unauthorized"}');
    expect(result.headers).toMatchObject(SECURITY);
    expectNoTokenIssued(result);
  });

  it('never reads identity from the body', async () => {
    const fn = createTestFunction(stand.env);
    const bearer = await issuerSession(stand);
    const result = await fn.invoke(
      restEvent({ headers: { Authorization: `Bearer ${bearer}` }, body: '{"email":"victim@example.com"}' }),
    );
    expect(JSON.parse(result.body).email).toBe('ada@example.com');
  });
});

describe('forged and wrong tokens are 401 with a reason code', () => {
  it.each([
    [
      'alg none, empty signature',
      async () => unsignedJwt({ alg: 'none', typ: 'JWT', kid: ISSUER_KID }, claims()),
      'malformed',
    ],
    [
      'alg none, with a signature',
      async () => unsignedJwt({ alg: 'none', typ: 'JWT', kid: ISSUER_KID }, claims(), 'c2ln'),
      'alg_not_allowed',
    ],
    [
      'HS256 signed with the issuer public key',
      async (s: Stand) => hs256WithPublicKey({ kid: ISSUER_KID }, claims(), s.issuerKey.publicPem),
      'alg_not_allowed',
    ],
    [
      'a foreign key with the issuer kid',
      async (_s: Stand) => sessionJwt(claims(), rsaKey('attacker').privateKey, { kid: ISSUER_KID }),
      'bad_signature',
    ],
    [
      'an unknown kid',
      async (s: Stand) => sessionJwt(claims(), s.issuerKey.privateKey, { kid: 'nobody' }),
      'bad_signature',
    ],
    ['expired', async (s: Stand) => issuerSession(s, { iat: NOW() - 7200, exp: NOW() - 3600 }), 'expired'],
    ['not yet valid (nbf)', async (s: Stand) => issuerSession(s, { nbf: NOW() + 3600 }), 'not_yet_valid'],
    [
      'issued in the future (iat)',
      async (s: Stand) => issuerSession(s, { iat: NOW() + 3600 }),
      'not_yet_valid',
    ],
    ['wrong issuer', async (s: Stand) => issuerSession(s, { iss: 'https://evil.test' }), 'bad_issuer'],
    ['wrong audience', async (s: Stand) => issuerSession(s, { aud: 'another-api' }), 'bad_audience'],
    ['no exp', async (s: Stand) => issuerSession(s, { exp: undefined }), 'malformed'],
    [
      'Cognito access token instead of ID token',
      async (s: Stand) => cognitoIdToken(s, { token_use: 'access', client_id: CLIENT_ID, aud: undefined }),
      'bad_token_use',
    ],
    [
      'Cognito ID token for another client',
      async (s: Stand) => cognitoIdToken(s, { aud: 'other-client' }),
      'bad_client',
    ],
    [
      'Cognito token signed by the issuer key',
      async (s: Stand) => cognitoIdToken(s, {}, s.issuerKey.privateKey),
      'bad_signature',
    ],
  ])('%s', async (_label, makeToken, reason) => {
    const fn = createTestFunction(stand.env);
    const token = await makeToken(stand);
    const result = await fn.invoke(restEvent({ headers: { Authorization: `Bearer ${token}` } }));
    expect(result.statusCode).toBe(401);
    expect(result.body).toBe('{"message":"Unauthorized"}');
    expect(JSON.parse(fn.logs.at(-1)!)).toMatchObject({ outcome: reason, status: 401, source: 'bearer' });
  });
});

describe('403: a valid session that may not enroll', () => {
  it('email_verified false (issuer) and missing (Cognito)', async () => {
    const fn = createTestFunction(stand.env);
    const unverified = await issuerSession(stand, { email_verified: false });
    const cognitoMissing = await cognitoIdToken(stand, { email_verified: undefined });
    for (const token of [unverified, cognitoMissing]) {
      const result = await fn.invoke(restEvent({ headers: { Authorization: `Bearer ${token}` } }));
      expect(result.statusCode).toBe(403);
      expect(result.body).toBe('{"message":"Forbidden"}');
      expect(JSON.parse(fn.logs.at(-1)!).outcome).toBe('email_unverified');
    }
  });

  it('a malformed email', async () => {
    const fn = createTestFunction(stand.env);
    const token = await issuerSession(stand, { email: 'ada@example.com\r\nX: y' });
    const result = await fn.invoke(restEvent({ headers: { Authorization: `Bearer ${token}` } }));
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(fn.logs.at(-1)!).outcome).toBe('email_invalid');
  });

  it('a cookie session from a present, disallowed Origin: refused before verification, no CORS headers', async () => {
    const fn = createTestFunction(stand.env);
    const fetchesBefore = stand.jwks.requests.length;
    const result = await fn.invoke(
      restEvent({ headers: { Cookie: 'app_session=x.y.z', Origin: 'https://evil.test' } }),
    );
    expect(result.statusCode).toBe(403);
    expect(result.headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(JSON.parse(fn.logs.at(-1)!)).toMatchObject({ outcome: 'origin_not_allowed', source: 'cookie' });
    expect(stand.jwks.requests.length).toBe(fetchesBefore);
  });

  it('a cookie session without Origin (same-site navigation, curl) is verified normally', async () => {
    const fn = createTestFunction(stand.env);
    const session = await issuerSession(stand);
    const result = await fn.invoke(restEvent({ headers: { Cookie: `app_session=${session}` } }));
    expect(result.statusCode).toBe(200);
    expect(result.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });
});

describe('405, preflight and CORS', () => {
  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD'])('%s is 405 with Allow', async (method) => {
    const fn = createTestFunction(stand.env);
    const result = await fn.invoke(restEvent({ method, headers: { Origin: ALLOWED_ORIGIN } }));
    expect(result.statusCode).toBe(405);
    expect(result.body).toBe('{"message":"Method Not Allowed"}');
    expect(result.headers).toMatchObject({
      Allow: 'POST, OPTIONS',
      ...SECURITY,
      'Access-Control-Allow-Origin': ALLOWED_ORIGIN,
    });
  });

  it('OPTIONS from an allowed origin: 204 echoing it exactly', async () => {
    const fn = createTestFunction(stand.env);
    const result = await fn.invoke(
      restEvent({
        method: 'OPTIONS',
        headers: { Origin: 'https://admin.example.com', 'Access-Control-Request-Method': 'POST' },
      }),
    );
    expect(result.statusCode).toBe(204);
    expect(result.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://admin.example.com',
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
    expect(result.headers['Access-Control-Allow-Methods']).toContain('POST');
    expect(result.headers['Access-Control-Allow-Headers']).toMatch(/Authorization.*Content-Type/);
  });

  it('OPTIONS from another origin gets no CORS headers', async () => {
    const fn = createTestFunction(stand.env);
    const result = await fn.invoke(
      restEvent({ method: 'OPTIONS', headers: { Origin: 'https://evil.test' } }),
    );
    expect(result.statusCode).toBe(403);
    expect(JSON.stringify(result.headers)).not.toContain('Access-Control-Allow-Origin');
  });

  it('no ALLOWED_ORIGINS: no CORS at all', async () => {
    const { ALLOWED_ORIGINS: _, ...env } = stand.env;
    const fn = createTestFunction(env);
    const bearer = await issuerSession(stand);
    const result = await fn.invoke(
      restEvent({ headers: { Authorization: `Bearer ${bearer}`, Origin: ALLOWED_ORIGIN } }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });
});

const NOW = () => Math.floor(Date.now() / 1000);
function claims(extra: Record<string, unknown> = {}) {
  return { iss: ISSUER, aud: AUDIENCE, email: 'ada@example.com', iat: NOW(), exp: NOW() + 600, ...extra };
}
