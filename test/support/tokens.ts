// Session tokens for tests: real signatures with run-time keys, plus forgeries built by hand.
import { createHmac, createSign, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

export const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function sessionJwt(
  claims: Record<string, unknown>,
  key: KeyObject,
  header: Record<string, unknown> = {},
): Promise<string> {
  const alg = (header.alg as string | undefined) ?? (key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256');
  return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', ...header, alg }).sign(key);
}

/** A compact JWS with any header, signed with RS256 by `key` whatever the header claims. */
export function rawSignedJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key);
  return `${input}.${signature.toString('base64url')}`;
}

export function unsignedJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  signature = '',
): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.${signature}`;
}

/** The classic key-confusion forgery: HS256 with the issuer's public key as the HMAC secret. */
export function hs256WithPublicKey(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  publicPem: string,
): string {
  const input = `${b64url(JSON.stringify({ ...header, alg: 'HS256' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
}

export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header = '', payload = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  };
}
