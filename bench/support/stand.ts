// The stand-ins the function talks to, all on 127.0.0.1 in the bench process: test/support's
// stand (Secrets Manager with a run-time OwnID key, JWKS for a generic issuer and a Cognito pool),
// plus one session of each kind valid for the whole run (the bench takes minutes). The stand does
// not import the function's sources: the bench loads only the built bundle.
import { createHmac } from 'node:crypto';
import { restEvent } from '../../test/support/events.ts';
import {
  ALLOWED_ORIGIN,
  CLIENT_ID,
  cognitoIdToken,
  issuerSession,
  nowSeconds,
  type Stand,
  startStand,
} from '../../test/support/stand.ts';

export const EMAIL = 'ada@example.com';

export interface BenchStand extends Stand {
  /** A generic-issuer session JWT (bearer case). */
  readonly issuerToken: string;
  /** A Cognito ID token (Amplify cookie case). */
  readonly cognitoToken: string;
}

export async function startBenchStand(): Promise<BenchStand> {
  const stand = await startStand();
  const exp = nowSeconds() + 3600;
  return {
    ...stand,
    issuerToken: await issuerSession(stand, { exp }),
    cognitoToken: await cognitoIdToken(stand, { exp }),
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
