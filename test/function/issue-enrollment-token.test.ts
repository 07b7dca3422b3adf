// The core alone: fake session verifiers and a fake key source, a frozen clock, no AWS or network.
import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../functions/generate-auth-token/config.ts';
import {
  DependencyUnavailableError,
  EnrollmentError,
  InternalError,
  UnauthorizedError,
} from '../../functions/generate-auth-token/errors.ts';
import { readEnrollmentRequest } from '../../functions/generate-auth-token/http-request.ts';
import {
  type IssueDependencies,
  issueEnrollmentToken,
} from '../../functions/generate-auth-token/issue-enrollment-token.ts';
import { userHash } from '../../functions/generate-auth-token/policy/user-hash.ts';
import { importOwnIdPrivateKey } from '../../functions/generate-auth-token/private-key.ts';
import { createSessionVerifier } from '../../functions/generate-auth-token/session/verify-session.ts';
import { restEvent } from '../support/events.ts';
import { rsaKey } from '../support/keys.ts';
import { decodeJwt } from '../support/tokens.ts';

const NOW_MS = 1_800_000_000_000;
const config = parseConfig({
  OWNID_PRIVATE_KEY_SECRET_ID: 'k',
  SESSION_COGNITO_USER_POOL_ID: 'eu-west-1_A1',
  SESSION_COGNITO_CLIENT_IDS: 'c',
  SESSION_COOKIE_NAMES: 'app_session',
  ALLOWED_ORIGINS: 'https://app.example.com',
});
const request = readEnrollmentRequest(restEvent({ headers: { Authorization: 'Bearer a.b.c' } }));
const ownIdKey = rsaKey();

function deps(overrides: Partial<IssueDependencies> = {}): IssueDependencies {
  return {
    verifySession: async () => ({ email: 'ada@example.com', source: 'bearer' }),
    getSigningKey: () => importOwnIdPrivateKey(ownIdKey.pkcs1Pem),
    token: config.token,
    now: () => NOW_MS,
    ...overrides,
  };
}

describe('issueEnrollmentToken', () => {
  it("returns the session's email and source and a token signed with the key at the injected clock", async () => {
    const issued = await issueEnrollmentToken(request, deps());
    if (issued.kind !== 'issued') throw new Error(`expected a token, got ${issued.kind}`);
    expect(issued).toMatchObject({ email: 'ada@example.com', source: 'bearer' });
    const [header = '', payload = '', signature = ''] = issued.token.split('.');
    const signed = Buffer.from(`${header}.${payload}`);
    expect(
      verify('sha256', signed, createPublicKey(ownIdKey.publicPem), Buffer.from(signature, 'base64url')),
    ).toBe(true);
    expect(decodeJwt(issued.token).payload).toMatchObject({
      sub: 'ada@example.com',
      iat: NOW_MS / 1000,
      exp: NOW_MS / 1000 + config.token.ttlSeconds,
    });
    // The user's keyed hash travels with the result, for the log line and the policy: never the email.
    const key = await importOwnIdPrivateKey(ownIdKey.pkcs1Pem);
    expect(issued.userHash).toBe(userHash('ada@example.com', key.logHashKey));
    expect(issued).not.toHaveProperty('policy');
  });

  it('hands the request to the session verifier and passes its refusal through without reading the key', async () => {
    const refusal = new UnauthorizedError('expired');
    const verifySession = vi.fn(async () => Promise.reject(refusal));
    const getSigningKey = vi.fn(deps().getSigningKey);
    await expect(issueEnrollmentToken(request, deps({ verifySession, getSigningKey }))).rejects.toBe(refusal);
    expect(verifySession).toHaveBeenCalledWith(request);
    expect(getSigningKey).not.toHaveBeenCalled();
  });

  it("a key failure after the session is known carries the session's source, on a copy of the shared error", async () => {
    const shared = new DependencyUnavailableError('key_unavailable', 'GetSecretValue failed with Throttling');
    const error = await issueEnrollmentToken(
      request,
      deps({
        verifySession: async () => ({ email: 'ada@example.com', source: 'cookie' }),
        getSigningKey: async () => Promise.reject(shared),
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({
      status: 503,
      reason: 'key_unavailable',
      source: 'cookie',
      message: 'GetSecretValue failed with Throttling',
    });
    // Concurrent requests await the same key load: the shared error is left unmarked.
    expect(shared.source).toBeUndefined();
  });

  it('an unexpected failure becomes an InternalError naming only the original error, kept as its cause', async () => {
    const bug = new TypeError('cannot read "ada@example.com"');
    const error = await issueEnrollmentToken(
      request,
      deps({ getSigningKey: async () => Promise.reject(bug) }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    expect(error).toMatchObject({
      status: 500,
      reason: 'internal_error',
      source: 'bearer',
      message: 'TypeError',
    });
    expect((error as Error).cause).toBe(bug);
  });
});

describe('the session verifier names its source on the session and on its refusals', () => {
  const verifyJwt = vi.fn(async (token: string) => {
    if (token === 'good') return 'ada@example.com';
    throw new UnauthorizedError('bad_signature');
  });
  const verifySession = createSessionVerifier(config, { verifyJwt, introspect: undefined });
  const judge = (headers: Record<string, string>) =>
    verifySession(readEnrollmentRequest(restEvent({ headers }))).catch((error: unknown) => error);

  it.each([
    ['a bearer token', { Authorization: 'Bearer good' }, 'bearer'],
    ['a session cookie', { Cookie: 'app_session=good' }, 'cookie'],
  ])('%s', async (_label, headers, source) => {
    expect(await judge(headers)).toEqual({ email: 'ada@example.com', source });
  });

  it.each([
    ['a bad bearer signature', { Authorization: 'Bearer forged' }, 'bad_signature', 'bearer'],
    ['a non-Bearer Authorization', { Authorization: 'Basic x' }, 'malformed', 'bearer'],
    ['a bad cookie signature', { Cookie: 'app_session=forged' }, 'bad_signature', 'cookie'],
    [
      'a cookie from a foreign Origin',
      { Cookie: 'app_session=good', Origin: 'https://evil.test' },
      'origin_not_allowed',
      'cookie',
    ],
    ['no credential at all', {}, 'no_session', undefined],
  ])('%s', async (_label, headers, reason, source) => {
    const error = await judge(headers);
    expect(error).toBeInstanceOf(EnrollmentError);
    expect(error).toMatchObject({ reason, source });
  });
});
