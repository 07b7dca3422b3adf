// Typed errors that carry their HTTP status and a reason code for the log. The response
// boundary maps them to the fixed bodies of the contract; their messages never reach a client.

export type ReasonCode =
  | 'no_session'
  | 'malformed'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_issuer'
  | 'bad_audience'
  | 'bad_client'
  | 'bad_token_use'
  | 'alg_not_allowed'
  | 'email_missing'
  | 'email_invalid'
  | 'email_unverified'
  | 'origin_not_allowed'
  | 'method_not_allowed'
  | 'key_unavailable'
  | 'key_invalid'
  | 'jwks_unavailable'
  | 'introspection_unavailable'
  | 'internal_error';

export type ErrorStatus = 401 | 403 | 405 | 500 | 503;

export abstract class EnrollmentError extends Error {
  abstract readonly status: ErrorStatus;
  constructor(
    readonly reason: ReasonCode,
    detail?: string,
  ) {
    super(detail ?? reason);
  }
}

/** No verified session: 401. */
export class UnauthorizedError extends EnrollmentError {
  readonly status = 401;
}

/** A verified session that may not have a token: 403. */
export class ForbiddenError extends EnrollmentError {
  readonly status = 403;
}

/** Misconfiguration, e.g. the secret does not hold an RSA private key: 500. */
export class MisconfigurationError extends EnrollmentError {
  readonly status = 500;
}

/** A dependency is unreachable and nothing usable is cached: 503 with Retry-After. */
export class DependencyUnavailableError extends EnrollmentError {
  readonly status = 503;
}
