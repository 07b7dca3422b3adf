// The core: a request in, a verified session's {email, token, source} out. Every dependency is
// injected, so this runs the same under Lambda, the local server and the tests, without AWS,
// network or clock. It writes no log: the boundary does, from what this returns or throws.
import type { KeyObject } from 'node:crypto';
import type { TokenConfig } from './config.ts';
import { signEnrollmentToken } from './enrollment-token.ts';
import { type SessionSource, withSessionSource } from './errors.ts';
import type { EnrollmentRequest } from './http-request.ts';
import type { VerifySession } from './session/verify-session.ts';
import type { GetSigningKey } from './signing-key.ts';

export interface IssueDependencies {
  readonly verifySession: VerifySession;
  readonly getSigningKey: GetSigningKey;
  readonly token: TokenConfig;
  readonly now: () => number;
}

export interface IssuedToken {
  readonly email: string;
  readonly token: string;
  /** The credential the email came from. */
  readonly source: SessionSource;
  /** The signing key's log-hash key: the log line names the user by a keyed hash, never the email. */
  readonly logHashKey: KeyObject;
}

/** Throws an EnrollmentError; once the session is verified, the error carries its source. */
export async function issueEnrollmentToken(
  request: EnrollmentRequest,
  deps: IssueDependencies,
): Promise<IssuedToken> {
  const { email, source } = await deps.verifySession(request);
  try {
    const key = await deps.getSigningKey();
    const token = signEnrollmentToken(email, key, deps.token, deps.now() / 1000);
    return { email, token, source, logHashKey: key.logHashKey };
  } catch (error) {
    throw withSessionSource(error, source);
  }
}
