// The outcome route's core: what the page reports after OwnID answered. Order of checks (see
// docs/contract.md): body (400) -> session (401/403) -> the token is ours and this user's (403),
// issued at most 15 minutes ago (400) -> the store records it once (409; 503 when slow or down).
// Without a store the report is verified and logged only. Every dependency is injected.
import type { TokenConfig } from './config.ts';
import type { PasskeyEnrolled } from './enrollment-events.ts';
import { enrollmentTokenClaims } from './enrollment-token.ts';
import { BadRequestError, ForbiddenError, type SessionSource, withSessionSource } from './errors.ts';
import type { EnrollmentRequest } from './http-request.ts';
import { checkOutcomeToken, type OutcomeRefusal, parseOutcomeRequest } from './policy/outcome-request.ts';
import type { EnrollmentOutcome } from './policy/prompt-policy.ts';
import type { PolicyStore } from './policy/state-store.ts';
import { userHash } from './policy/user-hash.ts';
import type { VerifySession } from './session/verify-session.ts';
import type { GetSigningKey } from './signing-key.ts';

export interface OutcomeDependencies {
  readonly verifySession: VerifySession;
  readonly getSigningKey: GetSigningKey;
  /** The claim profile the tokens were issued under: it says which `sub` this session's tokens carry. */
  readonly token: TokenConfig;
  readonly now: () => number;
  /** Absent when no table is configured: nothing is stored, so nothing is ever a replay (no 409). */
  readonly store: PolicyStore | undefined;
  /** The Passkey Enrolled event for an accepted `enrolled` report; never rejects (a failed put is logged). @default - no event */
  readonly announceEnrolled?: (event: PasskeyEnrolled) => Promise<unknown>;
}

export interface OutcomeBody {
  readonly body: string | null | undefined;
  readonly isBase64Encoded: boolean;
}

export interface RecordedOutcome {
  readonly outcome: EnrollmentOutcome;
  readonly source: SessionSource;
  readonly userHash: string;
  /** Whether the store wrote it (false without a table, and for `ineligible`, which changes no state). */
  readonly stored: boolean;
  /** The length of OwnID's message, never the message (it may quote an email). */
  readonly detailLength?: number;
}

function refusalError(refusal: OutcomeRefusal) {
  return refusal.status === 400
    ? new BadRequestError(refusal.reason, refusal.detail)
    : new ForbiddenError(refusal.reason, refusal.detail);
}

/** Throws an EnrollmentError; once the session is verified, the error carries its source. */
export async function recordEnrollmentOutcome(
  request: EnrollmentRequest,
  input: OutcomeBody,
  deps: OutcomeDependencies,
): Promise<RecordedOutcome> {
  const parsed = parseOutcomeRequest(input.body, input.isBase64Encoded);
  if (!parsed.ok) throw refusalError(parsed.refusal);
  const report = parsed.value;
  const { email, source } = await deps.verifySession(request);
  try {
    const key = await deps.getSigningKey();
    const hash = userHash(email, key.logHashKey);
    const recorded = {
      outcome: report.outcome,
      source,
      userHash: hash,
      ...(report.detail === undefined ? {} : { detailLength: report.detail.length }),
    };
    if (report.outcome === 'ineligible') return { ...recorded, stored: false };

    const nowMs = deps.now();
    const expectedSubject = enrollmentTokenClaims(email, deps.token, 0, '').sub;
    const checked = checkOutcomeToken(report.token, expectedSubject, key.publicKey, nowMs);
    if (!checked.ok) throw refusalError(checked.refusal);
    const stored = deps.store !== undefined;
    await deps.store?.recordOutcome(hash, checked.value.tokenId, report.outcome, nowMs);
    // After the store took it: a replay (409) or a store failure (503) announces nothing.
    if (report.outcome === 'enrolled' && deps.announceEnrolled !== undefined) {
      await deps.announceEnrolled({
        userHash: hash,
        enrolledAtMs: nowMs,
        platform: request.platform ?? 'other',
      });
    }
    return { ...recorded, stored };
  } catch (error) {
    throw withSessionSource(error, source);
  }
}
