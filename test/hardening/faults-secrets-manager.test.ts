// Secrets Manager failing under the function, through the real AWS SDK: errors, throttling, hangs and
// slowness with nothing cached, and key rotation in the secret (controllable clock). The stand and its
// checks: test/support/fault-stand.ts.
import { describe, expect, it } from 'vitest';
import type { ProxyResult } from '../../functions/generate-auth-token/http-response.ts';
import {
  ADA,
  ada,
  bearerEvent,
  COGNITO_JWKS,
  cognitoAda,
  countCalls,
  countJwks,
  expectCleanLogs,
  expectUnavailable,
  expectUnavailableInTime,
  ISSUER_JWKS,
  LAMBDA_TIMEOUT_MS,
  newFunction,
  signedBy,
  stand,
  timedInvoke,
  useFaultStand,
} from '../support/fault-stand.ts';
import { expectContractResponse, expectIssuedFor } from '../support/hardening-assertions.ts';
import { rsaKey } from '../support/keys.ts';
import { SECRET_ID, type TestFunction } from '../support/scenario.ts';

useFaultStand();

describe('Secrets Manager failures with nothing cached', () => {
  it.each([
    ['500 InternalServiceError', 'internal-error'],
    ['ThrottlingException', 'throttling'],
  ] as const)('%s: 503 key_unavailable with Retry-After, the SDK retry bounded', async (_label, mode) => {
    stand.secretsManager.mode = mode;
    const fn = newFunction();
    const callsBefore = countCalls();
    const { result, elapsedMs, line } = await timedInvoke(fn);
    expectUnavailable(result);
    expect(line).toMatchObject({ outcome: 'key_unavailable', status: 503, source: 'bearer' });
    expect(line.detail).toMatch(/GetSecretValue failed with (InternalServiceError|ThrottlingException)/);
    expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
    const calls = countCalls() - callsBefore;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(2);
  });

  it('a hanging connection: 503 within the Lambda timeout', async () => {
    stand.secretsManager.mode = 'hang';
    await expectUnavailableInTime(newFunction(), 'key_unavailable');
  });

  it('slower than the SDK request timeout: 503 within the Lambda timeout', async () => {
    stand.secretsManager.mode = 'slow';
    stand.secretsManager.slowMs = 2500;
    await expectUnavailableInTime(newFunction(), 'key_unavailable');
  });

  it('100 concurrent cold requests while Secrets Manager hangs: all 503, one read in flight, within the timeout', async () => {
    stand.secretsManager.mode = 'hang';
    const fn = newFunction();
    const callsBefore = countCalls();
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 100 }, () => fn.invoke(bearerEvent())));
    const elapsedMs = performance.now() - started;
    for (const result of results) expectUnavailable(result);
    expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
    // One GetSecretValue (plus the SDK's one retry), never one per request.
    expect(countCalls() - callsBefore).toBeLessThanOrEqual(2);
  });

  it.each([
    ['ResourceNotFoundException', 'not-found'],
    ['AccessDeniedException', 'access-denied'],
  ] as const)('%s is a misconfiguration: 500 key_invalid naming the error', async (name, mode) => {
    stand.secretsManager.mode = mode;
    const fn = newFunction();
    const { result, line } = await timedInvoke(fn);
    expect(result.statusCode).toBe(500);
    expectContractResponse(result, undefined);
    expect(line).toMatchObject({ outcome: 'key_invalid', status: 500 });
    expect(line.detail).toContain(name);
  });
});

describe('slow but working dependencies', () => {
  it('a slow Secrets Manager (300 ms) still answers 200', async () => {
    stand.secretsManager.mode = 'slow';
    const fn = newFunction();
    const { result, elapsedMs } = await timedInvoke(fn);
    await expectIssuedFor(result, ADA, stand.ownIdKey.pkcs1Pem);
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
  });

  it('100 concurrent cold requests share one GetSecretValue and one JWKS download per issuer', async () => {
    stand.secretsManager.mode = 'slow';
    const fn = newFunction();
    const callsBefore = countCalls();
    const issuerBefore = countJwks(ISSUER_JWKS);
    const cognitoBefore = countJwks(COGNITO_JWKS);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => fn.invoke(bearerEvent(i % 2 === 0 ? ada : cognitoAda))),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(100).fill(200));
    for (const result of results.slice(0, 4)) await expectIssuedFor(result, ADA, stand.ownIdKey.pkcs1Pem);
    expect(countCalls() - callsBefore).toBe(1);
    expect(countJwks(ISSUER_JWKS) - issuerBefore).toBe(1);
    expect(countJwks(COGNITO_JWKS) - cognitoBefore).toBe(1);
  });
});

describe('key rotation in the secret (KEY_CACHE_TTL_SECONDS=60, controllable clock)', () => {
  it('past the cache period the cached key answers while one refresh runs; a failed refresh keeps it and backs off 30 s', async () => {
    let clock = Date.now();
    const fn = newFunction({ ...stand.env, KEY_CACHE_TTL_SECONDS: '60' }, () => clock);
    const oldKey = stand.ownIdKey;
    const newKey = rsaKey('ownid-rotated');
    const calls0 = countCalls();

    const first = await timedInvoke(fn);
    expect(await signedBy(first.result, oldKey.publicPem)).toBe(true);
    expect(countCalls() - calls0).toBe(1);

    // Rotated in Secrets Manager (JSON form, with a kid): not seen until the cache period ends.
    stand.secretsManager.secrets.set(
      SECRET_ID,
      JSON.stringify({ privateKey: newKey.pkcs8Pem, kid: 'ownid-2' }),
    );
    clock += 59_000;
    const cached = await timedInvoke(fn);
    expect(await signedBy(cached.result, oldKey.publicPem)).toBe(true);
    expect(countCalls() - calls0).toBe(1);

    // Past the period: this request is answered with the cached key and starts the one refresh.
    clock += 2_000;
    const stale = await timedInvoke(fn);
    expect(await signedBy(stale.result, oldKey.publicPem)).toBe(true);
    const rotated = await untilSignedBy(fn, newKey.publicPem);
    await expectIssuedFor(rotated, ADA, newKey.pkcs1Pem);
    const token = (JSON.parse(rotated.body) as { token: string }).token;
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: 'ownid-2',
    });
    expect(countCalls() - calls0).toBe(2);

    // Secrets Manager fails at the next refresh: the cached key stays in use, with a WARN line.
    stand.secretsManager.mode = 'internal-error';
    clock += 61_000;
    const logsBefore = fn.logs.length;
    const during = await timedInvoke(fn);
    expect(await signedBy(during.result, newKey.publicPem)).toBe(true);
    const warn = await eventually(async () =>
      fn.logs
        .slice(logsBefore)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.outcome === 'key_refresh_failed'),
    );
    expect(warn).toMatchObject({ level: 'WARN', message: 'signing-key' });
    expect(warn.detail).toMatch(/GetSecretValue failed with InternalServiceError/);
    const callsAfterFailure = countCalls();

    // Back-off: no new read for 30 s, then one (in the background, the cached key answering meanwhile).
    clock += 29_000;
    expect((await timedInvoke(fn)).result.statusCode).toBe(200);
    expect(countCalls()).toBe(callsAfterFailure);
    stand.secretsManager.mode = 'ok';
    stand.secretsManager.secrets.set(SECRET_ID, oldKey.pkcs1Pem);
    clock += 2_000;
    expect(await signedBy((await timedInvoke(fn)).result, newKey.publicPem)).toBe(true);
    await untilSignedBy(fn, oldKey.publicPem);
    expect(countCalls()).toBe(callsAfterFailure + 1);
  });

  it('a secret that becomes invalid keeps the cached key (stale) rather than failing', async () => {
    let clock = Date.now();
    const fn = newFunction({ ...stand.env, KEY_CACHE_TTL_SECONDS: '10' }, () => clock);
    expect((await timedInvoke(fn)).result.statusCode).toBe(200);
    stand.secretsManager.secrets.set(SECRET_ID, 'not a key');
    clock += 11_000;
    const { result } = await timedInvoke(fn);
    expect(await signedBy(result, stand.ownIdKey.publicPem)).toBe(true);
    await eventually(
      async () =>
        fn.logs.some((l) => (JSON.parse(l) as { outcome?: string }).outcome === 'key_refresh_failed') ||
        undefined,
    );
    expect(await signedBy((await timedInvoke(fn)).result, stand.ownIdKey.publicPem)).toBe(true);
  });
});

/** Polls (every 20 ms, at most 3 s) until `probe` gives a value: for work a request left running. */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited <= 3000; waited += 20) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('still not there after 3 s');
}

/** Requests until a token signed by `publicPem` comes back (a background key refresh has landed). */
function untilSignedBy(fn: TestFunction, publicPem: string): Promise<ProxyResult> {
  return eventually(async () => {
    const { result } = await timedInvoke(fn);
    return (await signedBy(result, publicPem)) ? result : undefined;
  });
}

describe('log audit of the faults', () => {
  it('no line holds a PEM, a JWT or an email, and every refusal has a reason code', () => {
    expectCleanLogs(200);
  });
});
