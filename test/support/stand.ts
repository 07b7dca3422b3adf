// The stand-ins the function talks to, on 127.0.0.1: a Secrets Manager holding a run-time OwnID
// key, and a JWKS server for a generic issuer and a Cognito user pool; plus valid sessions for
// both. No import of the function: the bench (which may load only the built bundle) uses it too.
import type { KeyObject } from 'node:crypto';
import { type JwksServer, startJwksServer } from './jwks-server.ts';
import { publicJwk, rsaKey } from './keys.ts';
import {
  type SecretsManagerStandIn,
  secretsManagerEnv,
  startSecretsManagerStandIn,
} from './secrets-manager-stand-in.ts';
import { sessionJwt } from './tokens.ts';

export const ISSUER = 'https://login.example.test';
export const AUDIENCE = 'enrollment-api';
export const USER_POOL_ID = 'eu-west-1_TestPool1';
export const COGNITO_ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`;
export const CLIENT_ID = 'client1abc';
export const ALLOWED_ORIGIN = 'https://app.example.com';
export const SECRET_ID = 'ownid/private-key';
export const ISSUER_KID = 'issuer-key-1';
export const COGNITO_KID = 'cognito-key-1';

export interface Stand {
  readonly secretsManager: SecretsManagerStandIn;
  readonly jwks: JwksServer;
  readonly ownIdKey: ReturnType<typeof rsaKey>;
  readonly issuerKey: ReturnType<typeof rsaKey>;
  readonly cognitoKey: ReturnType<typeof rsaKey>;
  /** The env of a typical deployment, pointing at the stand-ins. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function startStand(): Promise<Stand> {
  const [secretsManager, jwks] = await Promise.all([startSecretsManagerStandIn(), startJwksServer()]);
  const ownIdKey = rsaKey('ownid');
  const issuerKey = rsaKey('issuer');
  const cognitoKey = rsaKey('cognito');
  secretsManager.secrets.set(SECRET_ID, ownIdKey.pkcs1Pem);
  jwks.keysByPath.set('/jwks.json', [publicJwk(issuerKey.publicKey, ISSUER_KID)]);
  jwks.keysByPath.set(`/${USER_POOL_ID}/.well-known/jwks.json`, [
    publicJwk(cognitoKey.publicKey, COGNITO_KID),
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
    ALLOWED_ORIGINS: `${ALLOWED_ORIGIN},https://admin.example.com`,
  };
  return {
    secretsManager,
    jwks,
    ownIdKey,
    issuerKey,
    cognitoKey,
    env,
    close: async () => {
      await Promise.all([secretsManager.close(), jwks.close()]);
    },
  };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The generic issuer's claims for ada@example.com, valid for 10 minutes. */
export function issuerClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    email: 'ada@example.com',
    email_verified: true,
    iat: now,
    exp: now + 600,
    ...extra,
  };
}

/** A Cognito ID token's claims for ada@example.com, valid for an hour. */
export function cognitoClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return {
    iss: COGNITO_ISSUER,
    aud: CLIENT_ID,
    sub: '4f1c2d7e-0000-4000-8000-000000000001',
    token_use: 'id',
    'cognito:username': 'ada',
    email: 'ada@example.com',
    email_verified: true,
    auth_time: now,
    iat: now,
    exp: now + 3600,
    ...extra,
  };
}

export function issuerSession(
  stand: Pick<Stand, 'issuerKey'>,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return sessionJwt(issuerClaims(claims), stand.issuerKey.privateKey, { kid: ISSUER_KID, ...header });
}

export function cognitoIdToken(
  stand: Pick<Stand, 'cognitoKey'>,
  claims: Record<string, unknown> = {},
  key: KeyObject = stand.cognitoKey.privateKey,
  header: Record<string, unknown> = {},
): Promise<string> {
  return sessionJwt(cognitoClaims(claims), key, { kid: COGNITO_KID, ...header });
}
