// The two routes behind the one boundary, as a table: each turns its core's result into the
// contract's answer and the facts for the log line. Errors are the boundary's business.
import type { EnrollmentEvent, EnrollmentResult } from './enrollment-boundary.ts';
import type { EnrollmentRequest } from './http-request.ts';
import { errorResponse, noContentResponse, tokenResponse } from './http-response.ts';
import { type IssueDependencies, issueEnrollmentToken } from './issue-enrollment-token.ts';
import { type OutcomeDependencies, recordEnrollmentOutcome } from './record-enrollment-outcome.ts';
import type { RouteName } from './request-log.ts';

export type Route = (event: EnrollmentEvent, request: EnrollmentRequest) => Promise<EnrollmentResult>;

export interface RouteDependencies {
  readonly issue: IssueDependencies;
  readonly outcome: OutcomeDependencies;
  readonly allowedOrigins: readonly string[];
}

export function createRoutes(deps: RouteDependencies): Readonly<Record<RouteName, Route>> {
  const { allowedOrigins } = deps;

  async function tokenRoute(_event: EnrollmentEvent, request: EnrollmentRequest): Promise<EnrollmentResult> {
    const result = await issueEnrollmentToken(request, deps.issue);
    const facts = {
      source: result.source,
      emailHash: result.userHash,
      policy: result.policy,
      detail: result.policyDetail === undefined ? undefined : `policy store: ${result.policyDetail}`,
    };
    switch (result.kind) {
      case 'issued':
        return {
          ...tokenResponse(result.email, result.token, request.origin, allowedOrigins),
          log: { ...facts, outcome: 'issued' },
        };
      case 'skipped':
        return {
          ...noContentResponse(request.origin, allowedOrigins, result.reason),
          log: { ...facts, outcome: 'skipped', skipReason: result.reason },
        };
      case 'rate_limited':
        return {
          ...errorResponse(429, request.origin, allowedOrigins, result.retryAfterSeconds),
          log: { ...facts, outcome: 'rate_limited' },
        };
    }
  }

  async function outcomeRoute(event: EnrollmentEvent, request: EnrollmentRequest): Promise<EnrollmentResult> {
    const input = { body: event.body, isBase64Encoded: event.isBase64Encoded === true };
    const recorded = await recordEnrollmentOutcome(request, input, deps.outcome);
    return {
      ...noContentResponse(request.origin, allowedOrigins),
      log: {
        outcome: 'outcome_recorded',
        source: recorded.source,
        emailHash: recorded.userHash,
        reported: recorded.outcome,
        stored: recorded.stored,
        detailLength: recorded.detailLength,
      },
    };
  }

  return { token: tokenRoute, outcome: outcomeRoute };
}
