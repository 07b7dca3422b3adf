// The outcome route's input, pure: the body (size cap before parsing, prototype-safe reading) and
// the token it carries (ours, this user's, recent). Nothing here throws on client input: every bad
// shape is a typed refusal carrying the status and a value-free reason for the log.
//
// Unknown fields are ignored: never read, stored or logged. A newer snippet can then add a field
// without an older function refusing all its reports, and nothing unvalidated goes anywhere.
import { createHash, type KeyObject, verify } from 'node:crypto';
import { ENROLLMENT_OUTCOMES, type EnrollmentOutcome, type TokenOutcome } from './prompt-policy.ts';

export const MAX_OUTCOME_BODY_BYTES = 4096;
export const MAX_OUTCOME_DETAIL_LENGTH = 200;
/** A token's outcome is accepted this long after it was issued (its `exp` is not checked here). */
export const OUTCOME_TOKEN_MAX_AGE_SECONDS = 15 * 60;

export type OutcomeRequest =
  | { readonly outcome: TokenOutcome; readonly token: string; readonly detail?: string }
  | { readonly outcome: 'ineligible'; readonly detail?: string };

export type OutcomeRefusal =
  | { readonly status: 400; readonly reason: 'malformed_body' | 'token_too_old'; readonly detail: string }
  | { readonly status: 403; readonly reason: 'token_mismatch'; readonly detail: string };

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly refusal: OutcomeRefusal };

export interface OutcomeToken {
  /** Names the token in the replay marker: its jti, else a truncated SHA-256 of the token. */
  readonly tokenId: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
}

const malformed = (detail: string): Checked<never> => ({
  ok: false,
  refusal: { status: 400, reason: 'malformed_body', detail },
});
const mismatch = (detail: string): Checked<never> => ({
  ok: false,
  refusal: { status: 403, reason: 'token_mismatch', detail },
});

const OUTCOMES: ReadonlySet<unknown> = new Set(ENROLLMENT_OUTCOMES);
const isOutcome = (value: unknown): value is EnrollmentOutcome => OUTCOMES.has(value);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Parsed JSON object or undefined; own properties only are ever read from it. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const own = (object: Record<string, unknown>, field: string) =>
  Object.hasOwn(object, field) ? object[field] : undefined;

function bodyText(body: string | null | undefined, isBase64Encoded: boolean): string | undefined {
  if (typeof body !== 'string') return undefined;
  if (!isBase64Encoded) {
    // UTF-8 is never shorter than the UTF-16 length: the cheap test first.
    if (body.length > MAX_OUTCOME_BODY_BYTES || Buffer.byteLength(body) > MAX_OUTCOME_BODY_BYTES)
      return undefined;
    return body;
  }
  if (body.length > Math.ceil(MAX_OUTCOME_BODY_BYTES / 3) * 4) return undefined;
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length > MAX_OUTCOME_BODY_BYTES) return undefined;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The outcome route's body: `{token, outcome, detail?}`, or `{outcome: "ineligible", detail?}`. */
export function parseOutcomeRequest(
  body: string | null | undefined,
  isBase64Encoded = false,
): Checked<OutcomeRequest> {
  const text = bodyText(body, isBase64Encoded);
  if (text === undefined) return malformed('body missing, over 4096 bytes or not UTF-8');
  const fields = parseJsonObject(text);
  if (fields === undefined) return malformed('body is not a JSON object');

  const outcome = own(fields, 'outcome');
  if (!isOutcome(outcome)) return malformed('unknown outcome');
  const detail = own(fields, 'detail');
  if (detail !== undefined) {
    if (typeof detail !== 'string' || detail.length > MAX_OUTCOME_DETAIL_LENGTH || !detail.isWellFormed()) {
      return malformed('detail is not a string of at most 200 characters');
    }
  }
  const withDetail = detail === undefined ? {} : { detail };
  if (outcome === 'ineligible') return { ok: true, value: { outcome, ...withDetail } };

  const token = own(fields, 'token');
  if (typeof token !== 'string' || token === '') return malformed('token missing');
  return { ok: true, value: { outcome, token, ...withDetail } };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const JTI_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  return parseJsonObject(Buffer.from(segment, 'base64url').toString('utf8'));
}

function signatureValid(signingInput: string, signature: string, publicKey: KeyObject): boolean {
  if (!BASE64URL.test(signature) || publicKey.asymmetricKeyType !== 'rsa') return false;
  const bytes = Buffer.from(signature, 'base64url');
  // One spelling per token: spare bits in the last character would otherwise make variants of
  // one token that pass the signature but differ as strings.
  if (bytes.toString('base64url') !== signature) return false;
  try {
    return verify('sha256', Buffer.from(signingInput), publicKey, bytes);
  } catch {
    return false;
  }
}

/**
 * Is this a token we issued to this user, recently? `expectedSubject` is the `sub` the token's
 * claim profile gives this session's email (see enrollment-token.ts); `publicKey` is the public
 * half of the signing key. Order: signature and subject (403) before age (400), so a stranger
 * learns nothing about a token that is not theirs.
 */
export function checkOutcomeToken(
  token: string,
  expectedSubject: string,
  publicKey: KeyObject,
  nowMs: number,
): Checked<OutcomeToken> {
  if (typeof token !== 'string' || token.length > MAX_OUTCOME_BODY_BYTES) return mismatch('not a JWS');
  const segments = token.split('.');
  if (segments.length !== 3) return mismatch('not a compact JWS');
  const [encodedHeader = '', encodedPayload = '', signature = ''] = segments;
  const header = decodeSegment(encodedHeader);
  if (header === undefined || own(header, 'alg') !== 'RS256' || own(header, 'crit') !== undefined) {
    return mismatch('header is not RS256');
  }
  if (!signatureValid(`${encodedHeader}.${encodedPayload}`, signature, publicKey)) {
    return mismatch('not signed by our key');
  }
  const claims = decodeSegment(encodedPayload);
  if (claims === undefined || own(claims, 'sub') !== expectedSubject) return mismatch('sub is not this user');
  const iat = own(claims, 'iat');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return mismatch('no iat');
  if (Math.floor(nowMs / 1000) - iat > OUTCOME_TOKEN_MAX_AGE_SECONDS) {
    return {
      ok: false,
      refusal: { status: 400, reason: 'token_too_old', detail: 'issued over 15 minutes ago' },
    };
  }
  const jti = own(claims, 'jti');
  const tokenId =
    typeof jti === 'string' && JTI_PATTERN.test(jti)
      ? jti
      : `sha256:${createHash('sha256').update(token).digest('base64url').slice(0, 32)}`;
  return { ok: true, value: { tokenId, issuedAt: iat } };
}
