// A table of hostile and malformed requests through the real handler (REST proxy events,
// real AWS SDK against the Secrets Manager stand-in, real JWKS downloads). Every row states its
// status and reason code; every refusal carries the exact body of docs/contract.md, Responses, no-store, and no token.
//
// Decisions where docs/contract.md is silent (each row says which):
// - `bearer <jwt>` / `BEARER <jwt>` are accepted: RFC 7235 auth schemes are case-insensitive.
// - Exactly one space after the scheme, no leading/trailing whitespace: anything else is malformed.
// - A verified look-alike email (Cyrillic "а") is another account: 200 with that exact email.
//   Non-NFC, zero-width, bidi, control characters, lone surrogates and > 254 chars: 403.
// - A float `exp` in the future is a valid NumericDate (RFC 7519 §2): 200.
// - Precedence: a present Authorization header alone decides, cookies are then ignored (a valid
//   bearer for A with a cookie for B is A; a bad bearer with a good cookie is 401).
// - Cookie values may be DQUOTE-wrapped (RFC 6265) or percent-encoded: both are unwrapped.
// - A bearer from a disallowed Origin is answered (200) but without CORS headers: only cookie
//   sessions are ambient credentials a foreign site can make the browser send.
// - An empty signature segment is not a compact JWS (malformed); any other signature that does not
//   verify, whatever its length or spelling, is bad_signature (ES256: every length 0..80 bytes).
// - A cookie forwarded to the site's session endpoint must be printable ASCII (what a header carries
//   byte for byte): every other character, 0x00..0xFF and beyond, is malformed, before any request.
// - Emails with default-ignorable, private-use or blank characters, lone combining marks, or that
//   NFKC would change (fullwidth, ligatures, superscripts) are 403 email_invalid.
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Outcome } from '../../functions/generate-auth-token/request-log.ts';
import { type EventOptions, restEvent } from '../support/events.ts';
import {
  cognitoClaims,
  flipSignatureBit,
  issuerClaims,
  jsonWithRawMembers,
  nowSeconds,
  respellSignature,
  signRawSegments,
  swapPayload,
  without,
} from '../support/forged-tokens.ts';
import { expectContractResponse, expectIssuedFor, requestLogLine } from '../support/hardening-assertions.ts';
import { ecKey, publicJwk, rsaKey } from '../support/keys.ts';
import { LogAudit, spyOnProcessOutput } from '../support/log-audit.ts';
import { outcomeTokenIssuerFor } from '../support/outcome-tokens.ts';
import {
  ALLOWED_ORIGIN,
  CLIENT_ID,
  COGNITO_KID,
  cognitoIdToken,
  createTestFunction,
  ISSUER_KID,
  issuerSession,
  type Stand,
  startStand,
  type TestFunction,
  USER_POOL_ID,
} from '../support/scenario.ts';
import { type SiteSessionEndpoint, startSiteSessionEndpoint } from '../support/site-session-endpoint.ts';
import { b64url, hs256WithPublicKey, sessionJwt, unsignedJwt } from '../support/tokens.ts';

interface Kit {
  readonly stand: Stand;
  /** Valid issuer session for ada@example.com. */
  readonly ada: string;
  /** Valid issuer session for bob@example.com. */
  readonly bob: string;
  /** Valid Cognito ID token for ada@example.com. */
  readonly cognitoAda: string;
  readonly attacker: ReturnType<typeof rsaKey>;
  /** Valid ES256 issuer session for ada@example.com (P-256 key in the issuer's JWKS). */
  readonly es256Ada: string;
}

interface Case {
  readonly name: string;
  readonly request: (kit: Kit) => EventOptions | Promise<EventOptions>;
  /** For events API Gateway would never build (null maps, numbers). */
  readonly rawEvent?: (event: APIGatewayProxyEvent) => void;
  readonly status: 200 | 204 | 400 | 401 | 403 | 405;
  readonly outcome: Outcome | readonly Outcome[];
  /** The email a 200 must carry. */
  readonly email?: string;
}

const ADA = 'ada@example.com';
const AMPLIFY = `CognitoIdentityServiceProvider.${CLIENT_ID}`;
const EVIL_ORIGIN = 'https://app.example.com.evil.test';

const bearer = (token: string, extra: Record<string, string> = {}): EventOptions => ({
  headers: { Authorization: `Bearer ${token}`, ...extra },
});
const cookie = (value: string, origin?: string): EventOptions => ({
  headers: origin === undefined ? { Cookie: value } : { Cookie: value, Origin: origin },
});
const issuer = (kit: Kit, claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  issuerSession(kit.stand, claims, header);
const cognito = (kit: Kit, claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  cognitoIdToken(kit.stand, claims, undefined, header);
const rawIssuerPayload = (kit: Kit, payload: string | Buffer, header: Record<string, unknown> = {}) =>
  signRawSegments(
    JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: ISSUER_KID, ...header }),
    payload,
    kit.stand.issuerKey.privateKey,
  );
const segments = (token: string) => token.split('.');
const EC_KID = 'issuer-ec-1';
const hex = (char: string) => (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');

// Generated rows: ES256 signatures of every length, cookie characters of every byte, email look-alikes.
const ES256_SIGNATURE_LENGTHS: readonly Case[] = Array.from({ length: 81 }, (_, bytes) => ({
  name: `ES256 signature of ${bytes} random bytes`,
  request: (k: Kit) =>
    bearer(`${segments(k.es256Ada).slice(0, 2).join('.')}.${randomBytes(bytes).toString('base64url')}`),
  status: 401,
  outcome: bytes === 0 ? 'malformed' : 'bad_signature',
}));

const COOKIE_CHARACTERS = [
  ...Array.from({ length: 256 }, (_, byte) => String.fromCharCode(byte)),
  ...['\u0100', '\u2028', '\uFEFF', '\uD800', '\u{1F600}'],
];
const COOKIE_BYTES: readonly Case[] = COOKIE_CHARACTERS.map((char) => {
  const code = char.codePointAt(0) ?? 0;
  const forwardable = char.length === 1 && code >= 0x20 && code <= 0x7e;
  return {
    name: `introspection cookie with U+${hex(char)} in its value`,
    request: () => cookie(`connect.sid=s%3Avalid${char}.sig`),
    status: forwardable ? 200 : 401,
    outcome: forwardable ? 'issued' : 'malformed',
    ...(forwardable ? { email: ADA } : {}),
  };
});

const LOOK_ALIKE_EMAILS: readonly Case[] = [
  'ada\uFE0F@example.com',
  'ada\u3164@example.com',
  '\u115Fada@example.com',
  '\uFFA0ada@example.com',
  'ada@exam\u2800ple.com',
  'ada\u034F@example.com',
  'ada\u180E@example.com',
  'ada@\u0301example.com',
  '\u0308ada@example.com',
  '\uFF41\uFF44\uFF41@example.com',
  '\uFB01n@example.com',
  'ada\u00B2@example.com',
  'ada\uE000@example.com',
  'ada\u{E0041}@example.com',
].map((email) => ({
  name: `email with U+${hex([...email].find((c) => !/[a-z@.]/.test(c)) ?? '')}`,
  request: (k: Kit) => issuer(k, { email }).then((t) => bearer(t)),
  status: 403,
  outcome: 'email_invalid',
}));

// --- The outcome route (no table here: it verifies and logs only) --------------------------------
const outcomeReport = (body: unknown, headers: Record<string, string> = {}): EventOptions => ({
  path: '/enrollment-outcome',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
/** An enrollment token as the function signs it, for `email`, by `key` (ours unless given). */
const enrollmentToken = async (email: string, key = rsaKey('ownid'), issuedAtMs = Date.now()) =>
  (await outcomeTokenIssuerFor(key)).issue(email, issuedAtMs);
const OUTCOME_ROUTE: Case[] = [
  {
    name: 'outcome: body is not JSON',
    request: (k) => outcomeReport('{"outcome":', { Authorization: `Bearer ${k.ada}` }),
    status: 400,
    outcome: 'malformed_body',
  },
  {
    name: 'outcome: body is a JSON array',
    request: (k) => outcomeReport([{ outcome: 'enrolled' }], { Authorization: `Bearer ${k.ada}` }),
    status: 400,
    outcome: 'malformed_body',
  },
  {
    name: 'outcome: outcome "__proto__"',
    request: (k) =>
      outcomeReport('{"outcome":"__proto__","token":"a.b.c"}', { Authorization: `Bearer ${k.ada}` }),
    status: 400,
    outcome: 'malformed_body',
  },
  {
    name: 'outcome: outcome only on the prototype',
    request: (k) =>
      outcomeReport('{"__proto__":{"outcome":"ineligible"}}', { Authorization: `Bearer ${k.ada}` }),
    status: 400,
    outcome: 'malformed_body',
  },
  {
    name: 'outcome: body over 4096 bytes',
    request: (k) =>
      outcomeReport({ outcome: 'ineligible', pad: 'é'.repeat(2100) }, { Authorization: `Bearer ${k.ada}` }),
    status: 400,
    outcome: 'malformed_body',
  },
  {
    name: 'outcome: valid body, no session',
    request: async () => outcomeReport({ outcome: 'enrolled', token: await enrollmentToken(ADA) }),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: "outcome: ada's session reports bob's token",
    request: async (k) =>
      outcomeReport(
        { outcome: 'cancelled', token: await enrollmentToken('bob@example.com') },
        {
          Authorization: `Bearer ${k.ada}`,
        },
      ),
    status: 403,
    outcome: 'token_mismatch',
  },
  {
    name: 'outcome: token signed by an attacker key',
    request: async (k) =>
      outcomeReport(
        { outcome: 'enrolled', token: await enrollmentToken(ADA, k.attacker) },
        {
          Authorization: `Bearer ${k.ada}`,
        },
      ),
    status: 403,
    outcome: 'token_mismatch',
  },
  {
    name: 'outcome: alg none token',
    request: (k) =>
      outcomeReport(
        {
          outcome: 'enrolled',
          token: unsignedJwt({ alg: 'none', typ: 'JWT' }, { sub: ADA, iat: nowSeconds() }),
        },
        {
          Authorization: `Bearer ${k.ada}`,
        },
      ),
    status: 403,
    outcome: 'token_mismatch',
  },
  {
    name: 'outcome: the session JWT itself as the token',
    request: (k) =>
      outcomeReport({ outcome: 'enrolled', token: k.ada }, { Authorization: `Bearer ${k.ada}` }),
    status: 403,
    outcome: 'token_mismatch',
  },
  {
    name: 'outcome: our token, issued 16 minutes ago',
    request: async (k) =>
      outcomeReport(
        { outcome: 'failed', token: await enrollmentToken(ADA, undefined, Date.now() - 16 * 60_000) },
        {
          Authorization: `Bearer ${k.ada}`,
        },
      ),
    status: 400,
    outcome: 'token_too_old',
  },
  {
    name: 'outcome: our token for this user, recorded (no table: verified and logged)',
    request: async (k) =>
      outcomeReport(
        { outcome: 'enrolled', token: await enrollmentToken(ADA) },
        {
          Authorization: `Bearer ${k.ada}`,
          Origin: ALLOWED_ORIGIN,
        },
      ),
    status: 204,
    outcome: 'outcome_recorded',
  },
  {
    name: 'outcome: cookie session from a foreign origin',
    request: async (k) =>
      outcomeReport(
        { outcome: 'enrolled', token: await enrollmentToken(ADA) },
        {
          Cookie: `app_session=${k.ada}`,
          Origin: EVIL_ORIGIN,
        },
      ),
    status: 403,
    outcome: 'origin_not_allowed',
  },
];

const CASES: readonly Case[] = [
  // --- Authorization header: schemes and spacing -------------------------------------------
  { name: 'no credentials at all', request: () => ({}), status: 401, outcome: 'no_session' },
  {
    name: 'Authorization empty',
    request: () => ({ headers: { Authorization: '' } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'Authorization "Bearer" without token',
    request: () => ({ headers: { Authorization: 'Bearer' } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'Authorization "Bearer " with trailing space only',
    request: () => ({ headers: { Authorization: 'Bearer ' } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'Basic credentials',
    request: () => ({ headers: { Authorization: 'Basic YWRhOnMzY3JldA==' } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: '"Token" scheme with a valid JWT',
    request: (k) => ({ headers: { Authorization: `Token ${k.ada}` } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: '"Bearer:" with a colon',
    request: (k) => ({ headers: { Authorization: `Bearer:${k.ada}` } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'two spaces after Bearer',
    request: (k) => ({ headers: { Authorization: `Bearer  ${k.ada}` } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'tab after Bearer',
    request: (k) => ({ headers: { Authorization: `Bearer\t${k.ada}` } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'leading space before Bearer',
    request: (k) => ({ headers: { Authorization: ` Bearer ${k.ada}` } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'trailing garbage after the token',
    request: (k) => ({ headers: { Authorization: `Bearer ${k.ada} extra` } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'two tokens comma-joined in one value',
    request: (k) => ({ headers: { Authorization: `Bearer ${k.ada}, Bearer ${k.bob}` } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'two Authorization values (multiValueHeaders), both valid',
    request: (k) => ({ multiValueHeaders: { Authorization: [`Bearer ${k.ada}`, `Bearer ${k.bob}`] } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'two Authorization header spellings (Authorization + authorization)',
    request: (k) => ({ headers: { Authorization: `Bearer ${k.ada}`, authorization: `Bearer ${k.bob}` } }),
    status: 401,
    outcome: 'malformed',
  },
  // By design: RFC 7235 §2.1 auth-scheme is case-insensitive, so these are valid sessions.
  {
    name: 'lowercase "bearer" with a valid token is ACCEPTED (RFC 7235)',
    request: (k) => ({ headers: { Authorization: `bearer ${k.ada}` } }),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'uppercase "BEARER" with a valid token is ACCEPTED (RFC 7235)',
    request: (k) => ({ headers: { AUTHORIZATION: `BEARER ${k.ada}` } }),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },

  // --- Token shape ---------------------------------------------------------------------------
  {
    name: '2 segments',
    request: (k) => bearer(segments(k.ada).slice(0, 2).join('.')),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: '4 segments',
    request: (k) => bearer(`${k.ada}.${segments(k.ada)[2]}`),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: '5 segments (JWE shape)',
    request: (k) => bearer(`${k.ada}.AAAA.BBBB`),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: '6 segments',
    request: (k) => bearer(`${k.ada}.AAAA.BBBB.CCCC`),
    status: 401,
    outcome: 'malformed',
  },
  { name: 'empty segments ".."', request: () => bearer('..'), status: 401, outcome: 'malformed' },
  {
    name: 'base64 padding "=" appended',
    request: (k) => bearer(`${k.ada}==`),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'standard-base64 "+" and "/" characters',
    request: (k) => bearer(`${k.ada.replace(/-/g, '+').replace(/_/g, '/')}+/`),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'non-ASCII character inside the payload',
    request: (k) => bearer(k.ada.replace('.', '.é')),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'NUL inside the token',
    request: (k) => bearer(k.ada.replace('.', '.\u0000')),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'header is a JSON array',
    request: (k) =>
      bearer(signRawSegments('[]', JSON.stringify(issuerClaims()), k.stand.issuerKey.privateKey)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'header is a JSON string',
    request: (k) =>
      bearer(signRawSegments('"RS256"', JSON.stringify(issuerClaims()), k.stand.issuerKey.privateKey)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'header is not JSON',
    request: (k) =>
      bearer(signRawSegments('{alg:RS256}', JSON.stringify(issuerClaims()), k.stand.issuerKey.privateKey)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'payload is JSON null',
    request: (k) => bearer(rawIssuerPayload(k, 'null')),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'payload is a number',
    request: (k) => bearer(rawIssuerPayload(k, '42')),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'payload is an array of the claims',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify([issuerClaims()]))),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'payload is not JSON',
    request: (k) => bearer(rawIssuerPayload(k, 'email=ada@example.com')),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'payload with a UTF-8 BOM',
    request: (k) => bearer(rawIssuerPayload(k, `\uFEFF${JSON.stringify(issuerClaims())}`)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'header without alg',
    request: (k) =>
      bearer(
        signRawSegments(
          JSON.stringify({ typ: 'JWT', kid: ISSUER_KID }),
          JSON.stringify(issuerClaims()),
          k.stand.issuerKey.privateKey,
        ),
      ),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'oversized bearer (valid signature, 9 KB claim)',
    request: async (k) => bearer(await issuer(k, { pad: 'x'.repeat(9 * 1024) })),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'oversized session cookie JWT (9 KB, under the header cap)',
    request: async (k) => cookie(`app_session=${await issuer(k, { pad: 'x'.repeat(9 * 1024) })}`),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'oversized Cookie header (17 KB) around a valid session',
    request: (k) => cookie(`app_session=${k.ada}; filler=${'y'.repeat(17 * 1024)}`),
    status: 401,
    outcome: 'malformed',
  },

  // --- Algorithms ----------------------------------------------------------------------------
  {
    name: 'alg none with a dummy signature',
    request: () => bearer(unsignedJwt({ alg: 'none', kid: ISSUER_KID }, issuerClaims(), 'AAAA')),
    status: 401,
    outcome: 'alg_not_allowed',
  },
  {
    name: 'alg none with an empty signature',
    request: () => bearer(unsignedJwt({ alg: 'none' }, issuerClaims())),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'alg "None" (case variant)',
    request: () => bearer(unsignedJwt({ alg: 'None', kid: ISSUER_KID }, issuerClaims(), 'AAAA')),
    status: 401,
    outcome: 'alg_not_allowed',
  },
  {
    name: 'HS256 signed with the issuer public key (key confusion)',
    request: (k) =>
      bearer(
        hs256WithPublicKey({ typ: 'JWT', kid: ISSUER_KID }, issuerClaims(), k.stand.issuerKey.publicPem),
      ),
    status: 401,
    outcome: 'alg_not_allowed',
  },
  {
    name: 'HS256 signed with the Cognito public key (key confusion)',
    request: (k) =>
      bearer(
        hs256WithPublicKey({ typ: 'JWT', kid: COGNITO_KID }, cognitoClaims(), k.stand.cognitoKey.publicPem),
      ),
    status: 401,
    outcome: 'alg_not_allowed',
  },
  {
    name: 'RS384 properly signed by the issuer key',
    request: async (k) => bearer(await issuer(k, {}, { alg: 'RS384' })),
    status: 401,
    outcome: 'alg_not_allowed',
  },
  {
    name: 'PS256 properly signed by the issuer key',
    request: async (k) => bearer(await issuer(k, {}, { alg: 'PS256' })),
    status: 401,
    outcome: 'alg_not_allowed',
  },
  {
    name: 'ES256 by an EC key under the issuer RS256 kid',
    request: async () =>
      bearer(await sessionJwt(issuerClaims(), ecKey().privateKey, { kid: ISSUER_KID, alg: 'ES256' })),
    status: 401,
    outcome: ['alg_not_allowed', 'bad_signature'],
  },
  {
    name: 'ES256 for Cognito (RS256 only)',
    request: async () =>
      bearer(await sessionJwt(cognitoClaims(), ecKey().privateKey, { kid: COGNITO_KID, alg: 'ES256' })),
    status: 401,
    outcome: 'alg_not_allowed',
  },
  {
    name: 'RS384 claimed on a Cognito token',
    request: async (k) => bearer(await cognito(k, {}, { alg: 'RS384' })),
    status: 401,
    outcome: 'alg_not_allowed',
  },

  // --- Signatures ----------------------------------------------------------------------------
  {
    name: 'one signature bit flipped',
    request: (k) => bearer(flipSignatureBit(k.ada)),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'signature truncated',
    request: (k) => bearer(k.ada.slice(0, -12)),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'signature of another token (bob) on ada',
    request: (k) => bearer(`${segments(k.ada).slice(0, 2).join('.')}.${segments(k.bob)[2]}`),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'payload swapped under a valid signature',
    request: (k) => bearer(swapPayload(k.ada, issuerClaims({ email: 'eve@evil.test' }))),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'signed by an attacker key under the issuer kid',
    request: async (k) =>
      bearer(await sessionJwt(issuerClaims(), k.attacker.privateKey, { kid: ISSUER_KID })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'Cognito claims signed by the issuer key under the Cognito kid',
    request: async (k) =>
      bearer(await sessionJwt(cognitoClaims(), k.stand.issuerKey.privateKey, { kid: COGNITO_KID })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'issuer token presenting Cognito iss (cross-issuer)',
    request: async (k) =>
      bearer(await issuer(k, { iss: cognitoClaims().iss, aud: CLIENT_ID, token_use: 'id' })),
    status: 401,
    outcome: 'bad_signature',
  },

  // --- Header parameters that would pick the key --------------------------------------------
  {
    name: 'embedded jwk of the attacker key',
    request: async (k) =>
      bearer(
        await sessionJwt(issuerClaims(), k.attacker.privateKey, {
          kid: 'attacker',
          jwk: publicJwk(k.attacker.publicKey, 'attacker'),
        }),
      ),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'x5u header',
    request: async (k) =>
      bearer(
        await sessionJwt(issuerClaims(), k.attacker.privateKey, {
          kid: 'attacker',
          x5u: `${k.stand.jwks.url}/x5u-${randomUUID()}.pem`,
        }),
      ),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'x5c header',
    request: async (k) =>
      bearer(
        await sessionJwt(issuerClaims(), k.attacker.privateKey, { kid: 'attacker', x5c: ['MIIBIjANBgkq'] }),
      ),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'crit header',
    request: async (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { crit: ['exp'] })),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'no kid',
    request: (k) =>
      bearer(
        signRawSegments(
          JSON.stringify({ alg: 'RS256' }),
          JSON.stringify(issuerClaims()),
          k.stand.issuerKey.privateKey,
        ),
      ),
    status: 401,
    outcome: 'bad_signature',
  },

  // --- Hostile kid values (unknown kids: 401, the JWKS cool-down limits downloads) -----------
  {
    name: 'kid path traversal',
    request: (k) =>
      bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: '../../../../etc/passwd' })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'kid SQL injection',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: "' OR '1'='1' --" })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'kid URL',
    request: (k) =>
      bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: 'https://evil.test/jwks.json' })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'kid "__proto__"',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: '__proto__' })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'kid "constructor"',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: 'constructor' })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'kid empty string',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: '' })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'kid with NUL and CRLF',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: 'a\u0000b\r\nc' })),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'kid is a number',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: 1 })),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'kid is an object',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: { $ne: null } })),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'kid is an array of the real kid',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: [ISSUER_KID] })),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'kid of 300 characters',
    request: (k) => bearer(rawIssuerPayload(k, JSON.stringify(issuerClaims()), { kid: 'k'.repeat(300) })),
    status: 401,
    outcome: 'malformed',
  },

  // --- Times ---------------------------------------------------------------------------------
  {
    name: 'exp in the past',
    request: (k) => issuer(k, { exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 }).then((t) => bearer(t)),
    status: 401,
    outcome: 'expired',
  },
  {
    name: 'exp 0',
    request: (k) => issuer(k, { exp: 0, iat: 0 }).then((t) => bearer(t)),
    status: 401,
    outcome: 'expired',
  },
  {
    name: 'exp negative',
    request: (k) => issuer(k, { exp: -1 }).then((t) => bearer(t)),
    status: 401,
    outcome: 'expired',
  },
  {
    name: 'no exp',
    request: (k) =>
      sessionJwt(without(issuerClaims(), 'exp'), k.stand.issuerKey.privateKey, { kid: ISSUER_KID }).then(
        (t) => bearer(t),
      ),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp as a numeric string',
    request: (k) => issuer(k, { exp: String(nowSeconds() + 600) }).then((t) => bearer(t)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp "NaN" string',
    request: (k) => issuer(k, { exp: 'NaN' }).then((t) => bearer(t)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp NaN literal (raw payload: not JSON)',
    request: (k) =>
      bearer(rawIssuerPayload(k, jsonWithRawMembers(without(issuerClaims(), 'exp'), '"exp":NaN'))),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp Infinity literal (raw payload: not JSON)',
    request: (k) =>
      bearer(rawIssuerPayload(k, jsonWithRawMembers(without(issuerClaims(), 'exp'), '"exp":Infinity'))),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp 1e308',
    request: (k) => issuer(k, { exp: 1e308 }).then((t) => bearer(t)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp 1e309 (raw: parses to Infinity)',
    request: (k) =>
      bearer(rawIssuerPayload(k, jsonWithRawMembers(without(issuerClaims(), 'exp'), '"exp":1e309'))),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp 401 days ahead',
    request: (k) => issuer(k, { exp: nowSeconds() + 401 * 24 * 3600 }).then((t) => bearer(t)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp boolean true',
    request: (k) => issuer(k, { exp: true }).then((t) => bearer(t)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'exp null',
    request: (k) => issuer(k, { exp: null }).then((t) => bearer(t)),
    status: 401,
    outcome: 'malformed',
  },
  // RFC 7519 §2: NumericDate "can represent non-integer values".
  {
    name: 'exp as a float in the future is ACCEPTED',
    request: (k) => issuer(k, { exp: nowSeconds() + 600.5 }).then((t) => bearer(t)),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'nbf one hour ahead',
    request: (k) => issuer(k, { nbf: nowSeconds() + 3600 }).then((t) => bearer(t)),
    status: 401,
    outcome: 'not_yet_valid',
  },
  {
    name: 'nbf as a string',
    request: (k) => issuer(k, { nbf: 'yesterday' }).then((t) => bearer(t)),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'iat one hour ahead',
    request: (k) => issuer(k, { iat: nowSeconds() + 3600 }).then((t) => bearer(t)),
    status: 401,
    outcome: 'not_yet_valid',
  },
  {
    name: 'iat as a string',
    request: (k) => issuer(k, { iat: String(nowSeconds()) }).then((t) => bearer(t)),
    status: 401,
    outcome: 'malformed',
  },

  // --- Issuer, audience, client, token use ---------------------------------------------------
  {
    name: 'unknown issuer',
    request: (k) => issuer(k, { iss: 'https://evil.test' }).then((t) => bearer(t)),
    status: 401,
    outcome: 'bad_issuer',
  },
  {
    name: 'issuer with a trailing slash',
    request: (k) => issuer(k, { iss: 'https://login.example.test/' }).then((t) => bearer(t)),
    status: 401,
    outcome: 'bad_issuer',
  },
  {
    name: 'no iss',
    request: (k) =>
      sessionJwt(without(issuerClaims(), 'iss'), k.stand.issuerKey.privateKey, { kid: ISSUER_KID }).then(
        (t) => bearer(t),
      ),
    status: 401,
    outcome: 'bad_issuer',
  },
  {
    name: 'iss as an array',
    request: (k) => issuer(k, { iss: [issuerClaims().iss] }).then((t) => bearer(t)),
    status: 401,
    outcome: 'bad_issuer',
  },
  {
    name: 'wrong audience',
    request: (k) => issuer(k, { aud: 'another-api' }).then((t) => bearer(t)),
    status: 401,
    outcome: 'bad_audience',
  },
  {
    name: 'no audience',
    request: (k) =>
      sessionJwt(without(issuerClaims(), 'aud'), k.stand.issuerKey.privateKey, { kid: ISSUER_KID }).then(
        (t) => bearer(t),
      ),
    status: 401,
    outcome: 'bad_audience',
  },
  {
    name: 'Cognito: another user pool, same region',
    request: (k) =>
      cognito(k, { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool' }).then((t) =>
        bearer(t),
      ),
    status: 401,
    outcome: 'bad_issuer',
  },
  {
    name: 'Cognito: same pool id, another region',
    request: (k) =>
      cognito(k, { iss: `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}` }).then((t) =>
        bearer(t),
      ),
    status: 401,
    outcome: 'bad_issuer',
  },
  // Cognito's global issuer format names the same pool (aws-jwt-verify accepts both spellings).
  {
    name: 'Cognito: issuer-cognito-idp host of the same pool is ACCEPTED',
    request: (k) =>
      cognito(k, { iss: `https://issuer-cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}` }).then((t) =>
        bearer(t),
      ),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'Cognito: issuer-cognito-idp host in another region',
    request: (k) =>
      cognito(k, { iss: `https://issuer-cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}` }).then((t) =>
        bearer(t),
      ),
    status: 401,
    outcome: 'bad_issuer',
  },
  {
    name: 'Cognito: another app client id',
    request: (k) => cognito(k, { aud: 'otherclient9' }).then((t) => bearer(t)),
    status: 401,
    outcome: 'bad_client',
  },
  {
    name: 'Cognito: access token (token_use access)',
    request: (k) =>
      cognito(k, {
        token_use: 'access',
        client_id: CLIENT_ID,
        aud: undefined,
        scope: 'aws.cognito.signin.user.admin',
      }).then((t) => bearer(t)),
    status: 401,
    outcome: ['bad_token_use', 'bad_client'],
  },
  {
    name: 'Cognito: no token_use',
    request: (k) =>
      sessionJwt(without(cognitoClaims(), 'token_use'), k.stand.cognitoKey.privateKey, {
        kid: COGNITO_KID,
      }).then((t) => bearer(t)),
    status: 401,
    outcome: 'bad_token_use',
  },

  // --- Emails --------------------------------------------------------------------------------
  {
    name: 'Cognito: email_verified false',
    request: (k) => cognito(k, { email_verified: false }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: 'Cognito: email_verified missing',
    request: (k) =>
      sessionJwt(without(cognitoClaims(), 'email_verified'), k.stand.cognitoKey.privateKey, {
        kid: COGNITO_KID,
      }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: 'Cognito: email_verified "false"',
    request: (k) => cognito(k, { email_verified: 'false' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: 'Cognito: email_verified 1',
    request: (k) => cognito(k, { email_verified: 1 }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: 'issuer: email_verified false',
    request: (k) => issuer(k, { email_verified: false }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: 'no email claim',
    request: (k) =>
      sessionJwt(without(issuerClaims(), 'email'), k.stand.issuerKey.privateKey, { kid: ISSUER_KID }).then(
        (t) => bearer(t),
      ),
    status: 403,
    outcome: 'email_missing',
  },
  {
    name: 'email with CRLF header injection',
    request: (k) => issuer(k, { email: 'ada@example.com\r\nBcc: eve@evil.test' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email with a trailing newline',
    request: (k) => issuer(k, { email: 'ada@example.com\n' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email with a zero-width space',
    request: (k) => issuer(k, { email: 'ada\u200B@example.com' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email with a bidi override',
    request: (k) => issuer(k, { email: 'ada\u202E@example.com' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email not NFC (e + combining acute)',
    request: (k) => issuer(k, { email: 'jose\u0301@example.com' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email with a lone surrogate',
    request: (k) => issuer(k, { email: 'ada\uD800@example.com' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email with a fullwidth at-sign',
    request: (k) => issuer(k, { email: 'ada\uFF20example.com' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email of 1 KB',
    request: (k) => issuer(k, { email: `${'a'.repeat(1000)}@example.com` }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email with two at-signs',
    request: (k) => issuer(k, { email: 'ada@eve@example.com' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email as an array',
    request: (k) => issuer(k, { email: [ADA] }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  {
    name: 'email as an object',
    request: (k) => issuer(k, { email: { toString: ADA } }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_invalid',
  },
  // A verified look-alike is a different account at the issuer: it gets its own passkey, never ada's.
  {
    name: 'verified look-alike email (Cyrillic a) gets exactly that email',
    request: (k) => issuer(k, { email: '\u0430da@example.com' }).then((t) => bearer(t)),
    status: 200,
    outcome: 'issued',
    email: '\u0430da@example.com',
  },
  {
    name: '__proto__ in the payload does not supply email_verified (Cognito)',
    request: (k) =>
      bearer(
        signRawSegments(
          JSON.stringify({ alg: 'RS256', kid: COGNITO_KID }),
          jsonWithRawMembers(
            without(cognitoClaims(), 'email_verified'),
            '"__proto__":{"email_verified":true}',
          ),
          k.stand.cognitoKey.privateKey,
        ),
      ),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: '__proto__ in the payload does not supply the email (issuer)',
    request: (k) =>
      bearer(
        rawIssuerPayload(
          k,
          jsonWithRawMembers(without(issuerClaims(), 'email'), '"__proto__":{"email":"eve@evil.test"}'),
        ),
      ),
    status: 403,
    outcome: 'email_missing',
  },
  {
    name: 'constructor.prototype in the payload is inert',
    request: (k) =>
      bearer(
        rawIssuerPayload(
          k,
          jsonWithRawMembers(issuerClaims(), '"constructor":{"prototype":{"email":"eve@evil.test"}}'),
        ),
      ),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'invalid UTF-8 (0xFF) in the payload',
    request: (k) =>
      bearer(
        rawIssuerPayload(
          k,
          Buffer.concat([
            Buffer.from(JSON.stringify(issuerClaims()).slice(0, -1)),
            Buffer.from(',"x":"'),
            Buffer.from([0xff, 0xfe]),
            Buffer.from('"}'),
          ]),
        ),
      ),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'overlong UTF-8 in the email',
    request: (k) =>
      bearer(
        rawIssuerPayload(
          k,
          Buffer.concat([
            Buffer.from(JSON.stringify(without(issuerClaims(), 'email')).slice(0, -1)),
            Buffer.from(',"email":"ada'),
            Buffer.from([0xc0, 0xc0]),
            Buffer.from('@example.com"}'),
          ]),
        ),
      ),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'invalid UTF-8 in the header',
    request: (k) =>
      bearer(
        signRawSegments(
          Buffer.concat([
            Buffer.from('{"alg":"RS256","kid":"'),
            Buffer.from([0xed, 0xa0, 0x80]),
            Buffer.from('"}'),
          ]),
          JSON.stringify(issuerClaims()),
          k.stand.issuerKey.privateKey,
        ),
      ),
    status: 401,
    outcome: 'malformed',
  },

  // --- Cookies -------------------------------------------------------------------------------
  {
    name: 'Amplify idToken cookie for another client id',
    request: (k) => cookie(`CognitoIdentityServiceProvider.otherclient9.ada.idToken=${k.cognitoAda}`),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'Amplify cookie name without a user',
    request: (k) => cookie(`${AMPLIFY}.idToken=${k.cognitoAda}`),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'Amplify accessToken cookie (not idToken)',
    request: (k) => cookie(`${AMPLIFY}.ada.accessToken=${k.cognitoAda}`),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'two Amplify users without LastAuthUser',
    request: (k) => cookie(`${AMPLIFY}.ada.idToken=${k.cognitoAda}; ${AMPLIFY}.bob.idToken=${k.cognitoAda}`),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'duplicate app_session with conflicting values',
    request: (k) => cookie(`app_session=${k.ada}; app_session=${k.bob}`),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'conflicting app_session across two Cookie headers',
    request: (k) => ({ multiValueHeaders: { Cookie: [`app_session=${k.ada}`, `app_session=${k.bob}`] } }),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'duplicate app_session with the same value',
    request: (k) => cookie(`app_session=${k.ada}; app_session=${k.ada}`),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'bearer for ada + cookie for bob: the bearer alone decides (ada)',
    request: (k) => ({ headers: { Authorization: `Bearer ${k.ada}`, Cookie: `app_session=${k.bob}` } }),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'bad bearer + valid cookie: no fall-back to the cookie',
    request: (k) => ({
      headers: { Authorization: `Bearer ${flipSignatureBit(k.ada)}`, Cookie: `app_session=${k.bob}` },
    }),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'Basic header + valid cookie: no fall-back to the cookie',
    request: (k) => ({ headers: { Authorization: 'Basic YWRhOnB3', Cookie: `app_session=${k.bob}` } }),
    status: 401,
    outcome: 'malformed',
  },
  { name: 'cookie without "="', request: () => cookie('app_session'), status: 401, outcome: 'no_session' },
  {
    name: 'cookie with an empty value',
    request: () => cookie('app_session='),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'cookie header of separators only',
    request: () => cookie(';;; ; ;'),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'cookie name in another case',
    request: (k) => cookie(`APP_SESSION=${k.ada}`),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'cookie value DQUOTE-wrapped (RFC 6265) is unwrapped',
    request: (k) => cookie(`app_session="${k.ada}"`),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'cookie value percent-encoded is decoded',
    request: (k) => cookie(`app_session=${k.ada.replaceAll('.', '%2E')}`),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'cookie value with broken percent-encoding',
    request: () => cookie('app_session=%E0%A4%A'),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'cookie value with an encoded NUL',
    request: (k) => cookie(`app_session=${k.ada}%00`),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'cookie value of a stray quote',
    request: () => cookie('app_session="'),
    status: 401,
    outcome: 'malformed',
  },
  {
    name: 'prototype-named cookies only',
    request: (k) => cookie(`__proto__=${k.ada}; constructor=${k.ada}; toString=x; hasOwnProperty=y`),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: '200 cookies without a session',
    request: () => cookie(Array.from({ length: 200 }, (_, i) => `c${i}=v${i}`).join('; ')),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: '200 cookies around a valid session',
    request: (k) =>
      cookie(`${Array.from({ length: 200 }, (_, i) => `c${i}=v${i}`).join('; ')}; app_session=${k.ada}`),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },

  // --- Origins with cookie sessions: refused before verification, never CORS headers -----------
  {
    name: 'cookie from https://app.example.com.evil.test',
    request: (k) => cookie(`app_session=${k.ada}`, EVIL_ORIGIN),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie from http:// instead of https://',
    request: (k) => cookie(`app_session=${k.ada}`, 'http://app.example.com'),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie from another port',
    request: (k) => cookie(`app_session=${k.ada}`, 'https://app.example.com:8443'),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie from Origin null',
    request: (k) => cookie(`app_session=${k.ada}`, 'null'),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie from an upper-case host',
    request: (k) => cookie(`app_session=${k.ada}`, 'https://APP.example.com'),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie from an origin with a trailing slash',
    request: (k) => cookie(`app_session=${k.ada}`, 'https://app.example.com/'),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie from an empty Origin',
    request: (k) => cookie(`app_session=${k.ada}`, ''),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie from a subdomain of an allowed origin',
    request: (k) => cookie(`app_session=${k.ada}`, 'https://evil.app.example.com'),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie with two Origin headers, both allowed',
    request: (k) => ({
      headers: { Cookie: `app_session=${k.ada}` },
      multiValueHeaders: { Origin: [ALLOWED_ORIGIN, 'https://admin.example.com'] },
    }),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'Amplify cookie from a foreign origin',
    request: (k) => cookie(`${AMPLIFY}.ada.idToken=${k.cognitoAda}`, EVIL_ORIGIN),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'garbage cookie from a foreign origin (refused before verification)',
    request: () => cookie('app_session=not-a-jwt', EVIL_ORIGIN),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'cookie from an allowed origin',
    request: (k) => cookie(`app_session=${k.ada}`, ALLOWED_ORIGIN),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'bearer from a foreign origin: answered without CORS headers',
    request: (k) => bearer(k.ada, { Origin: EVIL_ORIGIN }),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },

  // --- Methods, bodies, odd events -----------------------------------------------------------
  {
    name: 'GET with a valid bearer',
    request: (k) => ({ ...bearer(k.ada), method: 'GET' }),
    status: 405,
    outcome: 'method_not_allowed',
  },
  {
    name: 'DELETE with a valid cookie',
    request: (k) => ({ ...cookie(`app_session=${k.ada}`, ALLOWED_ORIGIN), method: 'DELETE' }),
    status: 405,
    outcome: 'method_not_allowed',
  },
  {
    name: 'OPTIONS from a foreign origin',
    request: () => ({ method: 'OPTIONS', headers: { Origin: EVIL_ORIGIN } }),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'OPTIONS without an Origin',
    request: () => ({ method: 'OPTIONS' }),
    status: 403,
    outcome: 'origin_not_allowed',
  },
  {
    name: 'OPTIONS from an allowed origin',
    request: () => ({ method: 'OPTIONS', headers: { Origin: ALLOWED_ORIGIN } }),
    status: 204,
    outcome: 'preflight',
  },
  {
    name: 'a body naming another email changes nothing',
    request: (k) => ({ ...bearer(k.ada), body: JSON.stringify({ email: 'eve@evil.test' }) }),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'a body naming an email without a session',
    request: () => ({ body: JSON.stringify({ email: 'eve@evil.test', token: 'x' }) }),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'event with null header maps',
    request: () => ({}),
    rawEvent: (e) => Object.assign(e, { headers: null, multiValueHeaders: null }),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'event with non-string header values',
    request: () => ({}),
    rawEvent: (e) =>
      Object.assign(e, {
        headers: { Authorization: 42, Cookie: { a: 1 } },
        multiValueHeaders: { Authorization: 'Bearer x', Cookie: [null, 7] },
      }),
    status: 401,
    outcome: 'no_session',
  },
  {
    name: 'event without httpMethod',
    request: (k) => bearer(k.ada),
    rawEvent: (e) => Object.assign(e, { httpMethod: undefined }),
    status: 405,
    outcome: 'method_not_allowed',
  },

  // --- Red-team shapes ---------------------------------------------------------------------------
  {
    name: 'RS256 signature re-spelled with non-zero spare bits',
    request: (k) => bearer(respellSignature(k.ada)),
    status: 401,
    outcome: 'bad_signature',
  },
  {
    name: 'issuer: email_verified missing (required by default)',
    request: (k) =>
      sessionJwt(without(issuerClaims(), 'email_verified'), k.stand.issuerKey.privateKey, {
        kid: ISSUER_KID,
      }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: 'issuer: email_verified "true" (a string)',
    request: (k) => issuer(k, { email_verified: 'true' }).then((t) => bearer(t)),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: 'introspection: email_verified "false" from the site',
    request: () => cookie('connect.sid=s%3Aunverified.sig'),
    status: 403,
    outcome: 'email_unverified',
  },
  {
    name: 'typ at+jwt (an RFC 9068 access token)',
    request: (k) => issuer(k, {}, { typ: 'at+jwt' }).then((t) => bearer(t)),
    status: 401,
    outcome: 'bad_token_use',
  },
  {
    name: 'nbf = iat 3 s ahead (IdP clock skew) is ACCEPTED',
    request: (k) => issuer(k, { nbf: nowSeconds() + 3, iat: nowSeconds() + 3 }).then((t) => bearer(t)),
    status: 200,
    outcome: 'issued',
    email: ADA,
  },
  {
    name: 'Amplify: %40-encoded users in the names, LastAuthUser with @',
    request: async (k) => {
      const carol = await cognito(k, { email: 'carol@example.com' });
      const dave = await cognito(k, { email: 'dave@example.com' });
      return cookie(
        `${AMPLIFY}.dave%40example.com.idToken=${dave}; ${AMPLIFY}.carol%40example.com.idToken=${carol}; ${AMPLIFY}.LastAuthUser=carol@example.com`,
      );
    },
    status: 200,
    outcome: 'issued',
    email: 'carol@example.com',
  },
  ...ES256_SIGNATURE_LENGTHS,
  ...COOKIE_BYTES,
  ...LOOK_ALIKE_EMAILS,
  ...OUTCOME_ROUTE,
];

let stand: Stand;
let site: SiteSessionEndpoint;
let kit: Kit;
let fn: TestFunction;
const audit = new LogAudit();
/** Every function built in this file, so the audit sees all of their lines. */
const functions: TestFunction[] = [];
const track = (created: TestFunction) => {
  functions.push(created);
  return created;
};
let output: ReturnType<typeof spyOnProcessOutput>;

beforeAll(async () => {
  output = spyOnProcessOutput();
  [stand, site] = await Promise.all([startStand(), startSiteSessionEndpoint()]);
  // The site vouches for every session but one, which it states as unverified the way PHP would.
  site.answer = { email: ADA, email_verified: true };
  site.answerFor = (cookieHeader) =>
    cookieHeader.includes('unverified')
      ? { status: 200, body: { email: ADA, email_verified: 'false' } }
      : undefined;
  const ec = ecKey();
  stand.jwks.keysByPath.set('/jwks.json', [
    publicJwk(stand.issuerKey.publicKey, ISSUER_KID),
    publicJwk(ec.publicKey, EC_KID, 'ES256'),
  ]);
  const [ada, bob, cognitoAda, es256Ada] = await Promise.all([
    sessionJwt(issuerClaims(), stand.issuerKey.privateKey, { kid: ISSUER_KID }),
    sessionJwt(issuerClaims({ sub: 'user-2', email: 'bob@example.com' }), stand.issuerKey.privateKey, {
      kid: ISSUER_KID,
    }),
    sessionJwt(cognitoClaims(), stand.cognitoKey.privateKey, { kid: COGNITO_KID }),
    sessionJwt(issuerClaims(), ec.privateKey, { kid: EC_KID }),
  ]);
  kit = { stand, ada, bob, cognitoAda, attacker: rsaKey('attacker'), es256Ada };
  fn = track(
    createTestFunction({
      ...stand.env,
      SESSION_INTROSPECTION_URL: site.url,
      SESSION_INTROSPECTION_COOKIES: 'connect.sid',
    }),
  );
  await fn.runtime.warmUp();
});
afterAll(async () => {
  output.restore();
  await Promise.all([stand.close(), site.close()]);
});

function originOf(event: APIGatewayProxyEvent): string | undefined {
  const values = Object.entries(event.multiValueHeaders ?? {})
    .filter(([name]) => name.toLowerCase() === 'origin')
    .flatMap(([, list]) => list ?? []);
  return values.length === 1 ? values[0] : values.length > 1 ? 'invalid:multiple' : undefined;
}

describe('bad-input corpus through the handler', () => {
  it('has at least 60 cases with unique names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES)('$status $name', async (c) => {
    const event = restEvent(await c.request(kit));
    c.rawEvent?.(event);
    audit.noteEvent(event);
    const before = fn.logs.length;
    const result = await fn.invoke(event);

    expect(result.statusCode).toBe(c.status);
    expectContractResponse(result, originOf(event));
    const line = requestLogLine(fn.logs, before);
    const outcomes: readonly string[] = typeof c.outcome === 'string' ? [c.outcome] : c.outcome;
    expect(outcomes).toContain(line.outcome);
    expect(line.status).toBe(c.status);
    if (c.status === 200) {
      await expectIssuedFor(result, c.email ?? '<missing email in case>', stand.ownIdKey.pkcs1Pem);
      expect(result.body).not.toContain('bob@');
    } else if (c.status !== 204) {
      expect(line).not.toHaveProperty('emailHash');
    }
  });
});

describe('no request leaves the allow-listed JWKS URLs', () => {
  it('a jku header pointing at a reachable JWKS is refused and never fetched', async () => {
    const path = `/jku-${randomUUID()}.json`;
    stand.jwks.keysByPath.set(path, [publicJwk(kit.attacker.publicKey, 'attacker')]);
    const token = await sessionJwt(issuerClaims(), kit.attacker.privateKey, {
      kid: 'attacker',
      jku: `${stand.jwks.url}${path}`,
    });
    const event = restEvent(bearer(token));
    audit.noteEvent(event);
    const before = fn.logs.length;
    const result = await fn.invoke(event);
    expect(result.statusCode).toBe(401);
    expectContractResponse(result, undefined);
    expect(requestLogLine(fn.logs, before).outcome).toBe('malformed');
    // Let any stray download land before looking.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stand.jwks.requests.filter((p) => p.includes('jku-'))).toEqual([]);
    expect(
      stand.jwks.requests.every((p) => p === '/jwks.json' || p === `/${USER_POOL_ID}/.well-known/jwks.json`),
    ).toBe(true);
  });

  it('1,000 unknown kids download the JWKS at most once per cool-down, and the known kid keeps working', async () => {
    const fresh = track(createTestFunction(stand.env));
    const countJwks = () => stand.jwks.requests.filter((p) => p === '/jwks.json').length;
    const ada = await fresh.invoke(restEvent(bearer(kit.ada)));
    expect(ada.statusCode).toBe(200);
    const baseline = countJwks();
    const started = performance.now();
    // The signature is never looked at before the kid is resolved: a dummy one keeps this fast.
    const headerOf = (i: number) =>
      b64url(JSON.stringify({ alg: 'RS256', kid: `unknown-${i}-${randomUUID()}` }));
    const payload = b64url(JSON.stringify(issuerClaims()));
    const statuses = new Map<number, number>();
    const outcomes = new Set<unknown>();
    for (let i = 0; i < 1000; i++) {
      const before = fresh.logs.length;
      const result = await fresh.invoke(restEvent(bearer(`${headerOf(i)}.${payload}.AAAA`)));
      statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      outcomes.add(requestLogLine(fresh.logs, before).outcome);
      expectContractResponse(result, undefined);
    }
    const elapsedMs = performance.now() - started;
    expect(statuses).toEqual(new Map([[401, 1000]]));
    expect([...outcomes]).toEqual(['bad_signature']);
    const allowed = 1 + Math.floor(elapsedMs / 10_000);
    expect(countJwks() - baseline).toBeLessThanOrEqual(allowed);
    expect(countJwks() - baseline).toBeGreaterThanOrEqual(1);
    // The cached kid is served from the cache during the cool-down.
    expect((await fresh.invoke(restEvent(bearer(kit.ada)))).statusCode).toBe(200);
    expect(fresh.logs.length).toBe(1002);
  });
});

describe('exp exactly now (RFC 7519 §4.1.4: "MUST NOT be accepted on or after")', () => {
  it('a token whose exp equals the current time is expired', async () => {
    const fresh = track(createTestFunction(stand.env, { now: () => Date.now() }));
    await fresh.runtime.warmUp();
    const t = nowSeconds() + 5;
    const token = await sessionJwt(issuerClaims({ iat: t - 60, exp: t }), stand.issuerKey.privateKey, {
      kid: ISSUER_KID,
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(t * 1000);
      const result = await fresh.invoke(restEvent(bearer(token)));
      expect(result.statusCode).toBe(401);
      expectContractResponse(result, undefined);
      expect(requestLogLine(fresh.logs).outcome).toBe('expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('one second before exp it is still valid (control)', async () => {
    const fresh = track(createTestFunction(stand.env, { now: () => Date.now() }));
    await fresh.runtime.warmUp();
    const t = nowSeconds() + 5;
    const token = await sessionJwt(issuerClaims({ iat: t - 60, exp: t }), stand.issuerKey.privateKey, {
      kid: ISSUER_KID,
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(t * 1000 - 1000);
      expect((await fresh.invoke(restEvent(bearer(token)))).statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('log audit of the corpus', () => {
  it('no line holds a PEM, a JWT, a request cookie or email, and every refusal has a reason code', () => {
    const lines = functions.flatMap((f) => f.logs);
    expect(lines.length).toBeGreaterThanOrEqual(CASES.length + 1000);
    expect(audit.findProblems(lines)).toEqual([]);
    // Anything written around the sink (stdout, console) is held to the same rules.
    expect(audit.findProblems(output.lines)).toEqual([]);
  });
});
