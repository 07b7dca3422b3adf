// The token OwnID receives (docs/contract.md, Token): RS256, short-lived, a fresh jti every time.
// Signed with node:crypto on the cached KeyObject: a synchronous RS256 signature costs the raw
// floor, where WebCrypto (jose 6) adds a thread-pool hop per request (measured in npm run bench).
import { type KeyObject, randomUUID, sign } from 'node:crypto';
import type { TokenConfig } from './config.ts';

/** What signing needs from the imported key (private-key.ts builds it once per secret read). */
export interface TokenSigningKey {
  /** The imported key (imported once per secret read, never the PEM). */
  readonly keyObject: KeyObject;
  /** The token's protected header, base64url-encoded once per key. */
  readonly encodedHeader: string;
}

/** Session-creation grants never outlive five minutes, whatever the token TTL. */
const MAX_SESSION_CREATION_SECONDS = 300;

export function enrollmentTokenClaims(email: string, token: TokenConfig, nowSeconds: number, jti: string) {
  const iat = Math.floor(nowSeconds);
  const exp = iat + token.ttlSeconds;
  if (token.profile === 'session-creation') {
    return {
      iss: token.issuer,
      aud: token.audience,
      sub: `Email:${email}`,
      jti,
      iat,
      exp,
      authorization_details: [
        { type: 'sessionCreation', iat, exp: iat + Math.min(MAX_SESSION_CREATION_SECONDS, token.ttlSeconds) },
      ],
    };
  }
  return { sub: email, iss: token.issuer, aud: token.audience, iat, exp, jti };
}

const base64url = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');

export function signEnrollmentToken(
  email: string,
  key: TokenSigningKey,
  token: TokenConfig,
  nowSeconds: number,
  jti: string = randomUUID(),
): string {
  const signingInput = `${key.encodedHeader}.${base64url(enrollmentTokenClaims(email, token, nowSeconds, jti))}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.keyObject).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** The protected header, encoded once per key: {"alg":"RS256","typ":"JWT"} plus kid when configured. */
export function encodeTokenHeader(kid: string | undefined): string {
  return base64url(kid === undefined ? { alg: 'RS256', typ: 'JWT' } : { alg: 'RS256', typ: 'JWT', kid });
}
