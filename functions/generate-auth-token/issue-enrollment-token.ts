// The core: a verified session in, {email, token} out. Every dependency is injected, so this runs
// the same under Lambda, the local server and the tests, without AWS, network or clock.
import { createHmac } from 'node:crypto';
import type { TokenConfig } from './config.ts';
import { signEnrollmentToken } from './enrollment-token.ts';
import type { EnrollmentRequest } from './http-request.ts';
import type { SessionSource, VerifySession } from './session/verify-session.ts';
import type { GetSigningKey } from './signing-key.ts';

export interface IssueDependencies {
  readonly verifySession: VerifySession;
  readonly getSigningKey: GetSigningKey;
  readonly token: TokenConfig;
  readonly now: () => number;
}

/** What the log line may know about a request: never the email itself, a keyed hash of it. */
export interface RequestTrace {
  source: SessionSource | 'none';
  emailHash?: string;
}

export interface EnrollmentTokenResponse {
  readonly email: string;
  readonly token: string;
}

export async function issueEnrollmentToken(
  request: EnrollmentRequest,
  deps: IssueDependencies,
  trace: RequestTrace,
): Promise<EnrollmentTokenResponse> {
  const session = await deps.verifySession(request, (source) => {
    trace.source = source;
  });
  const key = await deps.getSigningKey();
  trace.emailHash = createHmac('sha256', key.logHashKey)
    .update(session.email)
    .digest('base64url')
    .slice(0, 22);
  const token = signEnrollmentToken(session.email, key, deps.token, deps.now() / 1000);
  return { email: session.email, token };
}
