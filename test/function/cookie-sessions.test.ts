// Cookie sources and their precedence: bearer, then SESSION_COOKIE_NAMES, then Amplify cookies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import {
  ALLOWED_ORIGIN,
  CLIENT_ID,
  cognitoIdToken,
  createTestFunction,
  issuerSession,
  type Stand,
  startStand,
} from '../support/scenario.ts';

let stand: Stand;
beforeAll(async () => {
  stand = await startStand();
});
afterAll(() => stand.close());

const amplify = (user: string, suffix: string, clientId = CLIENT_ID) =>
  `CognitoIdentityServiceProvider.${clientId}.${user}.${suffix}`;

describe('session cookies', () => {
  it('a named session cookie carrying the issuer JWT', async () => {
    const fn = createTestFunction(stand.env);
    const result = await fn.invoke(
      restEvent({ headers: { Cookie: `app_session=${await issuerSession(stand)}`, Origin: ALLOWED_ORIGIN } }),
    );
    expect(result.statusCode).toBe(200);
  });

  it("the bearer decides when both are present: its email, never the cookie's", async () => {
    const fn = createTestFunction(stand.env);
    const bearerA = await issuerSession(stand, { email: 'a@example.com' });
    const cookieB = await issuerSession(stand, { email: 'b@example.com' });
    const result = await fn.invoke(
      restEvent({ headers: { Authorization: `Bearer ${bearerA}`, Cookie: `app_session=${cookieB}` } }),
    );
    expect(JSON.parse(result.body).email).toBe('a@example.com');
    const invalidBearer = await fn.invoke(
      restEvent({ headers: { Authorization: 'Bearer x.y.z', Cookie: `app_session=${cookieB}` } }),
    );
    expect(invalidBearer.statusCode).toBe(401);
  });

  it('Amplify: LastAuthUser picks among several signed-in users', async () => {
    const fn = createTestFunction(stand.env);
    const ada = await cognitoIdToken(stand, { email: 'ada@example.com' });
    const bob = await cognitoIdToken(stand, { email: 'bob@example.com' });
    const cookie = `${amplify('ada', 'idToken')}=${ada}; ${amplify('bob', 'idToken')}=${bob}; CognitoIdentityServiceProvider.${CLIENT_ID}.LastAuthUser=bob`;
    const result = await fn.invoke(restEvent({ headers: { Cookie: cookie } }));
    expect(JSON.parse(result.body).email).toBe('bob@example.com');
    const noLast = await fn.invoke(
      restEvent({
        headers: { Cookie: `${amplify('ada', 'idToken')}=${ada}; ${amplify('bob', 'idToken')}=${bob}` },
      }),
    );
    expect(noLast.statusCode).toBe(401);
  });

  it('Amplify cookies of another client id are not a session', async () => {
    const fn = createTestFunction(stand.env);
    const token = await cognitoIdToken(stand, { aud: 'other-client' });
    const result = await fn.invoke(
      restEvent({ headers: { Cookie: `${amplify('ada', 'idToken', 'other-client')}=${token}` } }),
    );
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(fn.logs.at(-1)!).outcome).toBe('no_session');
  });

  it("another issuer's token under an Amplify cookie name is refused: those cookies hold Cognito tokens only", async () => {
    const fn = createTestFunction(stand.env);
    const token = await issuerSession(stand);
    const result = await fn.invoke(
      restEvent({ headers: { Cookie: `${amplify('ada', 'idToken')}=${token}` } }),
    );
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(fn.logs.at(-1)!).outcome).toBe('bad_issuer');
  });

  it('Amplify access-token cookies are not ID tokens', async () => {
    const fn = createTestFunction(stand.env);
    const token = await cognitoIdToken(stand, { token_use: 'access', client_id: CLIENT_ID, aud: undefined });
    const result = await fn.invoke(
      restEvent({ headers: { Cookie: `${amplify('ada', 'accessToken')}=${token}` } }),
    );
    expect(result.statusCode).toBe(401);
  });

  it('a session cookie sent twice with different values is refused', async () => {
    const fn = createTestFunction(stand.env);
    const a = await issuerSession(stand, { email: 'a@example.com' });
    const b = await issuerSession(stand, { email: 'b@example.com' });
    const result = await fn.invoke(restEvent({ headers: { Cookie: `app_session=${a}; app_session=${b}` } }));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(fn.logs.at(-1)!).outcome).toBe('malformed');
  });
});
