// Property tests of the whole handler (fast-check, 10,000 runs in total). Whatever the
// method, headers, cookies, body or token-shaped strings (mutations of valid tokens included):
// the handler never throws, answers only statuses of docs/contract.md, Responses, with their exact bodies, 204 only
// to a preflight from an allowed origin, and 200 only when the request carried a session that an
// independent verifier (jose, against the issuers' public keys) accepts for that very email.

import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyResult } from '../../functions/generate-auth-token/http-response.ts';
import { restEvent } from '../support/events.ts';
import { cognitoClaims, flipSignatureBit, issuerClaims, nowSeconds } from '../support/forged-tokens.ts';
import { ALLOWED_ORIGINS, STATUS_BODIES } from '../support/hardening-assertions.ts';
import { ecKey, publicJwk } from '../support/keys.ts';
import { LogAudit, spyOnProcessOutput } from '../support/log-audit.ts';
import {
  AUDIENCE,
  CLIENT_ID,
  COGNITO_ISSUER,
  COGNITO_KID,
  createTestFunction,
  ISSUER,
  ISSUER_KID,
  type Stand,
  startStand,
  type TestFunction,
} from '../support/scenario.ts';
import { type SiteSessionEndpoint, startSiteSessionEndpoint } from '../support/site-session-endpoint.ts';
import { decodeJwt, sessionJwt } from '../support/tokens.ts';

const ALLOWED_STATUSES = new Set([200, 204, 401, 403, 405, 500, 503]);
const RUNS = {
  arbitrary: 3000,
  mutations: 3000,
  model: 4000,
  es256: 400,
  cookieBytes: 600,
  emails: 200,
} as const;
const EC_KID = 'issuer-ec-1';
/** The one opaque session the site's endpoint knows (for ada); any other forwarded cookie is 401 there. */
const VALID_SID = 's%3Avalid.sig';
// Characters that make an email refused wherever they stand; and combining marks, refused where lone.
const LOOK_ALIKE_CHARS = [
  '\uFE0F',
  '\u3164',
  '\u115F',
  '\uFFA0',
  '\u2800',
  '\u034F',
  '\uFF41',
  '\uFB01',
  '\u00B2',
  '\uE000',
];
const COMBINING_MARKS = ['\u0301', '\u0308', '\u20DD'];
const EMAILS = ['ada@example.com', 'bob@example.com', 'carol@example.org'] as const;
const FOREIGN_ORIGINS = [
  'https://app.example.com.evil.test',
  'http://app.example.com',
  'https://app.example.com:444',
  'null',
  '',
];
const AMPLIFY = `CognitoIdentityServiceProvider.${CLIENT_ID}`;

let stand: Stand;
let site: SiteSessionEndpoint;
let fn: TestFunction;
let es256Ada = '';
/** Valid sessions, precomputed: token -> email. */
const valid = new Map<string, string>();
let validTokens: string[] = [];
let invalidTokens: string[] = [];
let verifyIndependently: (token: string) => Promise<string | undefined>;
const audit = new LogAudit();
let output: ReturnType<typeof spyOnProcessOutput>;
const stats = { invocations: 0, issued: 0, issuedFromMutation: 0 };

beforeAll(async () => {
  output = spyOnProcessOutput();
  [stand, site] = await Promise.all([startStand(), startSiteSessionEndpoint()]);
  site.answerFor = (cookie) =>
    cookie === `connect.sid=${VALID_SID}` ? undefined : { status: 401, body: { error: 'no session' } };
  const ec = ecKey();
  const issuerKeys = [
    publicJwk(stand.issuerKey.publicKey, ISSUER_KID),
    publicJwk(ec.publicKey, EC_KID, 'ES256'),
  ];
  stand.jwks.keysByPath.set('/jwks.json', issuerKeys);
  fn = createTestFunction({
    ...stand.env,
    SESSION_INTROSPECTION_URL: site.url,
    SESSION_INTROSPECTION_COOKIES: 'connect.sid',
  });
  await fn.runtime.warmUp();

  for (const email of EMAILS) {
    valid.set(
      await sessionJwt(issuerClaims({ email }), stand.issuerKey.privateKey, { kid: ISSUER_KID }),
      email,
    );
    valid.set(
      await sessionJwt(cognitoClaims({ email }), stand.cognitoKey.privateKey, { kid: COGNITO_KID }),
      email,
    );
  }
  // After the RS256 pairs: the model below relies on even = issuer, odd = Cognito for indexes 0..5.
  es256Ada = await sessionJwt(issuerClaims(), ec.privateKey, { kid: EC_KID });
  valid.set(es256Ada, 'ada@example.com');
  validTokens = [...valid.keys()];
  const ada = validTokens[0] ?? '';
  invalidTokens = [
    flipSignatureBit(ada),
    await sessionJwt(issuerClaims({ exp: nowSeconds() - 10 }), stand.issuerKey.privateKey, {
      kid: ISSUER_KID,
    }),
    await sessionJwt(issuerClaims({ aud: 'other' }), stand.issuerKey.privateKey, { kid: ISSUER_KID }),
    await sessionJwt(cognitoClaims({ token_use: 'access' }), stand.cognitoKey.privateKey, {
      kid: COGNITO_KID,
    }),
    await sessionJwt(issuerClaims(), stand.cognitoKey.privateKey, { kid: ISSUER_KID }),
    ada.slice(0, -4),
  ];
  for (const token of [...validTokens, ...invalidTokens]) audit.noteSecret(token);
  for (const email of EMAILS) audit.noteEmail(email);

  const issuerJwks = createLocalJWKSet({ keys: issuerKeys } as JSONWebKeySet);
  const cognitoJwks = createLocalJWKSet({
    keys: [publicJwk(stand.cognitoKey.publicKey, COGNITO_KID)],
  } as JSONWebKeySet);
  verifyIndependently = async (token) => {
    for (const [jwks, options, extra] of [
      [
        issuerJwks,
        { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256', 'ES256'] },
        (p: Record<string, unknown>) => p.email_verified === true && p.typ !== 'at+jwt',
      ],
      [
        cognitoJwks,
        { issuer: COGNITO_ISSUER, audience: CLIENT_ID, algorithms: ['RS256'] },
        (p: Record<string, unknown>) => p.token_use === 'id' && p.email_verified === true,
      ],
    ] as const) {
      try {
        const { payload } = await jwtVerify(token, jwks, {
          ...options,
          algorithms: [...options.algorithms],
          requiredClaims: ['exp'],
        });
        if (extra(payload) && typeof payload.email === 'string') return payload.email;
      } catch {
        // not this issuer's
      }
    }
    return undefined;
  };
});
afterAll(async () => {
  output.restore();
  await Promise.all([stand.close(), site.close()]);
});

/** Every string in the request that could be a credential: header values, cookie values, their decodings. */
function credentialCandidates(event: APIGatewayProxyEvent): string[] {
  const values: string[] = [];
  for (const map of [event.headers, event.multiValueHeaders] as unknown[]) {
    if (map === null || typeof map !== 'object') continue;
    for (const value of Object.values(map as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value])
        if (typeof item === 'string') values.push(item);
    }
  }
  const candidates = new Set<string>();
  for (const value of values) {
    for (const part of value.split(/[;\s,]+/)) {
      const cookieValue = part.includes('=') ? part.slice(part.indexOf('=') + 1) : part;
      for (const candidate of [part, cookieValue, cookieValue.replace(/^"|"$/g, '')]) {
        candidates.add(candidate);
        try {
          candidates.add(decodeURIComponent(candidate));
        } catch {
          // not percent-encoded
        }
      }
    }
  }
  return [...candidates].filter((c) => c.split('.').length === 3);
}

/** The invariants of every answer, whatever the request. */
async function invokeChecked(event: APIGatewayProxyEvent): Promise<ProxyResult> {
  const logsBefore = fn.logs.length;
  let result: ProxyResult;
  try {
    result = await fn.invoke(event);
  } catch (error) {
    throw new Error(`the handler threw: ${String(error)}`);
  }
  stats.invocations += 1;
  expect(ALLOWED_STATUSES.has(result.statusCode), `status ${result.statusCode}`).toBe(true);
  expect(result.headers['Cache-Control']).toBe('no-store');
  const acao = result.headers['Access-Control-Allow-Origin'];
  if (acao !== undefined) expect(ALLOWED_ORIGINS as readonly string[]).toContain(acao);
  expect(JSON.stringify(result.headers)).not.toContain('*');
  const lines = fn.logs.slice(logsBefore).map((line) => JSON.parse(line) as Record<string, unknown>);
  const requestLines = lines.filter((line) => line.message === 'generate-auth-token');
  expect(requestLines).toHaveLength(1);
  expect(requestLines[0]).toMatchObject({
    status: result.statusCode,
    outcome: expect.stringMatching(/^[a-z_]+$/),
  });

  if (result.statusCode === 204) {
    expect(event.httpMethod?.toUpperCase()).toBe('OPTIONS');
    expect(acao).toBeDefined();
    expect(result.body).toBe('');
  } else if (result.statusCode === 200) {
    stats.issued += 1;
    const body = JSON.parse(result.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['email', 'token']);
    // 200 only for a session an independent verifier accepts, for exactly the email answered.
    const candidates = credentialCandidates(event);
    const emails = await Promise.all(candidates.map(verifyIndependently));
    if (candidates.includes(`connect.sid=${VALID_SID}`)) emails.push('ada@example.com');
    expect(emails, 'a 200 without a verifiable session in the request').toContain(body.email);
  } else {
    expect(JSON.parse(result.body)).toStrictEqual(STATUS_BODIES[result.statusCode]);
    expect(result.body).not.toMatch(/eyJ/);
  }
  return result;
}

// --- Arbitraries -----------------------------------------------------------------------------

const base64urlChar = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
);
const segment = fc.string({ unit: base64urlChar, minLength: 0, maxLength: 60 });
const tokenShaped = fc.oneof(
  fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
  fc.array(segment, { minLength: 1, maxLength: 7 }).map((parts) => parts.join('.')),
  fc
    .jsonValue()
    .map(
      (value) =>
        `${Buffer.from('{"alg":"RS256","kid":"issuer-key-1"}').toString('base64url')}.${Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')}.AAAA`,
    ),
);

type Mutation = { token: string; mutated: string; kind: string };
const mutation: fc.Arbitrary<Mutation> = fc
  .record({
    tokenIndex: fc.nat(),
    kind: fc.constantFrom(
      'replace',
      'delete',
      'insert',
      'truncate',
      'swap',
      'case',
      'dup',
      'segment-json',
      'noop',
      'append',
    ),
    position: fc.nat(),
    char: fc.oneof(base64urlChar, fc.constantFrom('.', '=', '+', '/', ' ', '%', '"', ';', '\u0000', 'é')),
    json: fc.dictionary(
      fc.constantFrom(
        'alg',
        'kid',
        'iss',
        'aud',
        'email',
        'exp',
        'iat',
        'nbf',
        'token_use',
        'email_verified',
        '__proto__',
        'jku',
        'crit',
      ),
      fc.jsonValue(),
      { maxKeys: 3 },
    ),
  })
  .map(({ tokenIndex, kind, position, char, json }) => {
    const token = validTokens[tokenIndex % validTokens.length] ?? '';
    const at = position % (token.length + 1);
    const parts = token.split('.');
    let mutated = token;
    switch (kind) {
      case 'replace': {
        const replacement = token[at] === char ? (char === 'A' ? 'B' : 'A') : char;
        mutated = token.slice(0, at) + replacement + token.slice(at + 1);
        break;
      }
      case 'delete':
        mutated = token.slice(0, at) + token.slice(at + 1);
        break;
      case 'insert':
        mutated = token.slice(0, at) + char + token.slice(at);
        break;
      case 'truncate':
        mutated = token.slice(0, at);
        break;
      case 'swap':
        mutated = [parts[1], parts[0], parts[2]].join('.');
        break;
      case 'case':
        mutated = token.slice(0, at) + (token[at] ?? '').toUpperCase() + token.slice(at + 1);
        break;
      case 'dup':
        mutated = `${token}.${parts[position % 3] ?? ''}`;
        break;
      case 'segment-json': {
        // Re-encode the header or payload with changed members, keeping the original signature.
        const which = position % 2;
        const decoded = JSON.parse(Buffer.from(parts[which] ?? '', 'base64url').toString('utf8')) as Record<
          string,
          unknown
        >;
        const changed = Buffer.from(JSON.stringify({ ...decoded, ...json })).toString('base64url');
        mutated =
          which === 0 ? [changed, parts[1], parts[2]].join('.') : [parts[0], changed, parts[2]].join('.');
        break;
      }
      case 'append':
        mutated = token + char;
        break;
      default:
        break;
    }
    return { token, mutated, kind };
  });

const headerName = fc.oneof(
  fc.constantFrom(
    'Authorization',
    'authorization',
    'AUTHORIZATION',
    'Cookie',
    'cookie',
    'Origin',
    'origin',
    'Content-Type',
    'X-Forwarded-For',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 20 }),
);
const anyToken = fc.oneof(
  fc.constantFrom(...Array.from({ length: 6 }, (_, i) => i)).map((i) => validTokens[i] ?? ''),
  fc.nat().map((i) => invalidTokens[i % Math.max(1, invalidTokens.length)] ?? ''),
  mutation.map((m) => m.mutated),
  tokenShaped,
);
/** One character of a cookie value: any byte 0x00..0xFF except the ";" that ends it, or a few above. */
const cookieChar = fc.oneof(
  fc
    .integer({ min: 0, max: 0xff })
    .filter((b) => b !== 0x3b)
    .map((b) => String.fromCharCode(b)),
  fc.constantFrom('\u0100', '\u2028', '\uFEFF', '\uD800', '\u{1F600}'),
);
const cookiePair = fc.oneof(
  anyToken.map((t) => `app_session=${t}`),
  fc.constantFrom(`connect.sid=${VALID_SID}`),
  fc.string({ unit: cookieChar, maxLength: 20 }).map((v) => `connect.sid=${v}`),
  anyToken.map((t) => `${AMPLIFY}.ada.idToken=${t}`),
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 })).map(([n, v]) => `${n}=${v}`),
  fc.string({ maxLength: 30 }),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  anyToken,
  fc
    .tuple(fc.constantFrom('Bearer ', 'bearer ', 'Bearer  ', 'Basic ', 'Token ', ''), anyToken)
    .map(([s, t]) => s + t),
  fc.array(cookiePair, { maxLength: 6 }).map((pairs) => pairs.join('; ')),
  fc.constantFrom(...ALLOWED_ORIGINS, ...FOREIGN_ORIGINS),
);
const method = fc.oneof(
  fc.constantFrom('POST', 'POST', 'OPTIONS', 'GET', 'PUT', 'DELETE', 'post', 'HEAD', ''),
  fc.string({ maxLength: 8 }),
);

const arbitraryEvent = fc
  .record({
    method,
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
    multi: fc.dictionary(headerName, fc.array(headerValue, { maxLength: 3 }), { maxKeys: 3 }),
    body: fc.option(fc.oneof(fc.string(), fc.json()), { nil: null }),
    breakage: fc.constantFrom('none', 'none', 'none', 'null-headers', 'null-multi', 'no-method'),
  })
  .map(({ method, headers, multi, body, breakage }) => {
    const event = restEvent({ method, headers, multiValueHeaders: multi, body });
    if (breakage === 'null-headers') Object.assign(event, { headers: null });
    if (breakage === 'null-multi') Object.assign(event, { multiValueHeaders: null });
    if (breakage === 'no-method') Object.assign(event, { httpMethod: undefined });
    return event;
  });

describe('handler properties', () => {
  it(`arbitrary requests: never throws, contract statuses and bodies only, 200 only for a verifiable session (${RUNS.arbitrary} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryEvent, async (event) => {
        await invokeChecked(event);
      }),
      { numRuns: RUNS.arbitrary },
    );
  }, 60_000);

  it(`mutations of valid tokens as bearer or cookie: 200 only if the mutated token still verifies (${RUNS.mutations} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        mutation,
        fc.constantFrom('bearer', 'cookie', 'amplify'),
        fc.constantFrom<string | undefined>(undefined, ...ALLOWED_ORIGINS),
        async (m, carrier, origin) => {
          const headers: Record<string, string> =
            carrier === 'bearer'
              ? { Authorization: `Bearer ${m.mutated}` }
              : {
                  Cookie:
                    carrier === 'cookie' ? `app_session=${m.mutated}` : `${AMPLIFY}.ada.idToken=${m.mutated}`,
                };
          if (origin !== undefined) headers.Origin = origin;
          const result = await invokeChecked(restEvent({ headers }));
          expect([200, 401, 403, 503]).toContain(result.statusCode);
          // invokeChecked already requires a 200 to carry a token jose verifies for that email.
          if (result.statusCode === 200) stats.issuedFromMutation += 1;
          // A mutation that leaves the token unchanged must still work: the corpus of refusals is not a verifier that refuses everything.
          // (Amplify cookie names carry Cognito tokens only: the generic issuer's token there is refused.)
          const foreignInAmplify = carrier === 'amplify' && decodeJwt(m.token).payload.iss !== COGNITO_ISSUER;
          if (m.mutated === m.token) expect(result.statusCode).toBe(foreignInAmplify ? 401 : 200);
        },
      ),
      { numRuns: RUNS.mutations },
    );
  }, 60_000);

  it(`model: method x origin x Authorization x cookies gives exactly the modelled status and email (${RUNS.model} runs)`, async () => {
    type Auth =
      | { kind: 'none' }
      | { kind: 'valid'; index: number; scheme: string }
      | { kind: 'invalid'; value: string }
      | { kind: 'two' };
    type Cookie =
      | { kind: 'none' }
      | { kind: 'unrelated' }
      | { kind: 'valid'; index: number; amplify: boolean }
      | { kind: 'invalid'; value: string }
      | { kind: 'conflict' };
    const auth: fc.Arbitrary<Auth> = fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({
        kind: fc.constant('valid' as const),
        index: fc.nat({ max: 5 }),
        scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER'),
      }),
      fc
        .oneof(
          fc.nat().map((i) => `Bearer ${invalidTokens[i % invalidTokens.length]}`),
          fc.constantFrom('Basic YTpi', 'Bearer', '', 'Bearer  x.y.z'),
        )
        .map((value) => ({ kind: 'invalid' as const, value })),
      fc.constant({ kind: 'two' as const }),
    );
    const cookieChoice: fc.Arbitrary<Cookie> = fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.constant({ kind: 'unrelated' as const }),
      fc.record({ kind: fc.constant('valid' as const), index: fc.nat({ max: 5 }), amplify: fc.boolean() }),
      fc
        .nat()
        .map((i) => ({ kind: 'invalid' as const, value: invalidTokens[i % invalidTokens.length] ?? '' })),
      fc.constant({ kind: 'conflict' as const }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'POST', 'post', 'OPTIONS', 'GET', 'PUT', 'PATCH'),
        fc.constantFrom<string | undefined>(undefined, ...ALLOWED_ORIGINS, ...FOREIGN_ORIGINS),
        auth,
        cookieChoice,
        fc.array(
          fc.tuple(
            fc.constantFrom('theme', 'lang', 'csrf', '_ga'),
            fc.string({ unit: base64urlChar, maxLength: 12 }),
          ),
          { maxLength: 5 },
        ),
        async (httpMethod, origin, a, c, filler) => {
          const headers: Record<string, string> = {};
          const multiValueHeaders: Record<string, string[]> = {};
          if (origin !== undefined) headers.Origin = origin;
          // Amplify cookies carry Cognito tokens (odd indexes); app_session carries any token.
          const validIndex = (index: number, amplify: boolean) => (amplify ? index - (index % 2) + 1 : index);
          if (a.kind === 'valid') headers.Authorization = `${a.scheme} ${validTokens[a.index]}`;
          if (a.kind === 'invalid') headers.Authorization = a.value;
          if (a.kind === 'two')
            multiValueHeaders.Authorization = [`Bearer ${validTokens[0]}`, `Bearer ${validTokens[2]}`];
          const cookies = filler.map(([n, v]) => `${n}=${v}`);
          if (c.kind === 'valid') {
            const token = validTokens[validIndex(c.index, c.amplify)];
            cookies.push(c.amplify ? `${AMPLIFY}.someone.idToken=${token}` : `app_session=${token}`);
          }
          if (c.kind === 'invalid') cookies.push(`app_session=${c.value}`);
          if (c.kind === 'conflict')
            cookies.push(`app_session=${validTokens[0]}`, `app_session=${validTokens[2]}`);
          if (cookies.length > 0) headers.Cookie = cookies.join('; ');

          const result = await invokeChecked(restEvent({ method: httpMethod, headers, multiValueHeaders }));

          const allowed = origin !== undefined && (ALLOWED_ORIGINS as readonly string[]).includes(origin);
          let expected: { status: number; email?: string };
          const m = httpMethod.toUpperCase();
          if (m === 'OPTIONS') expected = { status: allowed ? 204 : 403 };
          else if (m !== 'POST') expected = { status: 405 };
          else if (a.kind === 'valid')
            expected = { status: 200, email: valid.get(validTokens[a.index] ?? '') };
          else if (a.kind !== 'none') expected = { status: 401 };
          else if (c.kind === 'none' || c.kind === 'unrelated') expected = { status: 401 };
          else if (origin !== undefined && !allowed) expected = { status: 403 };
          else if (c.kind === 'valid')
            expected = { status: 200, email: valid.get(validTokens[validIndex(c.index, c.amplify)] ?? '') };
          else expected = { status: 401 };

          expect(result.statusCode).toBe(expected.status);
          if (expected.email !== undefined) expect(JSON.parse(result.body).email).toBe(expected.email);
          expect(result.headers['Access-Control-Allow-Origin']).toBe(allowed ? origin : undefined);
        },
      ),
      { numRuns: RUNS.model },
    );
  }, 60_000);

  it(`ES256 with a signature of any length 0..80, as bearer or cookie: 401, never a 5xx (${RUNS.es256} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 80 }), fc.boolean(), async (bytes, asCookie) => {
        const token = `${es256Ada.split('.').slice(0, 2).join('.')}.${randomBytes(bytes).toString('base64url')}`;
        const headers: Record<string, string> = asCookie
          ? { Cookie: `app_session=${token}` }
          : { Authorization: `Bearer ${token}` };
        const logsBefore = fn.logs.length;
        const result = await invokeChecked(restEvent({ headers }));
        expect(result.statusCode).toBe(401);
        const line = JSON.parse(fn.logs[logsBefore] ?? '{}') as Record<string, unknown>;
        expect(line.outcome).toBe(bytes === 0 ? 'malformed' : 'bad_signature');
      }),
      { numRuns: RUNS.es256 },
    );
  }, 60_000);

  it(`introspection cookie values of any character: forwarded as sent only when printable ASCII, else 401 malformed with no request (${RUNS.cookieBytes} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: cookieChar, maxLength: 24 }), async (value) => {
        const asked = site.received.length;
        const logsBefore = fn.logs.length;
        const result = await invokeChecked(restEvent({ headers: { Cookie: `connect.sid=${value}` } }));
        const raw = value.trim();
        const outcome = (JSON.parse(fn.logs[logsBefore] ?? '{}') as { outcome?: string }).outcome;
        if (raw !== '' && !/^[\x20-\x7e]*$/.test(raw)) {
          expect([result.statusCode, outcome]).toEqual([401, 'malformed']);
          expect(site.received.length).toBe(asked);
        } else if (raw !== '') {
          expect(site.received.at(-1)?.cookie).toBe(`connect.sid=${raw}`);
          expect(result.statusCode).toBe(raw === VALID_SID ? 200 : 401);
        }
      }),
      { numRuns: RUNS.cookieBytes },
    );
  }, 60_000);

  it(`emails with invisible or compatibility characters anywhere, or a lone combining mark, are 403 email_invalid (${RUNS.emails} runs)`, async () => {
    const email = fc.oneof(
      fc
        .tuple(fc.constantFrom(...LOOK_ALIKE_CHARS), fc.nat({ max: 15 }))
        .map(([char, at]) => `ada@example.com`.slice(0, at) + char + `ada@example.com`.slice(at)),
      fc
        .tuple(fc.constantFrom(...COMBINING_MARKS), fc.constantFrom(0, 4, 12))
        .map(([mark, at]) => `ada@example.com`.slice(0, at) + mark + `ada@example.com`.slice(at)),
    );
    await fc.assert(
      fc.asyncProperty(email, async (address) => {
        const token = await sessionJwt(issuerClaims({ email: address }), stand.issuerKey.privateKey, {
          kid: ISSUER_KID,
        });
        audit.noteSecret(token);
        const logsBefore = fn.logs.length;
        const result = await invokeChecked(restEvent({ headers: { Authorization: `Bearer ${token}` } }));
        expect(result.statusCode).toBe(403);
        expect((JSON.parse(fn.logs[logsBefore] ?? '{}') as { outcome?: string }).outcome).toBe(
          'email_invalid',
        );
      }),
      { numRuns: RUNS.emails },
    );
  }, 60_000);

  it('ran 10,000 checked invocations, issued tokens only where verified, and logged nothing secret', () => {
    expect(RUNS.arbitrary + RUNS.mutations + RUNS.model).toBeGreaterThanOrEqual(10_000);
    expect(stats.invocations).toBeGreaterThanOrEqual(10_000);
    expect(stats.issued).toBeGreaterThan(500);
    expect(stats.issuedFromMutation).toBeGreaterThan(0);
    expect(audit.findProblems(fn.logs)).toEqual([]);
    expect(audit.findProblems(output.lines)).toEqual([]);
  });
});
