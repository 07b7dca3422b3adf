// The policy's failures, with the HTTP status and log reason the response boundary needs. The store
// never puts the SDK's message into them: `detail` is an error name at most, for the log line.
// TODO(merge): move to errors.ts (as EnrollmentError subclasses; add 409 to ErrorStatus).

/** The state store was slow, unreachable or refused the call: the token route fails open, the outcome route answers 503. */
export class PolicyStoreUnavailableError extends Error {
  override readonly name = 'PolicyStoreUnavailableError';
  readonly status = 503;
  readonly reason = 'policy_unavailable';
  constructor(
    /** What went wrong, value-free (e.g. `timeout`, `ResourceNotFoundException`). */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`policy store unavailable: ${detail}`, options);
  }
}

/** This token's outcome was recorded before: 409. */
export class AlreadyReportedError extends Error {
  override readonly name = 'AlreadyReportedError';
  readonly status = 409;
  readonly reason = 'already_reported';
  constructor() {
    super('outcome already reported for this token');
  }
}
