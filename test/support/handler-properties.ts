// The stand of the handler property tests (test/hardening/handler*.property.test.ts): the function with
// JWT, Cognito and introspection session sources, valid and invalid sessions made at run time, an
// independent verifier (jose), and invokeChecked, which holds every answer to the invariants of
// docs/contract.md whatever the request. Call setUpHandlerProperties() at the top of a test file.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ProxyResult } from '../../functions/generate-auth-token/http-response.ts';
import { cognitoClaims, flipSignatureBit, issuerClaims, nowSeconds } from './forged-tokens.ts';
import { ALLOWED_ORIGINS, STATUS_BODIES } from './hardening-assertions.ts';
import { ecKey, publicJwk } from './keys.ts';
import { LogAudit, spyOnProcessOutput } from './log-audit.ts';
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
} from './scenario.ts';
import { type SiteSessionEndpoint, startSiteSessionEndpoint } from './site-session-endpoint.ts';
import { sessionJwt } from './tokens.ts';

const ALLOWED_STATUSES = new Set([200, 204, 401, 403, 405, 500, 503]);
const EC_KID = 'issuer-ec-1';
/** The one opaque session the site's endpoint knows (for ada); any other forwarded cookie is 401 there. */
export const VALID_SID = 's%3Avalid.sig';
// Characters that make an email refused wherever they stand; and combining marks, refused where lone.
export const LOOK_ALIKE_CHARS = [
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
export const COMBINING_MARKS = ['\u0301', '\u0308', '\u20DD'];
export const EMAILS = ['ada@example.com', 'bob@example.com', 'carol@example.org'] as const;
export const FOREIGN_ORIGINS = [
  'https://app.example.com.evil.test',
  'http://app.example.com',
  'https://app.example.com:444',
  'null',
  '',
];
export const AMPLIFY = `CognitoIdentityServiceProvider.${CLIENT_ID}`;

// Set by setUpHandlerProperties' beforeAll; importers see the values once it has run.
export let stand: Stand;
export let site: SiteSessionEndpoint;
export let fn: TestFunction;
export let es256Ada = '';
/** Valid sessions, precomputed: token -> email. */
export const valid = new Map<string, string>();
export let validTokens: string[] = [];
export let invalidTokens: string[] = [];
let verifyIndependently: (token: string) => Promise<string | undefined>;
export const audit = new LogAudit();
export let output: ReturnType<typeof spyOnProcessOutput>;
export const stats = { invocations: 0, issued: 0, issuedFromMutation: 0 };

/** Starts the stand before the file's tests and closes it after them. */
export function setUpHandlerProperties(): void {
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
}

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
export async function invokeChecked(event: APIGatewayProxyEvent): Promise<ProxyResult> {
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
