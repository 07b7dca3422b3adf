// The state store against dynalite through the real AWS SDK v3 client: counting, the hour window,
// the whole item returned, the once-only marker, the TTL attribute, two users apart, reset.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlreadyReportedError } from '../../functions/generate-auth-token/errors.ts';
import {
  DAY_SECONDS,
  DEFAULT_POLICY_SETTINGS,
} from '../../functions/generate-auth-token/policy/prompt-policy.ts';
import {
  createDynamoDbClient,
  createPolicyStore,
  type PolicyStore,
  REPORTED_TOKEN_TTL_SECONDS,
  USER_STATE_TTL_SECONDS,
} from '../../functions/generate-auth-token/policy/state-store.ts';
import {
  LOCAL_CREDENTIALS,
  type LocalDynamo,
  randomUserHash,
  startLocalDynamo,
} from '../support/dynalite.ts';

const T0 = 1_780_000_000;
const at = (seconds: number) => (T0 + seconds) * 1000;

let dynamo: LocalDynamo;
let store: PolicyStore;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  store = createPolicyStore({
    client: dynamo.client,
    tableName: dynamo.tableName,
    settings: DEFAULT_POLICY_SETTINGS,
    timeoutMs: 1000,
  });
});
afterAll(() => dynamo?.stop());

async function rawItem(pk: string) {
  const output = await dynamo.directClient.send(
    new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return output.Item;
}

describe('countTokenRequest', () => {
  it('counts requests in the hour window and returns the whole item', async () => {
    const user = randomUserHash();
    expect(await store.countTokenRequest(user, at(0))).toEqual({
      windowStart: T0,
      tokens: 1,
      expiresAt: T0 + USER_STATE_TTL_SECONDS,
    });
    await store.recordOutcome(user, 'jti-1', 'cancelled', at(10));
    // The count returns every attribute (ALL_NEW), so the decision needs no second read.
    expect(await store.countTokenRequest(user, at(20))).toEqual({
      windowStart: T0,
      tokens: 2,
      declines: 1,
      cancelledAt: T0 + 10,
      failures: 0,
      lastOutcome: 'cancelled',
      lastOutcomeAt: T0 + 10,
      expiresAt: T0 + 20 + USER_STATE_TTL_SECONDS,
    });
  });

  it('starts a new window an hour after the last one started, keeping the rest', async () => {
    const user = randomUserHash();
    for (let second = 0; second < 5; second++) await store.countTokenRequest(user, at(second));
    await store.recordOutcome(user, 'jti-1', 'cancelled', at(10));
    expect(await store.countTokenRequest(user, at(3599))).toMatchObject({ windowStart: T0, tokens: 6 });
    expect(await store.countTokenRequest(user, at(3600))).toMatchObject({
      windowStart: T0 + 3600,
      tokens: 1,
      declines: 1,
    });
  });

  it('loses no request counted concurrently', async () => {
    const user = randomUserHash();
    const states = await Promise.all(Array.from({ length: 10 }, () => store.countTokenRequest(user, at(0))));
    expect(states.map((state) => state.tokens).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });

  it('writes the TTL attribute a year after the last write, and no email or raw key anywhere', async () => {
    const user = randomUserHash();
    await store.countTokenRequest(user, at(0));
    const item = await rawItem(`user#${user}`);
    expect(item?.expiresAt).toEqual({ N: String(T0 + 365 * DAY_SECONDS) });
    expect(Object.keys(item ?? {}).sort()).toEqual(['expiresAt', 'pk', 'tokens', 'windowStart']);
  });

  it('refuses a malformed hash before any I/O', async () => {
    await expect(store.countTokenRequest('user#other', at(0))).rejects.toBeInstanceOf(TypeError);
    await expect(store.countTokenRequest('', at(0))).rejects.toBeInstanceOf(TypeError);
  });
});

describe('recordOutcome', () => {
  it('records a token once: the second report is AlreadyReported and changes nothing', async () => {
    const user = randomUserHash();
    const first = await store.recordOutcome(user, 'jti-a', 'cancelled', at(0));
    expect(first).toMatchObject({ declines: 1, cancelledAt: T0 });
    await expect(store.recordOutcome(user, 'jti-a', 'cancelled', at(5))).rejects.toBeInstanceOf(
      AlreadyReportedError,
    );
    await expect(store.recordOutcome(user, 'jti-a', 'enrolled', at(5))).rejects.toBeInstanceOf(
      AlreadyReportedError,
    );
    expect(await store.readState(user)).toMatchObject({
      declines: 1,
      cancelledAt: T0,
      lastOutcome: 'cancelled',
    });
  });

  it('keeps the marker a day, with the TTL attribute set', async () => {
    const user = randomUserHash();
    await store.recordOutcome(user, 'jti-ttl', 'enrolled', at(0));
    const marker = await rawItem(`token#${user}#jti-ttl`);
    expect(marker).toEqual({
      pk: { S: `token#${user}#jti-ttl` },
      outcome: { S: 'enrolled' },
      reportedAt: { N: String(T0) },
      expiresAt: { N: String(T0 + REPORTED_TOKEN_TTL_SECONDS) },
    });
  });

  it('pauses after the F-th failure in a row, and a cancel or an enrolment ends the run', async () => {
    const user = randomUserHash();
    await store.recordOutcome(user, 'f1', 'failed', at(0));
    await store.recordOutcome(user, 'f2', 'failed', at(1));
    await store.recordOutcome(user, 'c1', 'cancelled', at(2));
    expect(await store.recordOutcome(user, 'f3', 'failed', at(3))).toMatchObject({ failures: 1 });
    await store.recordOutcome(user, 'f4', 'failed', at(4));
    const paused = await store.recordOutcome(user, 'f5', 'failed', at(5));
    expect(paused).toMatchObject({ failures: 0, pausedAt: T0 + 5, lastOutcome: 'failed' });
    await store.recordOutcome(user, 'f6', 'failed', at(6));
    expect(await store.recordOutcome(user, 'e1', 'enrolled', at(7))).toMatchObject({
      failures: 0,
      enrolledAt: T0 + 7,
    });
  });

  it('never lets one user affect another, even with the same token id', async () => {
    const ada = randomUserHash();
    const bob = randomUserHash();
    await store.countTokenRequest(ada, at(0));
    await store.recordOutcome(ada, 'same-id', 'cancelled', at(1));
    // Bob's report of a token with the same id is his own, not a replay of Ada's.
    await store.recordOutcome(bob, 'same-id', 'enrolled', at(2));
    await store.countTokenRequest(bob, at(3));
    await store.countTokenRequest(bob, at(4));
    expect(await store.readState(ada)).toMatchObject({ tokens: 1, declines: 1, lastOutcome: 'cancelled' });
    expect(await store.readState(ada)).not.toHaveProperty('enrolledAt');
    const bobState = await store.readState(bob);
    expect(bobState).toMatchObject({ tokens: 2, enrolledAt: T0 + 2, lastOutcome: 'enrolled' });
    expect(bobState).not.toHaveProperty('declines');
  });
});

describe('readState and resetState', () => {
  it('reads nothing for an unknown user', async () => {
    expect(await store.readState(randomUserHash())).toBeUndefined();
  });

  it('reset forgets the user, but not which tokens were reported', async () => {
    const user = randomUserHash();
    await store.countTokenRequest(user, at(0));
    await store.recordOutcome(user, 'jti-r', 'cancelled', at(1));
    await store.resetState(user);
    expect(await store.readState(user)).toBeUndefined();
    expect(await store.countTokenRequest(user, at(2))).toEqual({
      windowStart: T0 + 2,
      tokens: 1,
      expiresAt: T0 + 2 + USER_STATE_TTL_SECONDS,
    });
    await expect(store.recordOutcome(user, 'jti-r', 'cancelled', at(3))).rejects.toBeInstanceOf(
      AlreadyReportedError,
    );
  });
});

describe('createDynamoDbClient', () => {
  it('reaches the store named by AWS_ENDPOINT_URL_DYNAMODB, as the local server will', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    const client = createDynamoDbClient('eu-west-1');
    // Never real AWS: a request to any other host fails here, before it is sent.
    const hosts: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const { hostname, port } = args.request as { hostname: string; port?: number };
        hosts.push(`http://${hostname}:${port}`);
        if (hostname !== '127.0.0.1') throw new Error(`refusing to call ${hostname}`);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    try {
      const viaEnv = createPolicyStore({
        client,
        tableName: dynamo.tableName,
        settings: DEFAULT_POLICY_SETTINGS,
      });
      const user = randomUserHash();
      await viaEnv.countTokenRequest(user, at(0));
      expect(await store.readState(user)).toMatchObject({ tokens: 1 });
      expect(hosts).toEqual([dynamo.endpoint]);
    } finally {
      client.destroy();
      vi.unstubAllEnvs();
    }
  });
});
