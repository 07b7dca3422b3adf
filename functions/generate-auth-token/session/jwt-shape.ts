// A cheap structural look at a JWT before any verifier sees it: size, segments, base64url,
// JSON objects, and header parameters we never honour (RFC 8725: keys are never taken from the token).
import { UnauthorizedError } from '../errors.ts';
import { isJsonObject } from '../json-object.ts';

export const MAX_JWT_LENGTH = 8 * 1024;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const FORBIDDEN_HEADER_PARAMETERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit'] as const;

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
  if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid.length > 256)) {
    throw new UnauthorizedError('malformed', 'kid is not a short string');
  }
  return { header, payload };
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
