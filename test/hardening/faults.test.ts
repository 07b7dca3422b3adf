// The function against failing dependencies, through the real AWS SDK and real JWKS
// downloads: Secrets Manager errors, throttling, hangs and slowness; key rotation in the secret
// (controllable clock); a burst of cold requests; JWKS rotation, outage and hang; broken secrets.
// A hanging dependency must end in a 503 with Retry-After well inside the 5 s Lambda timeout.
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyResult } from '../../functions/generate-auth-token/http-response.ts';
import { restEvent } from '../support/events.ts';
import { cognitoClaims, issuerClaims } from '../support/forged-tokens.ts';
import { expectContractResponse, expectIssuedFor, requestLogLine } from '../support/hardening-assertions.ts';
import { ecKey, publicJwk, rsaKey } from '../support/keys.ts';
import { LogAudit, spyOnProcessOutput } from '../support/log-audit.ts';
import {
  COGNITO_KID,
  createTestFunction,
  ISSUER_KID,
  SECRET_ID,
  type Stand,
  startStand,
  type TestFunction,
  USER_POOL_ID,
} from '../support/scenario.ts';
import { sessionJwt } from '../support/tokens.ts';

/** The Lambda timeout of the stack: every answer must come well before it. */
const LAMBDA_TIMEOUT_MS = 5000;
const ADA = 'ada@example.com';
const ISSUER_JWKS = '/jwks.json';
const COGNITO_JWKS = `/${USER_POOL_ID}/.well-known/jwks.json`;

let stand: Stand;
let ada: string;
let cognitoAda: string;
const audit = new LogAudit();
const functions: TestFunction[] = [];
let output: ReturnType<typeof spyOnProcessOutput>;

beforeAll(async () => {
  output = spyOnProcessOutput();
  stand = await startStand();
  ada = await sessionJwt(issuerClaims(), stand.issuerKey.privateKey, { kid: ISSUER_KID });
  cognitoAda = await sessionJwt(cognitoClaims(), stand.cognitoKey.privateKey, { kid: COGNITO_KID });
  audit.noteSecret(ada);
  audit.noteSecret(cognitoAda);
  audit.noteEmail(ADA);
});
afterEach(() => {
  stand.secretsManager.mode = 'ok';
  stand.secretsManager.slowMs = 300;
  stand.secretsManager.secrets.set(SECRET_ID, stand.ownIdKey.pkcs1Pem);
  stand.jwks.mode = 'ok';
  stand.jwks.keysByPath.set(ISSUER_JWKS, [publicJwk(stand.issuerKey.publicKey, ISSUER_KID)]);
});
afterAll(async () => {
  output.restore();
  await stand.close();
});

function newFunction(env: Record<string, string> = stand.env, now?: () => number): TestFunction {
  const created = createTestFunction(env, { now });
  functions.push(created);
  return created;
}

const bearerEvent = (token = ada) => restEvent({ headers: { Authorization: `Bearer ${token}` } });
const countCalls = () => stand.secretsManager.calls.filter((id) => id === SECRET_ID).length;
const countJwks = (path: string) => stand.jwks.requests.filter((p) => p === path).length;

async function timedInvoke(fn: TestFunction, token = ada) {
  const before = fn.logs.length;
  const started = performance.now();
  const result = await fn.invoke(bearerEvent(token));
  const elapsedMs = performance.now() - started;
  return { result, elapsedMs, line: requestLogLine(fn.logs, before) };
}

function expectUnavailable(result: ProxyResult) {
  expect(result.statusCode).toBe(503);
  expectContractResponse(result, undefined);
  expect(result.headers['Retry-After']).toBe('5');
}

async function signedBy(result: ProxyResult, publicPem: string): Promise<boolean> {
  const token = (JSON.parse(result.body) as { token: string }).token;
  try {
    await jwtVerify(token, createPublicKey(publicPem), { algorithms: ['RS256'] });
    return true;
  } catch {
    return false;
  }
}

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
    const fn = newFunction();
    const { result, elapsedMs, line } = await timedInvoke(fn);
    expectUnavailable(result);
    expect(line.outcome).toBe('key_unavailable');
    expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
  });

  it('slower than the SDK request timeout: 503 within the Lambda timeout', async () => {
    stand.secretsManager.mode = 'slow';
    stand.secretsManager.slowMs = 2500;
    const fn = newFunction();
    const { result, elapsedMs, line } = await timedInvoke(fn);
    expectUnavailable(result);
    expect(line.outcome).toBe('key_unavailable');
    expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
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

describe('JWKS faults', () => {
  it.each([
    ['down (503)', 'down'],
    ['answering HTML', 'html'],
  ] as const)('JWKS %s with nothing cached: 503 jwks_unavailable', async (_label, mode) => {
    stand.jwks.mode = mode;
    const fn = newFunction();
    for (const token of [ada, cognitoAda]) {
      const { result, line, elapsedMs } = await timedInvoke(fn, token);
      expectUnavailable(result);
      expect(line).toMatchObject({ outcome: 'jwks_unavailable', status: 503 });
      expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
    }
  });

  it('JWKS hanging with nothing cached: 503 within the Lambda timeout', async () => {
    stand.jwks.mode = 'hang';
    const fn = newFunction();
    const { result, line, elapsedMs } = await timedInvoke(fn);
    expectUnavailable(result);
    expect(line.outcome).toBe('jwks_unavailable');
    expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
  });

  it('JWKS down after it was cached: known kids keep working', async () => {
    const fn = newFunction();
    await fn.runtime.warmUp();
    stand.jwks.mode = 'down';
    await expectIssuedFor((await timedInvoke(fn)).result, ADA, stand.ownIdKey.pkcs1Pem);
    await expectIssuedFor((await timedInvoke(fn, cognitoAda)).result, ADA, stand.ownIdKey.pkcs1Pem);
  });

  it('unknown kids during a JWKS outage do not turn every request into a JWKS download', async () => {
    const fn = newFunction();
    await fn.runtime.warmUp();
    stand.jwks.mode = 'down';
    const before = countJwks(ISSUER_JWKS);
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const token = await sessionJwt(issuerClaims(), stand.issuerKey.privateKey, { kid: `rotated-${i}` });
      const { result } = await timedInvoke(fn, token);
      expect([401, 503]).toContain(result.statusCode);
      expectContractResponse(result, undefined);
    }
    const allowed = 1 + Math.floor((performance.now() - started) / 10_000);
    expect(countJwks(ISSUER_JWKS) - before).toBeLessThanOrEqual(allowed);
  });

  it('JWKS rotation: a new kid is picked up, but not before the 10 s cool-down after a miss', async () => {
    const fn = newFunction();
    await fn.runtime.warmUp();
    const nextKey = rsaKey('issuer-next');
    const rotatedToken = await sessionJwt(issuerClaims(), nextKey.privateKey, { kid: 'issuer-key-2' });
    audit.noteSecret(rotatedToken);

    // The issuer starts signing with the new key before publishing it: one download, then a miss.
    const fetches0 = countJwks(ISSUER_JWKS);
    const early = await timedInvoke(fn, rotatedToken);
    expect(early.result.statusCode).toBe(401);
    expect(early.line.outcome).toBe('bad_signature');
    expect(countJwks(ISSUER_JWKS) - fetches0).toBe(1);

    // Published now, but the verifier is cooling down: no download, still 401.
    stand.jwks.keysByPath.set(ISSUER_JWKS, [
      publicJwk(stand.issuerKey.publicKey, ISSUER_KID),
      publicJwk(nextKey.publicKey, 'issuer-key-2'),
    ]);
    const missedAt = performance.now();
    const cooling = await timedInvoke(fn, rotatedToken);
    expect(cooling.result.statusCode).toBe(401);
    expect(countJwks(ISSUER_JWKS) - fetches0).toBe(1);
    // The old kid is unaffected by the cool-down.
    expect((await timedInvoke(fn)).result.statusCode).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10_100 - (performance.now() - missedAt))));
    const picked = await timedInvoke(fn, rotatedToken);
    await expectIssuedFor(picked.result, ADA, stand.ownIdKey.pkcs1Pem);
    expect(countJwks(ISSUER_JWKS) - fetches0).toBe(2);
    expect((await timedInvoke(fn)).result.statusCode).toBe(200);
  }, 30_000);
});

describe('a secret that does not hold the OwnID RSA private key: 500 key_invalid, said plainly, never quoted', () => {
  const weak = () => rsaKey('weak', 1024);
  const ec = ecKey();
  const cases: readonly { name: string; secret: () => string; detail: RegExp }[] = [
    { name: 'an RSA public key (SPKI)', secret: () => stand.ownIdKey.publicPem, detail: /public key/ },
    {
      name: 'an RSA public key (PKCS#1)',
      secret: () => stand.ownIdKey.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      detail: /public key/,
    },
    { name: 'an EC private key (SEC1)', secret: () => ec.sec1Pem, detail: /EC key/ },
    {
      name: 'an EC private key (PKCS#8)',
      secret: () => ec.pkcs8Pem,
      detail: /key of type EC; RS256 needs an RSA key/,
    },
    { name: 'a 1024-bit RSA key', secret: () => weak().pkcs1Pem, detail: /1024 bits; at least 2048/ },
    { name: 'garbage text', secret: () => 'hunter2-not-a-key', detail: /no PEM block/ },
    {
      name: 'a truncated PEM',
      secret: () => stand.ownIdKey.pkcs1Pem.slice(0, 400) + stand.ownIdKey.pkcs1Pem.slice(-30),
      detail: /does not decode|not base64/,
    },
    {
      name: 'JSON without privateKey',
      secret: () => JSON.stringify({ key: stand.ownIdKey.pkcs1Pem }),
      detail: /no string "privateKey"/,
    },
    {
      name: 'JSON with an empty kid',
      secret: () => JSON.stringify({ privateKey: stand.ownIdKey.pkcs1Pem, kid: '' }),
      detail: /"kid" must be/,
    },
    {
      name: 'JSON that does not parse',
      secret: () => `{"privateKey": "${'A'.repeat(40)}`,
      detail: /does not parse/,
    },
    {
      name: 'a certificate',
      secret: () => '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      detail: /found a certificate; the OwnID RSA private key is needed/,
    },
    { name: 'whitespace only', secret: () => '   \n ', detail: /no SecretString/ },
  ];

  it.each(cases)('$name', async ({ secret, detail }) => {
    const value = secret();
    stand.secretsManager.secrets.set(SECRET_ID, value);
    const fn = newFunction();
    const { result, line } = await timedInvoke(fn);
    expect(result.statusCode).toBe(500);
    expectContractResponse(result, undefined);
    expect(line).toMatchObject({ outcome: 'key_invalid', status: 500, level: 'ERROR' });
    expect(line.detail).toMatch(detail);
    for (const logLine of fn.logs) expectNoKeyMaterial(logLine, value);
  });

  it.each([
    ['PKCS#8 PEM', () => stand.ownIdKey.pkcs8Pem],
    ['PKCS#1 with CRLF line ends', () => stand.ownIdKey.pkcs1Pem.replace(/\n/g, '\r\n')],
    ['PKCS#1 with escaped \\n (a JSON round trip)', () => stand.ownIdKey.pkcs1Pem.replace(/\n/g, '\\n')],
    ['JSON {privateKey} without a kid', () => JSON.stringify({ privateKey: stand.ownIdKey.pkcs1Pem })],
  ])('control: %s is accepted', async (_name, secret) => {
    stand.secretsManager.secrets.set(SECRET_ID, secret());
    const fn = newFunction();
    await expectIssuedFor((await timedInvoke(fn)).result, ADA, stand.ownIdKey.pkcs1Pem);
  });
});

/** No 16-character run of the secret's base64 (or the secret itself) appears in the line. */
function expectNoKeyMaterial(line: string, secret: string) {
  expect(line).not.toContain('-----BEGIN');
  const body = secret.replace(/-----[A-Z ]+-----/g, '').replace(/\\n|\s/g, '');
  for (let i = 0; i + 16 <= body.length; i += 8) expect(line).not.toContain(body.slice(i, i + 16));
  if (secret.trim().length >= 8) expect(line).not.toContain(secret.trim());
}

describe('log audit of the faults', () => {
  it('no line holds a PEM, a JWT or an email, and every refusal has a reason code', () => {
    const lines = functions.flatMap((f) => f.logs);
    expect(lines.length).toBeGreaterThan(200);
    expect(audit.findProblems(lines)).toEqual([]);
    expect(audit.findProblems(output.lines)).toEqual([]);
  });
});
