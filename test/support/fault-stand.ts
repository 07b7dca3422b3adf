// The stand for the fault tests (test/hardening/faults-*.test.ts): the function against failing
// dependencies through the real AWS SDK and real JWKS downloads, with every log line kept for an audit.
// A hanging dependency must end in a 503 with Retry-After well inside the 5 s Lambda timeout.
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { ProxyResult } from '../../functions/generate-auth-token/http-response.ts';
import { restEvent } from './events.ts';
import { cognitoClaims, issuerClaims } from './forged-tokens.ts';
import { expectContractResponse, requestLogLine } from './hardening-assertions.ts';
import { publicJwk } from './keys.ts';
import { LogAudit, spyOnProcessOutput } from './log-audit.ts';
import {
  COGNITO_KID,
  createTestFunction,
  ISSUER_KID,
  SECRET_ID,
  type Stand,
  startStand,
  type TestFunction,
  USER_POOL_ID,
} from './scenario.ts';
import { sessionJwt } from './tokens.ts';

/** The Lambda timeout of the stack: every answer must come well before it. */
export const LAMBDA_TIMEOUT_MS = 5000;
export const ADA = 'ada@example.com';
export const ISSUER_JWKS = '/jwks.json';
export const COGNITO_JWKS = `/${USER_POOL_ID}/.well-known/jwks.json`;

export let stand: Stand;
export let ada: string;
export let cognitoAda: string;
export const audit = new LogAudit();
const functions: TestFunction[] = [];
let output: ReturnType<typeof spyOnProcessOutput>;

/**
 * Starts the stand-ins for the test file, with sessions for Ada from both issuers, and puts every
 * dependency back to working after each test. Call it once at the top of the file.
 */
export function useFaultStand(): void {
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
}

/** A new function (cold: nothing cached) on the stand, its log lines kept for the audit. */
export function newFunction(env: Record<string, string> = stand.env, now?: () => number): TestFunction {
  const created = createTestFunction(env, { now });
  functions.push(created);
  return created;
}

export const bearerEvent = (token = ada) => restEvent({ headers: { Authorization: `Bearer ${token}` } });
export const countCalls = () => stand.secretsManager.calls.filter((id) => id === SECRET_ID).length;
export const countJwks = (path: string) => stand.jwks.requests.filter((p) => p === path).length;

export async function timedInvoke(fn: TestFunction, token = ada) {
  const before = fn.logs.length;
  const started = performance.now();
  const result = await fn.invoke(bearerEvent(token));
  const elapsedMs = performance.now() - started;
  return { result, elapsedMs, line: requestLogLine(fn.logs, before) };
}

export function expectUnavailable(result: ProxyResult) {
  expect(result.statusCode).toBe(503);
  expectContractResponse(result, undefined);
  expect(result.headers['Retry-After']).toBe('5');
}

/** A request (as Ada, by default) ends in a 503 with Retry-After and this outcome, within the Lambda timeout. */
export async function expectUnavailableInTime(fn: TestFunction, outcome: string, token = ada): Promise<void> {
  const { result, elapsedMs, line } = await timedInvoke(fn, token);
  expectUnavailable(result);
  expect(line.outcome).toBe(outcome);
  expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
}

export async function signedBy(result: ProxyResult, publicPem: string): Promise<boolean> {
  const token = (JSON.parse(result.body) as { token: string }).token;
  try {
    await jwtVerify(token, createPublicKey(publicPem), { algorithms: ['RS256'] });
    return true;
  } catch {
    return false;
  }
}

/** No line of this file's functions or of the process holds a PEM, a JWT or an email; every refusal has a reason code. */
export function expectCleanLogs(minimumLines: number): void {
  const lines = functions.flatMap((f) => f.logs);
  expect(lines.length).toBeGreaterThan(minimumLines);
  expect(audit.findProblems(lines)).toEqual([]);
  expect(audit.findProblems(output.lines)).toEqual([]);
}
