// The token route's policy step: rollout from the hash alone (no I/O), then one store call, then
// the decision. A slow or failing store fails open: enrollment is a convenience, the session
// check is the security. Without a table only the rollout applies (it needs no state).
import { PolicyStoreUnavailableError } from '../errors.ts';
import { decidePrompt, isInRollout, type PolicySettings, type PromptDecision } from './prompt-policy.ts';
import type { PolicyStore } from './state-store.ts';

/** For the log line: whether the store took part in the decision. */
export type PolicyStatus = 'applied' | 'no_store' | 'unavailable';

export interface TokenGateResult {
  readonly decision: PromptDecision;
  readonly policy: PolicyStatus;
  /** The store's error name or `timeout`, when `policy` is `unavailable`. */
  readonly detail?: string;
}

export interface TokenGateDependencies {
  /** Absent when no table is configured. */
  readonly store: PolicyStore | undefined;
  readonly settings: PolicySettings;
}

export async function gateTokenRequest(
  userHash: string,
  nowMs: number,
  deps: TokenGateDependencies,
): Promise<TokenGateResult> {
  if (!isInRollout(userHash, deps.settings.rolloutPercent)) {
    return {
      decision: { kind: 'skip', reason: 'not_in_rollout' },
      policy: deps.store ? 'applied' : 'no_store',
    };
  }
  if (deps.store === undefined) return { decision: { kind: 'issue' }, policy: 'no_store' };
  try {
    const state = await deps.store.countTokenRequest(userHash, nowMs);
    return { decision: decidePrompt(state, nowMs, deps.settings), policy: 'applied' };
  } catch (error) {
    if (!(error instanceof PolicyStoreUnavailableError)) throw error;
    return { decision: { kind: 'issue' }, policy: 'unavailable', detail: error.detail };
  }
}
