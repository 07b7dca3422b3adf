// The pure policy: the decision from a stored state, the writes per outcome, and the rollout
// bucket (stable across instances: two "instances" derive their hash key from the same secret).
import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DAY_SECONDS,
  DEFAULT_POLICY_SETTINGS,
  decidePrompt,
  failurePause,
  isInRollout,
  outcomeUpdate,
  type PolicySettings,
  policyView,
  ROLLOUT_BUCKETS,
  rolloutBucket,
} from '../../functions/generate-auth-token/policy/prompt-policy.ts';
import { userHash } from '../../functions/generate-auth-token/policy/user-hash.ts';

const T0_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
const T0 = T0_MS / 1000;
const at = (seconds: number) => (T0 + seconds) * 1000;
const settings = (overrides: Partial<PolicySettings> = {}): PolicySettings => ({
  ...DEFAULT_POLICY_SETTINGS,
  ...overrides,
});
const oneRequest = { windowStart: T0, tokens: 1 };

describe('decidePrompt', () => {
  it('issues to a user with no history', () => {
    expect(decidePrompt(oneRequest, T0_MS, settings())).toEqual({ kind: 'issue' });
  });

  it('snoozes for exactly N days after a cancel, and a changed setting applies at once', () => {
    const state = { ...oneRequest, declines: 1, cancelledAt: T0 };
    expect(decidePrompt(state, at(14 * DAY_SECONDS - 1), settings())).toEqual({
      kind: 'skip',
      reason: 'snoozed',
    });
    expect(decidePrompt(state, at(14 * DAY_SECONDS), settings())).toEqual({ kind: 'issue' });
    expect(decidePrompt(state, at(8 * DAY_SECONDS), settings({ snoozeDays: 7 }))).toEqual({ kind: 'issue' });
    expect(decidePrompt(state, at(1), settings({ snoozeDays: 0 }))).toEqual({ kind: 'issue' });
  });

  it('declines after K cancels, for good (even once the snooze is over)', () => {
    const state = { ...oneRequest, declines: 3, cancelledAt: T0 };
    expect(decidePrompt(state, at(400 * DAY_SECONDS), settings())).toEqual({
      kind: 'skip',
      reason: 'declined',
    });
    expect(decidePrompt({ ...state, declines: 2 }, at(15 * DAY_SECONDS), settings())).toEqual({
      kind: 'issue',
    });
    expect(
      decidePrompt({ ...state, declines: 2 }, at(15 * DAY_SECONDS), settings({ maxDeclines: 2 })),
    ).toEqual({
      kind: 'skip',
      reason: 'declined',
    });
  });

  it('pauses a failing user for one day', () => {
    const state = { ...oneRequest, pausedAt: T0 };
    expect(decidePrompt(state, at(DAY_SECONDS - 1), settings())).toEqual({ kind: 'skip', reason: 'failing' });
    expect(decidePrompt(state, at(DAY_SECONDS), settings())).toEqual({ kind: 'issue' });
  });

  it('after enrolled: keeps asking by default, stops everywhere when set to stop', () => {
    const state = { ...oneRequest, enrolledAt: T0 };
    expect(decidePrompt(state, at(60), settings())).toEqual({ kind: 'issue' });
    expect(decidePrompt(state, at(60), settings({ afterEnrolled: 'stop' }))).toEqual({
      kind: 'skip',
      reason: 'enrolled',
    });
  });

  it('limits the M+1-th request of the hour, with Retry-After to the end of the window', () => {
    const window = { windowStart: T0 };
    expect(decidePrompt({ ...window, tokens: 20 }, at(600), settings())).toEqual({ kind: 'issue' });
    expect(decidePrompt({ ...window, tokens: 21 }, at(600), settings())).toEqual({
      kind: 'limit',
      retryAfterSeconds: 3000,
    });
    expect(decidePrompt({ ...window, tokens: 21 }, at(3599.5), settings())).toEqual({
      kind: 'limit',
      retryAfterSeconds: 1,
    });
  });

  it('applies the documented order: declined, failing, snoozed, enrolled, limit', () => {
    const everything = {
      windowStart: T0,
      tokens: 99,
      declines: 3,
      cancelledAt: T0,
      pausedAt: T0,
      enrolledAt: T0,
    };
    const stop = settings({ afterEnrolled: 'stop' });
    expect(decidePrompt(everything, at(1), stop)).toMatchObject({ reason: 'declined' });
    expect(decidePrompt({ ...everything, declines: 1 }, at(1), stop)).toMatchObject({ reason: 'failing' });
    expect(decidePrompt({ ...everything, declines: 1, pausedAt: undefined }, at(1), stop)).toMatchObject({
      reason: 'snoozed',
    });
    expect(
      decidePrompt({ ...everything, declines: 1, pausedAt: undefined, cancelledAt: undefined }, at(1), stop),
    ).toMatchObject({ reason: 'enrolled' });
    expect(
      decidePrompt(
        { ...everything, declines: 1, pausedAt: undefined, cancelledAt: undefined },
        at(1),
        settings(),
      ),
    ).toMatchObject({ kind: 'limit' });
  });
});

describe('outcome writes', () => {
  it('enrolled stamps the time and ends a run of failures', () => {
    expect(outcomeUpdate('enrolled', T0_MS)).toEqual({
      set: { lastOutcome: 'enrolled', lastOutcomeAt: T0, enrolledAt: T0, failures: 0 },
      add: {},
    });
  });

  it('cancelled counts a decline, starts the snooze and ends a run of failures', () => {
    expect(outcomeUpdate('cancelled', T0_MS)).toEqual({
      set: { lastOutcome: 'cancelled', lastOutcomeAt: T0, cancelledAt: T0, failures: 0 },
      add: { declines: 1 },
    });
  });

  it('failed counts; the F-th in a row pauses, only if the counter is still there', () => {
    expect(outcomeUpdate('failed', T0_MS)).toEqual({
      set: { lastOutcome: 'failed', lastOutcomeAt: T0 },
      add: { failures: 1 },
    });
    expect(failurePause({ failures: 2 }, T0_MS, settings())).toBeUndefined();
    expect(failurePause({ failures: 3 }, T0_MS, settings())).toEqual({
      set: { pausedAt: T0, failures: 0 },
      add: {},
      onlyIf: { field: 'failures', atLeast: 3 },
    });
  });

  it('ineligible writes nothing', () => {
    expect(outcomeUpdate('ineligible', T0_MS)).toBeUndefined();
  });
});

describe('rollout', () => {
  const emails = Array.from({ length: 20_000 }, (_, index) => `user${index}@example.com`);
  // A fixed hash key keeps the distribution checks deterministic (it is no credential).
  const secret = createHash('sha256').update('rollout test hash key').digest();
  // Two instances: each derives its own KeyObject from the same secret bytes.
  const instanceA = createSecretKey(Buffer.from(secret));
  const instanceB = createSecretKey(Buffer.from(secret));
  const hashesA = emails.map((email) => userHash(email, instanceA));
  const hashesB = emails.map((email) => userHash(email, instanceB));

  it('puts every user in the same bucket on every instance', () => {
    expect(hashesA.map(rolloutBucket)).toEqual(hashesB.map(rolloutBucket));
  });

  it.each([1, 10, 50, 90])('lets about %i%% of users in', (percent) => {
    const share = hashesA.filter((hash) => isInRollout(hash, percent)).length / hashesA.length;
    expect(share).toBeGreaterThan(percent / 100 - 0.015);
    expect(share).toBeLessThan(percent / 100 + 0.015);
  });

  it('spreads users evenly over the buckets (chi-square over 20 bins)', () => {
    const bins = new Array<number>(20).fill(0);
    for (const hash of hashesA) {
      const bin = Math.floor((rolloutBucket(hash) / ROLLOUT_BUCKETS) * 20);
      bins[bin] = (bins[bin] ?? 0) + 1;
    }
    const expected = hashesA.length / 20;
    const chiSquare = bins.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: 43.8 is the 0.1% critical value.
    expect(chiSquare).toBeLessThan(43.8);
  });

  it('only adds users when the percentage rises', () => {
    for (const hash of hashesA.slice(0, 2000)) {
      if (isInRollout(hash, 10)) expect(isInRollout(hash, 11)).toBe(true);
    }
    expect(hashesA.every((hash) => isInRollout(hash, 100))).toBe(true);
    expect(hashesA.some((hash) => isInRollout(hash, 0))).toBe(false);
  });

  it('refuses a value that is not a hash', () => {
    expect(() => rolloutBucket('ab')).toThrow(TypeError);
  });
});

describe('policyView', () => {
  it('shows when the snooze ends and what the next request would get', () => {
    const hash = userHash('ada@example.com', createSecretKey(randomBytes(32)));
    const state = {
      windowStart: T0,
      tokens: 2,
      declines: 1,
      cancelledAt: T0,
      lastOutcome: 'cancelled' as const,
    };
    expect(policyView(hash, state, at(60), settings())).toEqual({
      inRollout: true,
      tokensThisHour: 2,
      declines: 1,
      snoozedUntil: T0 + 14 * DAY_SECONDS,
      pausedUntil: undefined,
      enrolledAt: undefined,
      lastOutcome: 'cancelled',
      lastOutcomeAt: undefined,
      nextRequest: { kind: 'skip', reason: 'snoozed' },
    });
    const later = policyView(hash, state, at(15 * DAY_SECONDS), settings());
    expect(later).toMatchObject({
      tokensThisHour: 0,
      snoozedUntil: undefined,
      nextRequest: { kind: 'issue' },
    });
  });

  it('says not_in_rollout for a user outside the rollout', () => {
    const key = createSecretKey(randomBytes(32));
    const outside = Array.from({ length: 200 }, (_, index) => userHash(`u${index}@example.com`, key)).find(
      (hash) => !isInRollout(hash, 50),
    )!;
    expect(policyView(outside, {}, T0_MS, settings({ rolloutPercent: 50 })).nextRequest).toEqual({
      kind: 'skip',
      reason: 'not_in_rollout',
    });
  });
});
