// A cheap structural look at a JWT before any verifier sees it: size, segments, base64url,
// JSON objects, header parameters we never honour (RFC 8725: keys are never taken from the token),
// token types that are never a session, and signatures no key could have made.
import { UnauthorizedError } from '../errors.ts';
import { isJsonObject } from '../json-object.ts';

export const MAX_JWT_LENGTH = 8 * 1024;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const FORBIDDEN_HEADER_PARAMETERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit'] as const;
// RFC 9068 access tokens: only `aud` would tell one from an ID token, so `typ` refuses them outright.
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);
// RFC 7518 3.4: an ES256 signature is R || S, exactly 64 bytes. Node's ECDSA verify throws on any
// other length instead of answering false. (RSA answers false for a wrong length.)
const SIGNATURE_BYTES: Readonly<Record<string, number>> = { ES256: 64 };

export interface JwtShape {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

function looksLikeJwt(value: string): boolean {
  return value.length <= MAX_JWT_LENGTH && JWT.test(value);
}

export function inspectJwt(token: string): JwtShape {
  if (!looksLikeJwt(token)) throw new UnauthorizedError('malformed', 'not a compact JWS');
  const [headerPart = '', payloadPart = ''] = token.split('.');
  const header = decodeJsonObject(headerPart);
  const payload = decodeJsonObject(payloadPart);
  for (const name of FORBIDDEN_HEADER_PARAMETERS) {
    if (Object.hasOwn(header, name))
      throw new UnauthorizedError('malformed', `header parameter ${name} is refused`);
  }
  if (typeof header.alg !== 'string') throw new UnauthorizedError('malformed', 'alg missing');
  if (typeof header.typ === 'string' && ACCESS_TOKEN_TYPES.has(header.typ.toLowerCase()))
    throw new UnauthorizedError('bad_token_use', 'an access token (typ at+jwt) is not a session');
  if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid.length > 256)) {
    throw new UnauthorizedError('malformed', 'kid is not a short string');
  }
  return { header, payload };
}

/**
 * A signature that no key could have made for `alg` fails as a bad signature before crypto code sees
 * it: one spelling per signature (base64url without padding, spare bits zero) and the length the
 * algorithm fixes.
 */
export function assertSignatureShape(token: string, alg: string): void {
  const encoded = token.slice(token.lastIndexOf('.') + 1);
  const signature = Buffer.from(encoded, 'base64url');
  if (signature.toString('base64url') !== encoded)
    throw new UnauthorizedError('bad_signature', 'signature is not canonical base64url');
  const expected = SIGNATURE_BYTES[alg];
  if (expected !== undefined && signature.length !== expected)
    throw new UnauthorizedError('bad_signature', `${alg} signature of ${signature.length} bytes`);
}

function decodeJsonObject(part: string): Record<string, unknown> {
  const text = Buffer.from(part, 'base64url').toString('utf8');
  // Invalid UTF-8 decodes to U+FFFD: refuse rather than verify a string that is not what was signed.
  if (text.includes('\uFFFD')) throw new UnauthorizedError('malformed', 'segment is not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnauthorizedError('malformed', 'segment is not JSON');
  }
  if (!isJsonObject(value)) throw new UnauthorizedError('malformed', 'segment is not a JSON object');
  return value;
}
