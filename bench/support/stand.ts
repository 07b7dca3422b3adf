// The stand-ins the function talks to, all on 127.0.0.1 in the bench process: Secrets Manager
// (holding a run-time OwnID key, counting GetSecretValue calls), and one JWKS server for a generic
// issuer and a Cognito user pool. Mirrors test/support/scenario.ts without importing the
// function's sources: the bench may only load the built bundle.
import { createHmac, type KeyObject } from 'node:crypto';
import { restEvent } from '../../test/support/events.ts';
import { type JwksServer, startJwksServer } from '../../test/support/jwks-server.ts';
import { publicJwk, rsaKey } from '../../test/support/keys.ts';
import {
  type SecretsManagerStandIn,
  secretsManagerEnv,
  startSecretsManagerStandIn,
} from '../../test/support/secrets-manager-stand-in.ts';
import { sessionJwt } from '../../test/support/tokens.ts';

export const ISSUER = 'https://login.example.test';
export const AUDIENCE = 'enrollment-api';
export const USER_POOL_ID = 'eu-west-1_BenchPool1';
export const COGNITO_ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`;
export const CLIENT_ID = 'benchclient1';
export const ALLOWED_ORIGIN = 'https://app.example.com';
export const SECRET_ID = 'ownid/private-key';
export const EMAIL = 'ada@example.com';

export interface BenchStand {
  readonly secretsManager: SecretsManagerStandIn;
  readonly jwks: JwksServer;
  /** The OwnID signing key (the function gets it from the stand-in as PKCS#1 PEM). */
  readonly ownIdKey: ReturnType<typeof rsaKey>;
  /** The function's environment: a typical deployment with both session sources. */
  readonly env: Record<string, string>;
  /** A generic-issuer session JWT (bearer case). */
  readonly issuerToken: string;
  /** A Cognito ID token (Amplify cookie case). */
  readonly cognitoToken: string;
  close(): Promise<void>;
}

export async function startBenchStand(): Promise<BenchStand> {
  const [secretsManager, jwks] = await Promise.all([startSecretsManagerStandIn(), startJwksServer()]);
  const ownIdKey = rsaKey('ownid');
  const issuerKey = rsaKey('issuer');
  const cognitoKey = rsaKey('cognito');
  secretsManager.secrets.set(SECRET_ID, ownIdKey.pkcs1Pem);
  jwks.keysByPath.set('/jwks.json', [publicJwk(issuerKey.publicKey, 'issuer-key-1')]);
  jwks.keysByPath.set(`/${USER_POOL_ID}/.well-known/jwks.json`, [
    publicJwk(cognitoKey.publicKey, 'cognito-key-1'),
  ]);
  const env = {
    ...secretsManagerEnv(secretsManager.url),
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: jwks.url,
    OWNID_PRIVATE_KEY_SECRET_ID: SECRET_ID,
    SESSION_COGNITO_USER_POOL_ID: USER_POOL_ID,
    SESSION_COGNITO_CLIENT_IDS: CLIENT_ID,
    SESSION_JWT_ISSUER: ISSUER,
    SESSION_JWT_JWKS_URL: `${jwks.url}/jwks.json`,
    SESSION_JWT_AUDIENCE: AUDIENCE,
    SESSION_COOKIE_NAMES: 'app_session',
    ALLOWED_ORIGINS: ALLOWED_ORIGIN,
  };
  const now = Math.floor(Date.now() / 1000);
  // Valid for the whole run (the bench takes minutes).
  const issuerToken = await sessionJwt(
    {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-1',
      email: EMAIL,
      email_verified: true,
      iat: now,
      exp: now + 3600,
    },
    issuerKey.privateKey,
    { kid: 'issuer-key-1' },
  );
  const cognitoToken = await sessionJwt(
    {
      iss: COGNITO_ISSUER,
      aud: CLIENT_ID,
      sub: '4f1c2d7e-0000-4000-8000-000000000001',
      token_use: 'id',
      'cognito:username': 'ada',
      email: EMAIL,
      email_verified: true,
      auth_time: now,
      iat: now,
      exp: now + 3600,
    },
    cognitoKey.privateKey as KeyObject,
    { kid: 'cognito-key-1' },
  );
  return {
    secretsManager,
    jwks,
    ownIdKey,
    env,
    issuerToken,
    cognitoToken,
    close: async () => {
      await Promise.all([secretsManager.close(), jwks.close()]);
    },
  };
}

/** Request headers of the two session cases, as a browser / API client sends them. */
export function bearerHeaders(stand: BenchStand): Record<string, string> {
  return {
    Authorization: `Bearer ${stand.issuerToken}`,
    Origin: ALLOWED_ORIGIN,
    'Content-Type': 'application/json',
  };
}

export function amplifyCookieHeaders(stand: BenchStand): Record<string, string> {
  const prefix = `CognitoIdentityServiceProvider.${CLIENT_ID}`;
  return {
    Cookie: `${prefix}.LastAuthUser=ada; ${prefix}.ada.idToken=${stand.cognitoToken}; _ga=GA1.1.123.456`,
    Origin: ALLOWED_ORIGIN,
    'Content-Type': 'application/json',
  };
}

/** A REST proxy event as API Gateway hands it over: a fresh object per request. */
export function proxyEvent(headers: Record<string, string>) {
  return restEvent({ headers: { Host: 'api.example.com', 'User-Agent': 'bench', ...headers }, body: '{}' });
}

/** express-session's cookie value for a session id: `s:<sid>.<HMAC-SHA256 base64, no padding>`, URL-encoded. */
export function expressSessionCookie(name: string, sid: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `${name}=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}
