// Session tokens built byte by byte, for the hardening tests: raw JSON text (duplicate or
// "__proto__" keys, NaN, invalid UTF-8) signed for real, and the claims of the stand's issuers.
import { createSign, type KeyObject } from 'node:crypto';
import { b64url } from './tokens.ts';

/** RS256 over whatever bytes the segments hold: nothing is re-serialised. */
export function signRawSegments(header: string | Buffer, payload: string | Buffer, key: KeyObject): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

/** A JSON object text with extra raw members appended (e.g. `"__proto__":{...}`), for signRawSegments. */
export function jsonWithRawMembers(value: Record<string, unknown>, rawMembers: string): string {
  const text = JSON.stringify(value);
  return text === '{}' ? `{${rawMembers}}` : `${text.slice(0, -1)},${rawMembers}}`;
}

export { cognitoClaims, issuerClaims, nowSeconds } from './stand.ts';

/** Drops `names` from a claims object (for "claim missing" cases). */
export function without(claims: Record<string, unknown>, ...names: string[]): Record<string, unknown> {
  const copy = { ...claims };
  for (const name of names) delete copy[name];
  return copy;
}

/** Flips one bit in the middle of the signature segment. */
export function flipSignatureBit(token: string): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  const index = Math.floor(bytes.length / 2);
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The header and signature of `signed` around another payload (the signature then covers nothing). */
export function swapPayload(signed: string, payload: Record<string, unknown>): string {
  const [header = '', , signature = ''] = signed.split('.');
  return `${header}.${b64url(JSON.stringify(payload))}.${signature}`;
}

/**
 * The same signature spelled another way: a 256-byte RSA signature is 342 base64url characters, the
 * last carrying 4 spare bits; setting one changes the text but not the decoded bytes.
 */
export function respellSignature(token: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const index = alphabet.indexOf(token.at(-1) ?? 'A');
  return token.slice(0, -1) + alphabet[index ^ 0b0001];
}
