// A middy middleware that is the function's one HTTP boundary: it answers preflights and wrong
// methods, hands the handler the parsed request, turns typed errors into the contract's responses
// (docs/contract.md), and writes the request's log line. Unknown errors become a generic 500; their
// names stay in the log detail. Per-request state lives on middy's request (`internal`, `event`).
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { EnrollmentError } from './errors.ts';
import { type EnrollmentRequest, readEnrollmentRequest, routeOf } from './http-request.ts';
import { errorResponse, type ProxyResult, preflightResponse } from './http-response.ts';
import { funnelFactsOf, funnelMetrics } from './metrics.ts';
import { formatRequestLog, type LogSink, type RequestLogLine } from './request-log.ts';

export interface BoundaryOptions {
  readonly allowedOrigins: readonly string[];
  readonly log: LogSink;
  readonly now: () => number;
  /** CloudWatch namespace of the funnel metrics the log line carries. */
  readonly metricsNamespace: string;
}

/** The event as the handler sees it: the boundary adds the parsed request. */
export interface EnrollmentEvent extends APIGatewayProxyEvent {
  readonly enrollment?: EnrollmentRequest;
}

/** What the log line says about a request beside its status and timing: its outcome, whose it was, what the policy did. */
export type LogFacts = Pick<
  RequestLogLine,
  | 'outcome'
  | 'emailHash'
  | 'route'
  | 'policy'
  | 'skipReason'
  | 'reported'
  | 'stored'
  | 'detailLength'
  | 'detail'
> & { readonly source?: RequestLogLine['source'] | undefined };

/** The handler's answer: the response, and the facts for the log line (removed before API Gateway sees it). */
export interface EnrollmentResult extends ProxyResult {
  readonly log?: LogFacts;
}

/** What the boundary keeps between its own hooks for one request. */
export interface BoundaryInternal extends Record<string, unknown> {
  boundary?: {
    readonly origin: string | undefined;
    readonly startedAt: number;
    readonly apiRequestId?: string;
  };
}

export type BoundaryRequest = Request<EnrollmentEvent, EnrollmentResult, Error, Context, BoundaryInternal>;

/** The parsed request the boundary put on the event; a handler without the boundary is a wiring bug. */
export function enrollmentRequestOf(event: EnrollmentEvent): EnrollmentRequest {
  if (event.enrollment === undefined) throw new Error('enrollmentBoundary must run before the handler');
  return event.enrollment;
}

export function enrollmentBoundary(
  options: BoundaryOptions,
): MiddlewareObj<EnrollmentEvent, EnrollmentResult, Error, Context, BoundaryInternal> {
  const { allowedOrigins, log, now, metricsNamespace } = options;
  let coldStart = true;

  function finish(request: BoundaryRequest, result: ProxyResult, facts: LogFacts): ProxyResult {
    const state = request.internal.boundary;
    const { outcome, source, ...rest } = facts;
    const optional = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
    const line: RequestLogLine = {
      requestId: request.context?.awsRequestId ?? 'local',
      ...(state?.apiRequestId === undefined ? {} : { apiRequestId: state.apiRequestId }),
      outcome,
      status: result.statusCode as RequestLogLine['status'],
      source: source ?? 'none',
      route: routeOf(request.event),
      coldStart,
      durationMs: Math.round((performance.now() - (state?.startedAt ?? performance.now())) * 100) / 100,
      ...optional,
    };
    coldStart = false;
    const at = now();
    const platform = request.event?.enrollment?.platform ?? 'other';
    const metrics = funnelMetrics(metricsNamespace, funnelFactsOf(line, platform), at);
    log(formatRequestLog(line, new Date(at).toISOString(), metrics));
    return result;
  }

  return {
    before(request) {
      const startedAt = performance.now();
      // A malformed event (no headers object, odd types) is read defensively, never trusted.
      const event: APIGatewayProxyEvent =
        request.event !== null && typeof request.event === 'object'
          ? request.event
          : ({} as APIGatewayProxyEvent);
      const enrollment = readEnrollmentRequest(event);
      const apiRequestId = apiGatewayRequestId(event);
      request.internal.boundary = {
        origin: enrollment.origin,
        startedAt,
        ...(apiRequestId === undefined ? {} : { apiRequestId }),
      };
      request.event = { ...event, enrollment };
      const { method, origin } = enrollment;
      if (method === 'OPTIONS') {
        const preflight = preflightResponse(origin, allowedOrigins);
        return preflight === undefined
          ? finish(request, errorResponse(403, origin, allowedOrigins), { outcome: 'origin_not_allowed' })
          : finish(request, preflight, { outcome: 'preflight' });
      }
      if (method !== 'POST')
        return finish(request, errorResponse(405, origin, allowedOrigins), { outcome: 'method_not_allowed' });
      return undefined;
    },
    after(request) {
      const response = request.response;
      if (response === null || response === undefined) throw new Error('the handler returned no response');
      const { log: facts, ...result } = response;
      request.response = finish(request, result, facts ?? { outcome: 'issued' });
    },
    onError(request) {
      const origin = request.internal.boundary?.origin;
      const error = request.error;
      if (error instanceof EnrollmentError) {
        // 5xx details (what is wrong with the secret, which dependency failed) help operators; 4xx details would only help attackers.
        const detail = error.status >= 500 ? error.message : undefined;
        request.response = finish(request, errorResponse(error.status, origin, allowedOrigins), {
          outcome: error.reason,
          source: error.source,
          detail,
        });
        return;
      }
      const detail = error instanceof Error ? error.name : 'unknown';
      request.response = finish(request, errorResponse(500, origin, allowedOrigins), {
        outcome: 'internal_error',
        detail,
      });
    },
  };
}

const REQUEST_ID = /^[\w-]{1,128}$/;

/** API Gateway's own request id, the key of its access log line; absent outside API Gateway. */
function apiGatewayRequestId(event: APIGatewayProxyEvent): string | undefined {
  const requestContext: unknown = event.requestContext;
  if (requestContext === null || typeof requestContext !== 'object') return undefined;
  const { requestId } = requestContext as { requestId?: unknown };
  // API Gateway's ids are UUIDs; anything else (a hand-made event) is not copied into the log.
  return typeof requestId === 'string' && REQUEST_ID.test(requestId) ? requestId : undefined;
}
