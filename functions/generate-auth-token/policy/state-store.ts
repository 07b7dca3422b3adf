// The policy's state in DynamoDB: one item per user (`user#<hash>`) and a short-lived marker per
// reported token (`token#<hash>#<token id>`). The token path costs one UpdateItem that counts the
// request and returns the whole item; only a second request in the same hour costs a second one.
// Every operation has one deadline; whatever goes wrong surfaces as PolicyStoreUnavailableError.
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SETTINGS } from '../../../contract/settings.ts';
import { AlreadyReportedError, PolicyStoreUnavailableError } from '../errors.ts';
import {
  DAY_SECONDS,
  failurePause,
  HOUR_SECONDS,
  outcomeUpdate,
  type PolicySettings,
  type StateUpdate,
  type TokenOutcome,
  type UserPolicyState,
} from './prompt-policy.ts';

export const DEFAULT_STORE_TIMEOUT_MS: number = SETTINGS.policyStoreTimeoutMs.default;
/** Idle users disappear a year after their last write (the table's TTL attribute is `expiresAt`). */
export const USER_STATE_TTL_SECONDS = 365 * DAY_SECONDS;
/** Markers only need to outlive the 15 minutes in which a token's outcome is accepted. */
export const REPORTED_TOKEN_TTL_SECONDS = DAY_SECONDS;
export const TTL_ATTRIBUTE = 'expiresAt';

export interface PolicyStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly settings: PolicySettings;
  /** Deadline of one store operation, all its round trips included. @default 300 */
  readonly timeoutMs?: number;
}

export interface PolicyStore {
  /** Counts a token request in the user's hour window and returns the user's state after it. */
  countTokenRequest(userHash: string, nowMs: number): Promise<UserPolicyState>;
  /** Records a token's outcome once (else AlreadyReportedError) and returns the user's state after it. */
  recordOutcome(
    userHash: string,
    tokenId: string,
    outcome: TokenOutcome,
    nowMs: number,
  ): Promise<UserPolicyState>;
  readState(userHash: string): Promise<UserPolicyState | undefined>;
  /** Forgets the user's policy state (declines, snooze, pause, enrolment, counts). */
  resetState(userHash: string): Promise<void>;
  /** One cheap read (a key no user has): opens the connection at cold start. */
  warmUp(): Promise<void>;
}

/**
 * The function's client: few, short attempts (each operation also has its own deadline). The SDK
 * itself honours AWS_ENDPOINT_URL_DYNAMODB, which points it at a local store.
 */
export function createDynamoDbClient(region?: string): DynamoDBClient {
  return new DynamoDBClient({
    ...(region === undefined ? {} : { region }),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
}

const HASH_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,160}$/;
const NUMBER_FIELDS = [
  'windowStart',
  'tokens',
  'declines',
  'cancelledAt',
  'failures',
  'pausedAt',
  'enrolledAt',
  'lastOutcomeAt',
  'expiresAt',
] as const;
const TOKEN_OUTCOMES: ReadonlySet<string> = new Set<TokenOutcome>(['enrolled', 'cancelled', 'failed']);

const toSeconds = (nowMs: number) => Math.floor(nowMs / 1000);
const n = (value: number): AttributeValue => ({ N: String(value) });

type UserKey = Record<string, AttributeValue>;

/** A malformed hash is a bug in the caller, not a store failure: it throws before any I/O. */
function userKey(userHash: string): UserKey {
  if (!HASH_PATTERN.test(userHash)) throw new TypeError('user hash must be base64url');
  return { pk: { S: `user#${userHash}` } };
}

/** The stored item as state: unknown or malformed attributes are left out, never trusted. */
function readUserState(item: Record<string, AttributeValue> | undefined): UserPolicyState {
  const state: Record<string, number | string> = {};
  if (item === undefined) return state;
  for (const field of NUMBER_FIELDS) {
    const text = item[field]?.N;
    const value = text === undefined ? Number.NaN : Number(text);
    if (Number.isFinite(value)) state[field] = value;
  }
  const lastOutcome = item.lastOutcome?.S;
  if (lastOutcome !== undefined && TOKEN_OUTCOMES.has(lastOutcome)) state.lastOutcome = lastOutcome;
  return state as UserPolicyState;
}

/** A StateUpdate as an UpdateItem: every name through a placeholder (no reserved-word surprises). */
function updateExpression(update: StateUpdate, expiresAt: number) {
  const names: Record<string, string> = { '#expiresAt': TTL_ATTRIBUTE };
  const values: Record<string, AttributeValue> = { ':expiresAt': n(expiresAt) };
  const sets = ['#expiresAt = :expiresAt'];
  for (const [field, value] of Object.entries(update.set)) {
    names[`#${field}`] = field;
    values[`:${field}`] = typeof value === 'string' ? { S: value } : n(value);
    sets.push(`#${field} = :${field}`);
  }
  const adds: string[] = [];
  for (const [field, value] of Object.entries(update.add)) {
    names[`#${field}`] = field;
    values[`:add_${field}`] = n(value);
    adds.push(`#${field} :add_${field}`);
  }
  let condition: string | undefined;
  if (update.onlyIf !== undefined) {
    names[`#${update.onlyIf.field}`] = update.onlyIf.field;
    values[':atLeast'] = n(update.onlyIf.atLeast);
    condition = `#${update.onlyIf.field} >= :atLeast`;
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')}${adds.length === 0 ? '' : ` ADD ${adds.join(', ')}`}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(condition === undefined ? {} : { ConditionExpression: condition }),
  };
}

const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** A value-free word for the log: a socket error code or the SDK error's name, never its message. */
function failureDetail(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout';
  if (!(error instanceof Error)) return 'error';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z_]{1,40}$/.test(code)) return code;
  return /^[A-Za-z]{1,64}$/.test(error.name) && error.name !== 'Error' ? error.name : 'error';
}

export function createPolicyStore(options: PolicyStoreOptions): PolicyStore {
  const { client, tableName, settings } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;

  /** Runs one operation under one deadline: AlreadyReported passes, any other failure becomes unavailable. */
  async function withDeadline<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await operation(signal);
    } catch (error) {
      if (error instanceof AlreadyReportedError) throw error;
      throw new PolicyStoreUnavailableError('policy_unavailable', failureDetail(error, signal), {
        cause: error,
      });
    }
  }

  async function updateUser(key: UserKey, update: StateUpdate, nowMs: number, signal: AbortSignal) {
    const output = await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        ...updateExpression(update, toSeconds(nowMs) + USER_STATE_TTL_SECONDS),
        ReturnValues: 'ALL_NEW',
      }),
      { abortSignal: signal },
    );
    return readUserState(output.Attributes);
  }

  return {
    async countTokenRequest(userHash, nowMs) {
      const now = toSeconds(nowMs);
      const common = { TableName: tableName, Key: userKey(userHash), ReturnValues: 'ALL_NEW' as const };
      return withDeadline(async (signal) => {
        try {
          // Reset-first: the first request of a user's hour (the common case) is this one call.
          const output = await client.send(
            new UpdateItemCommand({
              ...common,
              UpdateExpression: 'SET #windowStart = :now, #tokens = :one, #expiresAt = :expiresAt',
              ConditionExpression: 'attribute_not_exists(#windowStart) OR #windowStart <= :windowEdge',
              ExpressionAttributeNames: {
                '#windowStart': 'windowStart',
                '#tokens': 'tokens',
                '#expiresAt': TTL_ATTRIBUTE,
              },
              ExpressionAttributeValues: {
                ':now': n(now),
                ':one': n(1),
                ':expiresAt': n(now + USER_STATE_TTL_SECONDS),
                ':windowEdge': n(now - HOUR_SECONDS),
              },
            }),
            { abortSignal: signal },
          );
          return readUserState(output.Attributes);
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        // The window is open: count in it.
        const output = await client.send(
          new UpdateItemCommand({
            ...common,
            UpdateExpression: 'SET #expiresAt = :expiresAt ADD #tokens :one',
            ExpressionAttributeNames: { '#tokens': 'tokens', '#expiresAt': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':one': n(1), ':expiresAt': n(now + USER_STATE_TTL_SECONDS) },
          }),
          { abortSignal: signal },
        );
        return readUserState(output.Attributes);
      });
    },

    async recordOutcome(userHash, tokenId, outcome, nowMs) {
      const key = userKey(userHash);
      if (!TOKEN_ID_PATTERN.test(tokenId)) throw new TypeError('token id has unexpected characters');
      const now = toSeconds(nowMs);
      return withDeadline(async (signal) => {
        try {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                pk: { S: `token#${userHash}#${tokenId}` },
                outcome: { S: outcome },
                reportedAt: n(now),
                [TTL_ATTRIBUTE]: n(now + REPORTED_TOKEN_TTL_SECONDS),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
            { abortSignal: signal },
          );
        } catch (error) {
          if (isConditionFailure(error)) throw new AlreadyReportedError();
          throw error;
        }
        const update = outcomeUpdate(outcome, nowMs);
        if (update === undefined) return readUserState(undefined);
        const state = await updateUser(key, update, nowMs, signal);
        const pause = outcome === 'failed' ? failurePause(state, nowMs, settings) : undefined;
        if (pause === undefined) return state;
        try {
          return await updateUser(key, pause, nowMs, signal);
        } catch (error) {
          // Another instance paused this user a moment ago.
          if (isConditionFailure(error)) return state;
          throw error;
        }
      });
    },

    async readState(userHash) {
      const key = userKey(userHash);
      return withDeadline(async (signal) => {
        const output = await client.send(
          new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
          {
            abortSignal: signal,
          },
        );
        return output.Item === undefined ? undefined : readUserState(output.Item);
      });
    },

    async warmUp() {
      await withDeadline(async (signal) => {
        await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'warmup#' } } }), {
          abortSignal: signal,
        });
      });
    },

    async resetState(userHash) {
      const key = userKey(userHash);
      return withDeadline(async (signal) => {
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: key }), { abortSignal: signal });
      });
    },
  };
}
