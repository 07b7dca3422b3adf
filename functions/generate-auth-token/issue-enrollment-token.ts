// The token route's core: a request in, the answer for a verified session out: a token, a skip with
// its reason, or the per-user limit. Every dependency is injected, so this runs the same under
// Lambda, the local server and the tests, without AWS, network or clock. It writes no log: the
// boundary does, from what this returns or throws.
import type { TokenConfig } from './config.ts';
import { signEnrollmentToken } from './enrollment-token.ts';
import { type SessionSource, withSessionSource } from './errors.ts';
import type { EnrollmentRequest } from './http-request.ts';
import type { SkipReason } from './policy/prompt-policy.ts';
import { gateTokenRequest, type PolicyStatus, type TokenGateDependencies } from './policy/token-gate.ts';
import { userHash } from './policy/user-hash.ts';
import type { VerifySession } from './session/verify-session.ts';
import type { GetSigningKey } from './signing-key.ts';

export interface IssueDependencies {
  readonly verifySession: VerifySession;
  readonly getSigningKey: GetSigningKey;
  readonly token: TokenConfig;
  readonly now: () => number;
  /** The prompt policy (rollout, and the state store when one is configured); absent: no policy at all. */
  readonly policy?: TokenGateDependencies;
}

interface VerifiedUser {
  /** The credential the email came from. */
  readonly source: SessionSource;
  /** The user's keyed hash (policy/user-hash.ts): the log line names the user by it, never the email. */
  readonly userHash: string;
  /** Absent when no policy is wired (the core's unit tests). */
  readonly policy?: PolicyStatus;
  /** Why the store took no part, when `policy` is `unavailable` (`timeout`, an error name). */
  readonly policyDetail?: string;
}

export type TokenRouteResult =
  | (VerifiedUser & { readonly kind: 'issued'; readonly email: string; readonly token: string })
  | (VerifiedUser & { readonly kind: 'skipped'; readonly reason: SkipReason })
  | (VerifiedUser & { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number });

/** Throws an EnrollmentError; once the session is verified, the error carries its source. */
export async function issueEnrollmentToken(
  request: EnrollmentRequest,
  deps: IssueDependencies,
): Promise<TokenRouteResult> {
  const { email, source } = await deps.verifySession(request);
  try {
    const key = await deps.getSigningKey();
    const hash = userHash(email, key.logHashKey);
    const nowMs = deps.now();
    const gate = deps.policy === undefined ? undefined : await gateTokenRequest(hash, nowMs, deps.policy);
    const user: VerifiedUser = {
      source,
      userHash: hash,
      ...(gate === undefined ? {} : { policy: gate.policy }),
      ...(gate?.detail === undefined ? {} : { policyDetail: gate.detail }),
    };
    const decision = gate?.decision ?? { kind: 'issue' };
    if (decision.kind === 'skip') return { ...user, kind: 'skipped', reason: decision.reason };
    if (decision.kind === 'limit')
      return { ...user, kind: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds };
    const token = signEnrollmentToken(email, key, deps.token, nowMs / 1000);
    return { ...user, kind: 'issued', email, token };
  } catch (error) {
    throw withSessionSource(error, source);
  }
}
