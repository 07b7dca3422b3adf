// A slow or absent store: every operation ends in PolicyStoreUnavailableError within its deadline
// (never the SDK's message), and the token gate fails open. The store hangs behind a paused proxy
// (connections open, no bytes) or is down (connections refused).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PolicyStoreUnavailableError } from '../../functions/generate-auth-token/errors.ts';
import { DEFAULT_POLICY_SETTINGS } from '../../functions/generate-auth-token/policy/prompt-policy.ts';
import {
  createPolicyStore,
  type PolicyStore,
} from '../../functions/generate-auth-token/policy/state-store.ts';
import { gateTokenRequest } from '../../functions/generate-auth-token/policy/token-gate.ts';
import { type LocalDynamo, randomUserHash, startLocalDynamo } from '../support/dynalite.ts';

const TIMEOUT_MS = 150;
/** Scheduling slack on a busy two-core machine. */
const SLACK_MS = 400;
const NOW = Date.UTC(2026, 5, 1);

const operations: Record<string, (store: PolicyStore, hash: string) => Promise<unknown>> = {
  countTokenRequest: (store, hash) => store.countTokenRequest(hash, NOW),
  recordOutcome: (store, hash) => store.recordOutcome(hash, randomUUID(), 'cancelled', NOW),
  readState: (store, hash) => store.readState(hash),
  resetState: (store, hash) => store.resetState(hash),
};

async function timedFailure(operation: Promise<unknown>) {
  const started = performance.now();
  const error = await operation.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, elapsedMs: performance.now() - started };
}

let dynamo: LocalDynamo | undefined;
let store: PolicyStore;
/** Same client, a generous deadline: to see the store work again on a busy machine. */
let patientStore: PolicyStore;

async function freshStore(tableName?: string) {
  await dynamo?.stop();
  dynamo = await startLocalDynamo();
  const options = { client: dynamo.client, tableName: dynamo.tableName, settings: DEFAULT_POLICY_SETTINGS };
  // The SDK's first call loads code and opens a connection: not what these tests time.
  patientStore = createPolicyStore({ ...options, timeoutMs: 5000 });
  await patientStore.readState(randomUserHash());
  store = createPolicyStore({ ...options, tableName: tableName ?? dynamo.tableName, timeoutMs: TIMEOUT_MS });
}

beforeEach(() => freshStore());
afterAll(() => dynamo?.stop());

describe.each(Object.entries(operations))('%s', (_name, operation) => {
  it('ends within the deadline when the store hangs, and works again once it answers', async () => {
    const local = dynamo!;
    const hash = randomUserHash();
    local.hang();
    const { error, elapsedMs } = await timedFailure(operation(store, hash));
    expect(error).toBeInstanceOf(PolicyStoreUnavailableError);
    expect((error as PolicyStoreUnavailableError).detail).toBe('timeout');
    // The deadline ended it (timers may fire a few ms early), not an early error or the SDK's own 2 s timeout.
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    local.resume();
    await expect(operation(patientStore, hash)).resolves.not.toBeInstanceOf(Error);
  });

  it('fails fast when the store is down', async () => {
    await dynamo!.down();
    const { error, elapsedMs } = await timedFailure(operation(store, randomUserHash()));
    expect(error).toBeInstanceOf(PolicyStoreUnavailableError);
    // Refused at once; the SDK's one retry after a backoff may meet the deadline on a busy machine.
    const { detail, message } = error as PolicyStoreUnavailableError;
    expect(['ECONNREFUSED', 'timeout']).toContain(detail);
    // The message is the value-free word itself, never the SDK's text.
    expect(message).toBe(detail);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });
});

describe('the token gate', () => {
  it('fails open when the store hangs: the token is issued, the log learns why', async () => {
    dynamo!.hang();
    const started = performance.now();
    const result = await gateTokenRequest(randomUserHash(), NOW, {
      store,
      settings: DEFAULT_POLICY_SETTINGS,
    });
    expect(result).toEqual({ decision: { kind: 'issue' }, policy: 'unavailable', detail: 'timeout' });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it('fails open when the store is down', async () => {
    await dynamo!.down();
    const result = await gateTokenRequest(randomUserHash(), NOW, {
      store,
      settings: DEFAULT_POLICY_SETTINGS,
    });
    expect(result).toMatchObject({ decision: { kind: 'issue' }, policy: 'unavailable' });
    expect(['ECONNREFUSED', 'timeout']).toContain(result.detail);
  });

  it('names a missing table by the error name only', async () => {
    await freshStore('no-such-table');
    const result = await gateTokenRequest(randomUserHash(), NOW, {
      store,
      settings: DEFAULT_POLICY_SETTINGS,
    });
    expect(result).toEqual({
      decision: { kind: 'issue' },
      policy: 'unavailable',
      detail: 'ResourceNotFoundException',
    });
  });

  it('does not swallow a programming error', async () => {
    await expect(
      gateTokenRequest('not a hash!', NOW, { store, settings: DEFAULT_POLICY_SETTINGS }),
    ).rejects.toThrow(TypeError);
  });
});
