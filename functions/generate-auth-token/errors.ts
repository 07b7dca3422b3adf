// Every error class the function throws, in one place. The typed enrollment errors carry their
// HTTP status and a reason code for the log; the response boundary maps them to the contract's
// fixed bodies (docs/contract.md), and their messages never reach a client. A wrapped error keeps
// the original as its `cause`. Names are set explicitly: the bundle is minified.

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
  | 'malformed_body'
  | 'token_mismatch'
  | 'token_too_old'
  | 'already_reported'
  | 'policy_unavailable'
  | 'rate_limited'
  | 'internal_error';

export type ErrorStatus = 400 | 401 | 403 | 405 | 409 | 429 | 500 | 503;

/** Which credential a request was judged by. */
export type SessionSource = 'bearer' | 'cookie' | 'introspection';

export interface EnrollmentErrorOptions extends ErrorOptions {
  /** The credential being judged when the error was raised, for the log line. */
  readonly source?: SessionSource;
}

type EnrollmentErrorClass = new (
  reason: ReasonCode,
  detail?: string,
  options?: EnrollmentErrorOptions,
) => EnrollmentError;

export abstract class EnrollmentError extends Error {
  abstract readonly status: ErrorStatus;
  readonly source: SessionSource | undefined;
  constructor(
    readonly reason: ReasonCode,
    detail?: string,
    options: EnrollmentErrorOptions = {},
  ) {
    super(detail ?? reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.source = options.source;
  }

  /** The same error raised under a known session source (a copy: concurrent requests can share one error). */
  withSource(source: SessionSource): EnrollmentError {
    if (this.source !== undefined) return this;
    const SameClass = this.constructor as EnrollmentErrorClass;
    return new SameClass(this.reason, this.message, { cause: this.cause, source });
  }
}

/** A request the contract refuses as such (the outcome route's body, a token issued too long ago): 400. */
export class BadRequestError extends EnrollmentError {
  override readonly name = 'BadRequestError';
  readonly status = 400;
}

/** No verified session: 401. */
export class UnauthorizedError extends EnrollmentError {
  override readonly name = 'UnauthorizedError';
  readonly status = 401;
}

/** A verified session that may not have a token: 403. */
export class ForbiddenError extends EnrollmentError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
}

/** This token's outcome was recorded before: 409. */
export class AlreadyReportedError extends EnrollmentError {
  override readonly name = 'AlreadyReportedError';
  readonly status = 409;
  constructor(reason: ReasonCode = 'already_reported', detail?: string, options?: EnrollmentErrorOptions) {
    super(reason, detail, options);
  }
}

/** Misconfiguration, e.g. the secret does not hold an RSA private key: 500. */
export class MisconfigurationError extends EnrollmentError {
  override readonly name = 'MisconfigurationError';
  readonly status = 500;
}

/** A dependency is unreachable and nothing usable is cached: 503 with Retry-After. */
export class DependencyUnavailableError extends EnrollmentError {
  override readonly name = 'DependencyUnavailableError';
  readonly status = 503;
}

/**
 * The policy state store was slow, unreachable or refused the call: the token route fails open, the
 * outcome route answers 503 with Retry-After. The message is value-free (`timeout`, an error name).
 */
export class PolicyStoreUnavailableError extends EnrollmentError {
  override readonly name = 'PolicyStoreUnavailableError';
  readonly status = 503;
  constructor(reason: ReasonCode = 'policy_unavailable', detail?: string, options?: EnrollmentErrorOptions) {
    super(reason, detail, options);
  }
  /** What went wrong, for the log line. */
  get detail(): string {
    return this.message;
  }
}

/** Anything unexpected (a bug, not a refusal): 500, with the original error as its cause. */
export class InternalError extends EnrollmentError {
  override readonly name = 'InternalError';
  readonly status = 500;
}

/** Marks any error thrown while a session source was known; an unexpected one becomes an InternalError. */
export function withSessionSource(error: unknown, source: SessionSource): EnrollmentError {
  if (error instanceof EnrollmentError) return error.withSource(source);
  // The detail is the original's name only: an unexpected message may quote input.
  const detail = error instanceof Error ? error.name : 'unknown';
  return new InternalError('internal_error', detail, { cause: error, source });
}

/** An environment variable is missing or malformed; names every variable at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variables: readonly string[],
    detail: string,
  ) {
    super(`Invalid configuration: ${detail}`);
  }
}

/** The secret's text is not a usable OwnID private key; the message says what it is instead, never the value. */
export class PrivateKeyFormatError extends Error {
  override readonly name = 'PrivateKeyFormatError';
}

/** The secret could not be read now; a retry may succeed. */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/** The secret's configuration or value is wrong; retrying cannot fix it. */
export class SecretMisconfiguredError extends Error {
  override readonly name = 'SecretMisconfiguredError';
}

/** A bounded GET failed: timed out, lost the connection, or the body was over its cap. */
export class BoundedGetError extends Error {
  override readonly name = 'BoundedGetError';
  constructor(
    readonly kind: 'timeout' | 'network' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}
