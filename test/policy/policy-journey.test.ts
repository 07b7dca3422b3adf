// The policy over a simulated clock, end to end through the token gate and the real store
// (dynalite, real SDK): what a user sees login after login as they cancel, fail and enrol.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY_SECONDS,
  DEFAULT_POLICY_SETTINGS,
  isInRollout,
  type PolicySettings,
  type TokenOutcome,
} from '../../functions/generate-auth-token/policy/prompt-policy.ts';
import { createPolicyStore } from '../../functions/generate-auth-token/policy/state-store.ts';
import { gateTokenRequest } from '../../functions/generate-auth-token/policy/token-gate.ts';
import { type LocalDynamo, randomUserHash, startLocalDynamo } from '../support/dynalite.ts';

const T0 = 1_780_000_000;
const HOUR = 3600;

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo?.stop());

/** One user on a simulated clock: logs in (asks for a token) and reports outcomes. */
function simulatedUser(overrides: Partial<PolicySettings> = {}, hash = randomUserHash()) {
  const settings = { ...DEFAULT_POLICY_SETTINGS, ...overrides };
  const store = createPolicyStore({
    client: dynamo.client,
    tableName: dynamo.tableName,
    settings,
    timeoutMs: 1000,
  });
  let clock = T0;
  return {
    hash,
    store,
    settings,
    advance(seconds: number) {
      clock += seconds;
    },
    async login() {
      const { decision, policy } = await gateTokenRequest(hash, clock * 1000, { store, settings });
      expect(policy).toBe('applied');
      return decision.kind === 'skip' ? decision.reason : decision.kind;
    },
    report: (outcome: TokenOutcome) => store.recordOutcome(hash, randomUUID(), outcome, clock * 1000),
  };
}

describe('the policy over time', () => {
  it('snoozes N days after each cancel; after K cancels declines until an operator resets', async () => {
    const user = simulatedUser();
    expect(await user.login()).toBe('issue');
    await user.report('cancelled');
    for (let day = 1; day <= 13; day++) {
      user.advance(DAY_SECONDS);
      expect(await user.login()).toBe('snoozed');
    }
    user.advance(DAY_SECONDS - 1);
    expect(await user.login()).toBe('snoozed');
    user.advance(1);
    expect(await user.login()).toBe('issue');
    await user.report('cancelled');
    user.advance(14 * DAY_SECONDS);
    expect(await user.login()).toBe('issue');
    await user.report('cancelled');
    for (const days of [1, 14, 100, 364]) {
      user.advance(days * DAY_SECONDS);
      expect(await user.login()).toBe('declined');
    }
    await user.store.resetState(user.hash);
    expect(await user.login()).toBe('issue');
  });

  it('honours a shorter snooze and fewer declines from the settings', async () => {
    const user = simulatedUser({ snoozeDays: 2, maxDeclines: 1 });
    await user.report('cancelled');
    expect(await user.login()).toBe('declined');
    const patient = simulatedUser({ snoozeDays: 2, maxDeclines: 2 });
    await patient.report('cancelled');
    patient.advance(2 * DAY_SECONDS - 1);
    expect(await patient.login()).toBe('snoozed');
    patient.advance(1);
    expect(await patient.login()).toBe('issue');
  });

  it('limits a user to M tokens an hour, with Retry-After until the window ends', async () => {
    const user = simulatedUser({ maxTokensPerHour: 5 });
    for (let request = 0; request < 5; request++) {
      expect(await user.login()).toBe('issue');
      user.advance(60);
    }
    const limited = await gateTokenRequest(user.hash, (T0 + 300) * 1000, user);
    expect(limited.decision).toEqual({ kind: 'limit', retryAfterSeconds: HOUR - 300 });
    user.advance(HOUR - 300);
    expect(await user.login()).toBe('issue');
    // Another user in the same hour is not limited by the first one's requests.
    expect(await simulatedUser({ maxTokensPerHour: 5 }).login()).toBe('issue');
  });

  it('pauses a day after F failures in a row; an enrolment resets the run', async () => {
    const user = simulatedUser({ maxFailures: 3 });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await user.login()).toBe('issue');
      await user.report('failed');
    }
    await user.report('enrolled');
    await user.report('failed');
    await user.report('failed');
    expect(await user.login()).toBe('issue');
    await user.report('failed');
    expect(await user.login()).toBe('failing');
    user.advance(DAY_SECONDS - 1);
    expect(await user.login()).toBe('failing');
    user.advance(1);
    expect(await user.login()).toBe('issue');
    await user.report('failed');
    expect(await user.login()).toBe('issue');
  });

  it('after enrolled: keeps asking (other devices) by default, stops everywhere when set to stop', async () => {
    const keepAsking = simulatedUser();
    await keepAsking.report('enrolled');
    expect(await keepAsking.login()).toBe('issue');

    const stop = simulatedUser({ afterEnrolled: 'stop' });
    await stop.report('enrolled');
    stop.advance(300 * DAY_SECONDS);
    expect(await stop.login()).toBe('enrolled');
    await stop.store.resetState(stop.hash);
    expect(await stop.login()).toBe('issue');
  });

  it('leaves users outside the rollout alone without touching the store', async () => {
    let hash = randomUserHash();
    while (isInRollout(hash, 30)) hash = randomUserHash();
    const user = simulatedUser({ rolloutPercent: 30 }, hash);
    expect(await user.login()).toBe('not_in_rollout');
    expect(await user.store.readState(hash)).toBeUndefined();
  });
});

describe('without a table', () => {
  it('issues to everyone in the rollout, with policy no_store for the log', async () => {
    const settings = { ...DEFAULT_POLICY_SETTINGS, rolloutPercent: 50 };
    const hashes = Array.from({ length: 40 }, randomUserHash);
    const results = await Promise.all(
      hashes.map((hash) => gateTokenRequest(hash, T0 * 1000, { store: undefined, settings })),
    );
    results.forEach((result, index) => {
      expect(result.policy).toBe('no_store');
      const hash = hashes[index]!;
      expect(result.decision).toEqual(
        isInRollout(hash, 50) ? { kind: 'issue' } : { kind: 'skip', reason: 'not_in_rollout' },
      );
    });
  });
});
