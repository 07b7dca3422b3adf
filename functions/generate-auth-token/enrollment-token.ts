// The token OwnID receives (contract section 2): RS256, short-lived, a fresh jti every time.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenConfig } from './config.ts';
import type { OwnIdPrivateKey } from './private-key.ts';

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

export function signEnrollmentToken(
  email: string,
  key: OwnIdPrivateKey,
  token: TokenConfig,
  nowSeconds: number,
  jti: string = randomUUID(),
): Promise<string> {
  const header =
    key.kid === undefined ? { alg: 'RS256', typ: 'JWT' } : { alg: 'RS256', typ: 'JWT', kid: key.kid };
  return new SignJWT(enrollmentTokenClaims(email, token, nowSeconds, jti))
    .setProtectedHeader(header)
    .sign(key.cryptoKey);
}
