// The prompt policy, pure: whether a user gets a token now, and what each reported outcome writes.
// Stored times are epoch seconds (DynamoDB's TTL unit); `nowMs` is milliseconds, like Date.now().
// Snooze and pause are stored as the time of the event, not as an end time, so a changed setting
// applies at once to every user (e.g. POLICY_SNOOZE_DAYS=0 ends every snooze).

import { type AfterEnrolled, SETTINGS } from '../../../contract/settings.ts';

export type { AfterEnrolled };

export interface PolicySettings {
  /** After a `cancelled`, skip the user for this many days. */
  readonly snoozeDays: number;
  /** After this many `cancelled`, skip the user (`declined`) until an operator resets them. */
  readonly maxDeclines: number;
  /** Share of users who are asked at all, by a stable bucket of their hash. */
  readonly rolloutPercent: number;
  /** Token requests per user per hour; more is 429. */
  readonly maxTokensPerHour: number;
  /** This many `failed` in a row pause the user for a day (`failing`). */
  readonly maxFailures: number;
  /** After `enrolled`: keep asking on other devices, or stop asking everywhere. */
  readonly afterEnrolled: AfterEnrolled;
}

/** The settings table's defaults (contract/settings.ts), the one home of every policy default. */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = Object.freeze({
  snoozeDays: SETTINGS.policySnoozeDays.default,
  maxDeclines: SETTINGS.policyMaxDeclines.default,
  rolloutPercent: SETTINGS.policyRolloutPercent.default,
  maxTokensPerHour: SETTINGS.policyMaxTokensPerHour.default,
  maxFailures: SETTINGS.policyMaxFailures.default,
  afterEnrolled: SETTINGS.policyAfterEnrolled.default,
});

export const ENROLLMENT_OUTCOMES = ['enrolled', 'cancelled', 'failed', 'ineligible'] as const;
export type EnrollmentOutcome = (typeof ENROLLMENT_OUTCOMES)[number];
/** The outcomes reported with a token; `ineligible` comes before any token and changes no state. */
export type TokenOutcome = Exclude<EnrollmentOutcome, 'ineligible'>;

/** One user's item as stored (all optional: a new user has none of it). */
export interface UserPolicyState {
  /** Start of the current hour window, and the token requests counted in it (this one included). */
  readonly windowStart?: number;
  readonly tokens?: number;
  /** `cancelled` reports so far (never decreases; an operator reset deletes the item). */
  readonly declines?: number;
  readonly cancelledAt?: number;
  /** `failed` reports in a row. */
  readonly failures?: number;
  readonly pausedAt?: number;
  readonly enrolledAt?: number;
  readonly lastOutcome?: TokenOutcome;
  readonly lastOutcomeAt?: number;
  readonly expiresAt?: number;
}

export type SkipReason = 'not_in_rollout' | 'declined' | 'failing' | 'snoozed' | 'enrolled';

export type PromptDecision =
  | { readonly kind: 'issue' }
  | { readonly kind: 'skip'; readonly reason: SkipReason }
  | { readonly kind: 'limit'; readonly retryAfterSeconds: number };

export const HOUR_SECONDS = 3600;
export const DAY_SECONDS = 86_400;
/** How long `failing` lasts after the F-th failure in a row. */
export const FAILURE_PAUSE_SECONDS = DAY_SECONDS;
/** Rollout buckets: basis points, so a fractional percentage would not reshuffle anyone. */
export const ROLLOUT_BUCKETS = 10_000;

const toSeconds = (nowMs: number) => Math.floor(nowMs / 1000);
const ISSUE: PromptDecision = Object.freeze({ kind: 'issue' });
const skip = (reason: SkipReason): PromptDecision => ({ kind: 'skip', reason });

/**
 * The user's stable bucket in [0, ROLLOUT_BUCKETS): from the first four bytes of the keyed hash
 * only, so every instance (and the operator tools) puts a user in the same bucket.
 */
export function rolloutBucket(userHash: string): number {
  const bytes = Buffer.from(userHash, 'base64url');
  if (bytes.length < 4) throw new TypeError('rolloutBucket needs a base64url hash of at least 4 bytes');
  return bytes.readUInt32BE(0) % ROLLOUT_BUCKETS;
}

/** Raising the percentage only adds users; lowering it only removes them. */
export function isInRollout(userHash: string, rolloutPercent: number): boolean {
  return rolloutBucket(userHash) < rolloutPercent * (ROLLOUT_BUCKETS / 100);
}

/**
 * The decision for a token request, from the state the store returned after counting it.
 * Order: declined, failing, snoozed, enrolled (when the setting stops), the hourly limit, issue.
 */
export function decidePrompt(
  state: UserPolicyState,
  nowMs: number,
  settings: PolicySettings,
): PromptDecision {
  const now = toSeconds(nowMs);
  if ((state.declines ?? 0) >= settings.maxDeclines) return skip('declined');
  if (state.pausedAt !== undefined && now < state.pausedAt + FAILURE_PAUSE_SECONDS) return skip('failing');
  if (state.cancelledAt !== undefined && now < state.cancelledAt + settings.snoozeDays * DAY_SECONDS) {
    return skip('snoozed');
  }
  if (settings.afterEnrolled === 'stop' && state.enrolledAt !== undefined) return skip('enrolled');
  if ((state.tokens ?? 0) > settings.maxTokensPerHour) {
    const windowEnd = (state.windowStart ?? now) + HOUR_SECONDS;
    return { kind: 'limit', retryAfterSeconds: Math.max(1, windowEnd - now) };
  }
  return ISSUE;
}

export type StateNumberField = 'enrolledAt' | 'cancelledAt' | 'pausedAt' | 'lastOutcomeAt' | 'failures';
export type StateCounterField = 'declines' | 'failures';

/** What to write to the user item: SET these values, ADD to these counters, optionally under a condition. */
export interface StateUpdate {
  readonly set: { readonly [field in StateNumberField]?: number } & { readonly lastOutcome?: TokenOutcome };
  readonly add: { readonly [field in StateCounterField]?: number };
  /** Write only if this counter has reached the value (else leave the item alone). */
  readonly onlyIf?: { readonly field: StateCounterField; readonly atLeast: number };
}

/** The write for a reported outcome; `ineligible` writes nothing (log and metric only). */
export function outcomeUpdate(outcome: EnrollmentOutcome, nowMs: number): StateUpdate | undefined {
  const now = toSeconds(nowMs);
  const last = (lastOutcome: TokenOutcome) => ({ lastOutcome, lastOutcomeAt: now });
  switch (outcome) {
    case 'enrolled':
      return { set: { ...last(outcome), enrolledAt: now, failures: 0 }, add: {} };
    case 'cancelled':
      // A cancel breaks a run of failures: the user chose, the device did not fail.
      return { set: { ...last(outcome), cancelledAt: now, failures: 0 }, add: { declines: 1 } };
    case 'failed':
      return { set: last(outcome), add: { failures: 1 } };
    case 'ineligible':
      return undefined;
  }
}

/**
 * After a `failed` was counted: the pause to write when the run of failures reached the limit.
 * Conditional on the counter, so two instances recording the F-th failure at once pause once.
 */
export function failurePause(
  stateAfter: UserPolicyState,
  nowMs: number,
  settings: PolicySettings,
): StateUpdate | undefined {
  if ((stateAfter.failures ?? 0) < settings.maxFailures) return undefined;
  return {
    set: { pausedAt: toSeconds(nowMs), failures: 0 },
    add: {},
    onlyIf: { field: 'failures', atLeast: settings.maxFailures },
  };
}

/** One user's policy as an operator or the demo panel shows it. Times in epoch seconds. */
export interface PolicyView {
  readonly inRollout: boolean;
  readonly tokensThisHour: number;
  readonly declines: number;
  readonly snoozedUntil: number | undefined;
  readonly pausedUntil: number | undefined;
  readonly enrolledAt: number | undefined;
  readonly lastOutcome: TokenOutcome | undefined;
  readonly lastOutcomeAt: number | undefined;
  /** What the user's next token request would get. */
  readonly nextRequest: PromptDecision;
}

export function policyView(
  userHash: string,
  state: UserPolicyState,
  nowMs: number,
  settings: PolicySettings,
): PolicyView {
  const now = toSeconds(nowMs);
  const windowOpen = state.windowStart !== undefined && state.windowStart > now - HOUR_SECONDS;
  const tokensThisHour = windowOpen ? (state.tokens ?? 0) : 0;
  const snoozedUntil =
    state.cancelledAt === undefined ? undefined : state.cancelledAt + settings.snoozeDays * DAY_SECONDS;
  const pausedUntil = state.pausedAt === undefined ? undefined : state.pausedAt + FAILURE_PAUSE_SECONDS;
  const inRollout = isInRollout(userHash, settings.rolloutPercent);
  const nextState = windowOpen
    ? { ...state, tokens: tokensThisHour + 1 }
    : { ...state, windowStart: now, tokens: 1 };
  return {
    inRollout,
    tokensThisHour,
    declines: state.declines ?? 0,
    snoozedUntil: snoozedUntil !== undefined && snoozedUntil > now ? snoozedUntil : undefined,
    pausedUntil: pausedUntil !== undefined && pausedUntil > now ? pausedUntil : undefined,
    enrolledAt: state.enrolledAt,
    lastOutcome: state.lastOutcome,
    lastOutcomeAt: state.lastOutcomeAt,
    nextRequest: inRollout ? decidePrompt(nextState, nowMs, settings) : skip('not_in_rollout'),
  };
}
