// The function through its real middy chain, with REST proxy events, the real AWS SDK against the
// Secrets Manager stand-in, and real JWKS downloads: every row of the contract's section 1.
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import {
  ALLOWED_ORIGIN,
  CLIENT_ID,
  COGNITO_ISSUER,
  cognitoIdToken,
  createTestFunction,
  issuerSession,
  type Stand,
  startStand,
  USER_POOL_ID,
} from '../support/scenario.ts';
import { decodeJwt } from '../support/tokens.ts';

let stand: Stand;
beforeAll(async () => {
  stand = await startStand();
});
afterAll(() => stand.close());

const SECURITY = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

function expectNoToken(result: { body: string }) {
  expect(result.body).not.toMatch(/eyJ/);
  expect(JSON.parse(result.body)).not.toHaveProperty('token');
}

describe('200: a valid session gets {email, token}', () => {
  it('bearer from the generic issuer: default claim profile, RS256, 60 s, random jti', async () => {
    const fn = createTestFunction(stand.env);
    const bearer = await issuerSession(stand);
    const result = await fn.invoke(restEvent({ headers: { Authorization: `Bearer ${bearer}`, Origin: ALLOWED_ORIGIN } }));
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      ...SECURITY,
      'Access-Control-Allow-Origin': ALLOWED_ORIGIN,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
    const body = JSON.parse(result.body);
    expect(body.email).toBe('ada@example.com');
    const { payload, protectedHeader } = await jwtVerify(body.token, createPublicKey(stand.ownIdKey.pkcs1Pem), {
      issuer: 'OwnID',
      audience: 'OwnID',
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(payload.sub).toBe('ada@example.com');
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    const second = JSON.parse((await fn.invoke(restEvent({ headers: { Authorization: `Bearer ${bearer}` } }))).body);
    expect(decodeJwt(second.token).payload.jti).not.toBe(payload.jti);
    const line = JSON.parse(fn.logs.at(-1)!);
    expect(line).toMatchObject({ message: 'generate-auth-token', outcome: 'issued', status: 200, source: 'bearer' });
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
