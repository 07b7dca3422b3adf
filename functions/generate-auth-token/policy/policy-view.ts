// One user's policy state in words an operator (and the demo's panel) can read: what the next token
// request would get, and until when. Pure: the stored state, the settings, a clock.
import {
  DAY_SECONDS,
  decidePrompt,
  FAILURE_PAUSE_SECONDS,
  HOUR_SECONDS,
  isInRollout,
  type PolicySettings,
  type UserPolicyState,
} from './prompt-policy.ts';

export interface PolicyView {
  /** What the next token request gets: `issue`, a skip reason, or `rate_limited`. */
  readonly next: string;
  readonly inRollout: boolean;
  readonly declines: number;
  readonly failuresInARow: number;
  readonly tokensThisHour: number;
  /** ISO times, present when they apply now. */
  readonly snoozedUntil?: string;
  readonly pausedUntil?: string;
  readonly enrolledAt?: string;
  readonly lastOutcome?: string;
  readonly lastOutcomeAt?: string;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function policyView(
  userHash: string,
  state: UserPolicyState | undefined,
  settings: PolicySettings,
  nowMs: number,
): PolicyView {
  const now = Math.floor(nowMs / 1000);
  const stored = state ?? {};
  const windowOpen = stored.windowStart !== undefined && stored.windowStart > now - HOUR_SECONDS;
  // The decision a request would get, counting that request as the store would.
  const counted = { ...stored, tokens: (windowOpen ? (stored.tokens ?? 0) : 0) + 1 };
  const inRollout = isInRollout(userHash, settings.rolloutPercent);
  const decision = inRollout ? decidePrompt(counted, nowMs, settings) : undefined;
  const next =
    decision === undefined
      ? 'not_in_rollout'
      : decision.kind === 'issue'
        ? 'issue'
        : decision.kind === 'skip'
          ? decision.reason
          : 'rate_limited';
  const snoozeEnd =
    stored.cancelledAt === undefined ? undefined : stored.cancelledAt + settings.snoozeDays * DAY_SECONDS;
  const pauseEnd = stored.pausedAt === undefined ? undefined : stored.pausedAt + FAILURE_PAUSE_SECONDS;
  return {
    next,
    inRollout,
    declines: stored.declines ?? 0,
    failuresInARow: stored.failures ?? 0,
    tokensThisHour: windowOpen ? (stored.tokens ?? 0) : 0,
    ...(snoozeEnd !== undefined && snoozeEnd > now ? { snoozedUntil: iso(snoozeEnd) } : {}),
    ...(pauseEnd !== undefined && pauseEnd > now ? { pausedUntil: iso(pauseEnd) } : {}),
    ...(stored.enrolledAt === undefined ? {} : { enrolledAt: iso(stored.enrolledAt) }),
    ...(stored.lastOutcome === undefined ? {} : { lastOutcome: stored.lastOutcome }),
    ...(stored.lastOutcomeAt === undefined ? {} : { lastOutcomeAt: iso(stored.lastOutcomeAt) }),
  };
}
