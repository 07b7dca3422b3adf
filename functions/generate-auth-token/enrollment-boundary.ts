// A middy middleware that is the function's one HTTP boundary: it answers preflights and wrong
// methods, turns the core's result or typed error into the contract's response, and writes the
// request's log line. Unknown errors become a generic 500; their messages stay in the log detail.
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { EnrollmentError } from './errors.ts';
import { type EnrollmentRequest, readEnrollmentRequest } from './http-request.ts';
import { errorResponse, type ProxyResult, preflightResponse, tokenResponse } from './http-response.ts';
import type { EnrollmentTokenResponse, RequestTrace } from './issue-enrollment-token.ts';
import { formatRequestLog, type LogSink, type Outcome, type RequestLogLine } from './request-log.ts';

export interface BoundaryOptions {
  readonly allowedOrigins: readonly string[];
  readonly log: LogSink;
  readonly now: () => number;
}

/** Per-request state the handler and the boundary share. */
export interface EnrollmentInternal {
  readonly request: EnrollmentRequest;
  readonly trace: RequestTrace;
  readonly startedAt: number;
}

type BoundaryRequest = Request<APIGatewayProxyEvent, ProxyResult | EnrollmentTokenResponse, Error, Context>;

const states = new WeakMap<object, EnrollmentInternal>();

export function enrollmentState(event: APIGatewayProxyEvent): EnrollmentInternal {
  const state = states.get(event);
  if (state === undefined) throw new Error('enrollmentBoundary must run before the handler');
  return state;
}

export function enrollmentBoundary(
  options: BoundaryOptions,
): MiddlewareObj<APIGatewayProxyEvent, ProxyResult> {
  const { allowedOrigins, log, now } = options;
  let coldStart = true;

  function finish(
    request: BoundaryRequest,
    result: ProxyResult,
    outcome: Outcome,
    detail?: string,
  ): ProxyResult {
    const state = states.get(request.event);
    const line: RequestLogLine = {
      requestId: request.context?.awsRequestId ?? 'local',
      outcome,
      status: result.statusCode as RequestLogLine['status'],
      source: state?.trace.source ?? 'none',
      coldStart,
      durationMs: Math.round((performance.now() - (state?.startedAt ?? performance.now())) * 100) / 100,
      ...(state?.trace.emailHash === undefined ? {} : { emailHash: state.trace.emailHash }),
      ...(detail === undefined ? {} : { detail }),
    };
    coldStart = false;
    log(formatRequestLog(line, new Date(now()).toISOString()));
    return result;
  }

  return {
    before(request) {
      const startedAt = performance.now();
      // A malformed event (no headers object, odd types) is read defensively, never trusted.
      const event = (request.event ?? {}) as APIGatewayProxyEvent;
      if (request.event === null || typeof request.event !== 'object') request.event = event;
      const enrollmentRequest = readEnrollmentRequest(event);
      states.set(event, { request: enrollmentRequest, trace: { source: 'none' }, startedAt });
      const { method, origin } = enrollmentRequest;
      if (method === 'OPTIONS') {
        const preflight = preflightResponse(origin, allowedOrigins);
        return preflight === undefined
          ? finish(request, errorResponse(403, origin, allowedOrigins), 'origin_not_allowed')
          : finish(request, preflight, 'preflight');
      }
      if (method !== 'POST')
        return finish(request, errorResponse(405, origin, allowedOrigins), 'method_not_allowed');
      return undefined;
    },
    after(request) {
      const state = enrollmentState(request.event);
      const { email, token } = request.response as unknown as EnrollmentTokenResponse;
      request.response = finish(
        request,
        tokenResponse(email, token, state.request.origin, allowedOrigins),
        'issued',
      );
    },
    onError(request) {
      const origin = states.get(request.event)?.request.origin;
      const error = request.error;
      if (error instanceof EnrollmentError) {
        // 5xx details (what is wrong with the secret, which dependency failed) help operators; 4xx details would only help attackers.
        const detail = error.status >= 500 ? error.message : undefined;
        request.response = finish(
          request,
          errorResponse(error.status, origin, allowedOrigins),
          error.reason,
          detail,
        );
        return;
      }
      const detail = error instanceof Error ? error.name : 'unknown';
      request.response = finish(
        request,
        errorResponse(500, origin, allowedOrigins),
        'internal_error',
        detail,
      );
    },
  };
}
