// The checks every hardening test makes on a response: the exact body per status of docs/contract.md, Responses, the
// security headers, CORS only for an allowed origin, and no token unless the status is 200.
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { expect } from 'vitest';
import type { ProxyResult } from '../../functions/generate-auth-token/http-response.ts';
import { restEvent } from './events.ts';
import type { TestFunction } from './scenario.ts';

export const STATUS_BODIES: Readonly<Record<number, unknown>> = {
  400: { message: 'Bad Request' },
  401: { message: 'Unauthorized' },
  403: { message: 'Forbidden' },
  405: { message: 'Method Not Allowed' },
  409: { message: 'Conflict' },
  429: { message: 'Too Many Requests' },
  500: { message: 'Internal Server Error' },
  503: { message: 'Service Unavailable' },
};

export const ALLOWED_ORIGINS = ['https://app.example.com', 'https://admin.example.com'] as const;

export function expectNoTokenIssued(result: Pick<ProxyResult, 'body'>): void {
  expect(result.body).not.toMatch(/eyJ/);
  if (result.body !== '') expect(JSON.parse(result.body)).not.toHaveProperty('token');
}

/** Status-independent checks: security headers, exact error body, CORS echo only for an allowed origin. */
export function expectContractResponse(result: ProxyResult, origin: string | undefined): void {
  expect(result.headers['Cache-Control']).toBe('no-store');
  if (result.statusCode !== 204) {
    expect(result.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(result.headers['Content-Type']).toMatch(/^application\/json/);
  }
  const allowed = origin !== undefined && (ALLOWED_ORIGINS as readonly string[]).includes(origin);
  if (allowed) {
    expect(result.headers['Access-Control-Allow-Origin']).toBe(origin);
    expect(result.headers['Access-Control-Allow-Credentials']).toBe('true');
  } else {
    expect(result.headers).not.toHaveProperty('Access-Control-Allow-Origin');
    expect(result.headers).not.toHaveProperty('Access-Control-Allow-Credentials');
  }
  expect(JSON.stringify(result.headers)).not.toContain('*');
  const expectedBody = STATUS_BODIES[result.statusCode];
  if (expectedBody !== undefined) {
    expect(JSON.parse(result.body)).toStrictEqual(expectedBody);
    expectNoTokenIssued(result);
  }
  if (result.statusCode === 204) {
    expect(result.body).toBe('');
    expectNoTokenIssued(result);
  }
  if (result.statusCode === 503) expect(result.headers['Retry-After']).toMatch(/^\d+$/);
}

/** A 200: exactly {email, token}, the token an RS256 JWT signed by the OwnID key for that email. */
export async function expectIssuedFor(
  result: ProxyResult,
  email: string,
  ownIdPublicPem: string,
): Promise<void> {
  expect(result.statusCode).toBe(200);
  const body = JSON.parse(result.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['email', 'token']);
  expect(body.email).toBe(email);
  expect(typeof body.token).toBe('string');
  const { payload, protectedHeader } = await jwtVerify(
    body.token as string,
    createPublicKey(ownIdPublicPem),
    {
      algorithms: ['RS256'],
      issuer: 'OwnID',
      audience: 'OwnID',
    },
  );
  expect(protectedHeader.alg).toBe('RS256');
  expect(payload.sub).toBe(email);
}

/** The request's log line: the last line the function wrote with the request message. */
export function requestLogLine(logs: readonly string[], from = 0): Record<string, unknown> {
  const lines = logs
    .slice(from)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === 'generate-auth-token');
  expect(lines).toHaveLength(1);
  return lines[0] as Record<string, unknown>;
}

/** One POST through the handler: the contract checks on the response, and its request log line. */
export async function callHandler(fn: TestFunction, headers: Record<string, string>) {
  const before = fn.logs.length;
  const result = await fn.invoke(restEvent({ headers }));
  expectContractResponse(result, headers.Origin);
  return { result, line: requestLogLine(fn.logs, before) };
}

export function expectRefused(
  got: { result: ProxyResult; line: Record<string, unknown> },
  status: number,
  outcome: string,
): void {
  expect(got.result.statusCode).toBe(status);
  expect(got.line).toMatchObject({ outcome, status });
}
