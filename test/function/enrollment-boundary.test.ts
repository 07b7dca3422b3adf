// The boundary alone, the way middy tests its middlewares: a bare middy handler that throws or
// answers, the boundary in front of it, and the response and log line it produces.
import { createSecretKey } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import {
  type BoundaryInternal,
  type EnrollmentEvent,
  type EnrollmentResult,
  enrollmentBoundary,
  enrollmentRequestOf,
  type LogFacts,
} from '../../functions/generate-auth-token/enrollment-boundary.ts';
import {
  DependencyUnavailableError,
  ForbiddenError,
  UnauthorizedError,
} from '../../functions/generate-auth-token/errors.ts';
import { tokenResponse } from '../../functions/generate-auth-token/http-response.ts';
import { userHash } from '../../functions/generate-auth-token/policy/user-hash.ts';
import { lambdaContext, restEvent } from '../support/events.ts';

const ORIGIN = 'https://app.example.com';
const NOW = Date.parse('2026-01-02T03:04:05.000Z');
const SECURITY_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

type Handler = (event: EnrollmentEvent) => Promise<EnrollmentResult>;

function withBoundary(handler: Handler) {
  const lines: string[] = [];
  const wrapped = middy<EnrollmentEvent, EnrollmentResult, Error, Context, BoundaryInternal>()
    .use(
      enrollmentBoundary({
        allowedOrigins: [ORIGIN],
        log: (line) => lines.push(line),
        now: () => NOW,
        metricsNamespace: 'OwnIdEnrollment/test',
      }),
    )
    .handler(handler);
  return {
    lines,
    invoke: (event: APIGatewayProxyEvent, context: Context = lambdaContext()) => wrapped(event, context),
    logLine: () => JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>,
  };
}

const post = (headers: Record<string, string> = { Origin: ORIGIN }) => restEvent({ headers });

describe('enrollmentBoundary: errors thrown by the handler', () => {
  it('a typed 4xx: its status and fixed body, CORS for the allowed origin, the reason and source in the log, no detail', async () => {
    const fn = withBoundary(async () => {
      throw new ForbiddenError('email_unverified', 'email_verified is false', { source: 'cookie' });
    });
    const context = lambdaContext();
    const response = await fn.invoke(post(), context);
    expect(response).toEqual({
      statusCode: 403,
      headers: expect.objectContaining({ ...SECURITY_HEADERS, 'Access-Control-Allow-Origin': ORIGIN }),
      body: '{"message":"Forbidden"}',
    });
    expect(fn.lines).toHaveLength(1);
    const line = fn.logLine();
    expect(line).toMatchObject({
      timestamp: '2026-01-02T03:04:05.000Z',
      level: 'WARN',
      message: 'generate-auth-token',
      requestId: context.awsRequestId,
      apiRequestId: 'req-1',
      outcome: 'email_unverified',
      status: 403,
      source: 'cookie',
      coldStart: true,
    });
    expect(line).not.toHaveProperty('detail');
    expect(line).not.toHaveProperty('emailHash');
    expect(line.durationMs).toBeTypeOf('number');
  });

  it('a refusal before any credential was judged logs source none; no CORS header for a foreign origin', async () => {
    const fn = withBoundary(async () => {
      throw new UnauthorizedError('no_session');
    });
    const response = await fn.invoke(post({ Origin: 'https://evil.test' }));
    expect(response.statusCode).toBe(401);
    expect(response.body).toBe('{"message":"Unauthorized"}');
    expect(response.headers).not.toHaveProperty('Access-Control-Allow-Origin');
    expect(fn.logLine()).toMatchObject({ outcome: 'no_session', status: 401, source: 'none' });
  });

  it('a dependency outage: 503 with Retry-After, and its detail for operators in the log', async () => {
    const fn = withBoundary(async () => {
      throw new DependencyUnavailableError('jwks_unavailable', 'JWKS download timed out', {
        source: 'bearer',
      });
    });
    const response = await fn.invoke(post());
    expect(response.statusCode).toBe(503);
    expect(response.headers['Retry-After']).toBe('5');
    expect(response.body).toBe('{"message":"Service Unavailable"}');
    expect(fn.logLine()).toMatchObject({
      level: 'ERROR',
      outcome: 'jwks_unavailable',
      status: 503,
      source: 'bearer',
      detail: 'JWKS download timed out',
    });
  });

  it('an unknown error: a generic 500, its name alone in the log (its message may quote input)', async () => {
    const fn = withBoundary(async () => {
      throw new TypeError('unexpected "ada@example.com"');
    });
    const response = await fn.invoke(post());
    expect(response).toMatchObject({ statusCode: 500, body: '{"message":"Internal Server Error"}' });
    expect(fn.logLine()).toMatchObject({
      outcome: 'internal_error',
      status: 500,
      source: 'none',
      detail: 'TypeError',
    });
    expect(fn.lines.join('\n')).not.toContain('ada@example.com');
  });
});

describe('enrollmentBoundary: a successful handler', () => {
  const logHashKey = createSecretKey(Buffer.alloc(32, 7));
  const issued = { email: 'ada@example.com', token: 'h.p.s' };
  const facts: LogFacts = {
    outcome: 'issued',
    source: 'introspection',
    emailHash: userHash('ada@example.com', logHashKey),
  };

  it("hands the handler the parsed request, answers with the handler's response and logs the email's keyed hash", async () => {
    const handler = vi.fn(async (event: EnrollmentEvent) => {
      const request = enrollmentRequestOf(event);
      return { ...tokenResponse(issued.email, issued.token, request.origin, [ORIGIN]), log: facts };
    });
    const fn = withBoundary(handler);
    const response = await fn.invoke(post({ Origin: ORIGIN, Cookie: 'sid=abc' }));

    expect(enrollmentRequestOf(handler.mock.calls[0]?.[0] ?? post())).toMatchObject({
      method: 'POST',
      origin: ORIGIN,
      authorization: [],
    });
    // The log facts are for the log line only: API Gateway gets statusCode, headers and body.
    expect(Object.keys(response).sort()).toEqual(['body', 'headers', 'statusCode']);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ email: 'ada@example.com', token: 'h.p.s' });
    expect(response.headers).toMatchObject({ ...SECURITY_HEADERS, 'Access-Control-Allow-Origin': ORIGIN });

    const line = fn.logLine();
    expect(line).toMatchObject({
      level: 'INFO',
      outcome: 'issued',
      status: 200,
      source: 'introspection',
      route: 'token',
      emailHash: userHash('ada@example.com', logHashKey),
    });
    expect(line.emailHash).toMatch(/^[\w-]{22}$/);
    expect(fn.lines.join('\n')).not.toContain('ada@example.com');
  });

  it('a response without log facts is logged as issued with source none and no hash; only the first line is a cold start', async () => {
    const fn = withBoundary(async () => ({ statusCode: 200, headers: {}, body: '{}' }));
    await fn.invoke(post());
    await fn.invoke(post());
    const [first, second] = fn.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ outcome: 'issued', source: 'none', coldStart: true });
    expect(first).not.toHaveProperty('emailHash');
    expect(second).toMatchObject({ coldStart: false });
  });
});

describe('enrollmentBoundary: answered before the handler', () => {
  const handler = vi.fn(async () => ({ statusCode: 200, headers: {}, body: '{}' }));

  it('a preflight from an allowed origin: 204 with the preflight headers, handler not called', async () => {
    const fn = withBoundary(handler);
    const response = await fn.invoke(restEvent({ method: 'OPTIONS', headers: { Origin: ORIGIN } }));
    expect(response.statusCode).toBe(204);
    expect(response.headers).toMatchObject({
      'Access-Control-Allow-Origin': ORIGIN,
      'Cache-Control': 'no-store',
    });
    expect(fn.logLine()).toMatchObject({ outcome: 'preflight', status: 204, source: 'none' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('a preflight from a foreign origin: 403', async () => {
    const fn = withBoundary(handler);
    const response = await fn.invoke(
      restEvent({ method: 'OPTIONS', headers: { Origin: 'https://evil.test' } }),
    );
    expect(response.statusCode).toBe(403);
    expect(fn.logLine()).toMatchObject({ outcome: 'origin_not_allowed', status: 403 });
    expect(handler).not.toHaveBeenCalled();
  });

  it('another method: 405 with Allow', async () => {
    const fn = withBoundary(handler);
    const response = await fn.invoke(restEvent({ method: 'GET', headers: { Origin: ORIGIN } }));
    expect(response).toMatchObject({ statusCode: 405, body: '{"message":"Method Not Allowed"}' });
    expect(response.headers.Allow).toBe('POST, OPTIONS');
    expect(fn.logLine()).toMatchObject({ outcome: 'method_not_allowed', status: 405 });
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("enrollmentBoundary: API Gateway's request id in the log line", () => {
  const fn = withBoundary(async () => ({ statusCode: 200, headers: {}, body: '{}' }));
  const withRequestContext = (requestContext: unknown): APIGatewayProxyEvent =>
    Object.assign(post(), { requestContext }) as APIGatewayProxyEvent;

  it("is copied beside Lambda's id, so one id finds the access log line and the function line", async () => {
    const context = lambdaContext();
    await fn.invoke(withRequestContext({ requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }), context);
    expect(fn.logLine()).toMatchObject({
      requestId: context.awsRequestId,
      apiRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    });
  });

  it.each([
    ['no requestContext', undefined],
    ['a requestContext that is not an object', 'x'],
    ['no requestId', {}],
    ['a requestId that is not an id', { requestId: 'a\nb' }],
    ['an over-long requestId', { requestId: 'a'.repeat(129) }],
  ])('is left out for %s', async (_label, requestContext) => {
    await fn.invoke(withRequestContext(requestContext));
    expect(fn.logLine()).not.toHaveProperty('apiRequestId');
  });
});
