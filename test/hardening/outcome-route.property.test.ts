// Property test of the outcome route through the handler, with the state in dynalite: whatever the
// session, body and token (real tokens of this or another user, tampered, foreign, junk), the status
// is one of the route's contract statuses with its exact body, and afterwards the store holds no
// outcome for a token that user was not given.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHash } from '../../functions/generate-auth-token/policy/user-hash.ts';
import { importOwnIdPrivateKey } from '../../functions/generate-auth-token/private-key.ts';
import { type LocalDynamo, startLocalDynamo } from '../support/dynalite.ts';
import { restEvent } from '../support/events.ts';
import { propertyRuns } from '../support/fast-check-runs.ts';
import { flipSignatureBit } from '../support/forged-tokens.ts';
import { STATUS_BODIES } from '../support/hardening-assertions.ts';
import { outcomeTokenIssuer } from '../support/outcome-tokens.ts';
import {
  ALLOWED_ORIGIN,
  createTestFunction,
  issuerSession,
  type Stand,
  startStand,
  type TestFunction,
} from '../support/scenario.ts';
import { decodeJwt } from '../support/tokens.ts';

const RUNS = propertyRuns(1000);
const OUTCOME_STATUSES = new Set([204, 400, 401, 403, 409, 503]);
const USERS = ['ada@example.com', 'bob@example.com'] as const;

let stand: Stand;
let dynamo: LocalDynamo;
let fn: TestFunction;
const sessions = new Map<string, string>();
/** Tokens the token route handed out, by user. */
const given = new Map<string, string[]>();
let foreignTokens: string[] = [];

beforeAll(async () => {
  [stand, dynamo] = await Promise.all([startStand(), startLocalDynamo('outcome-property')]);
  fn = createTestFunction({
    ...stand.env,
    ENROLLMENT_STATE_TABLE: dynamo.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POLICY_MAX_TOKENS_PER_HOUR: '1000',
    POLICY_SNOOZE_DAYS: '0',
    POLICY_MAX_DECLINES: '100',
    POLICY_STORE_TIMEOUT_MS: '2000',
  });
  await fn.runtime.warmUp();
  const stranger = await outcomeTokenIssuer('stranger');
  for (const email of USERS) {
    sessions.set(email, await issuerSession(stand, { email }));
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await fn.invoke(
        restEvent({ headers: { Authorization: `Bearer ${sessions.get(email)}` } }),
      );
      expect(result.statusCode).toBe(200);
      tokens.push((JSON.parse(result.body) as { token: string }).token);
    }
    given.set(email, tokens);
  }
  foreignTokens = USERS.map((email) => stranger.issue(email, Date.now()));
}, 60_000);
afterAll(async () => {
  await Promise.all([stand.close(), dynamo.stop()]);
});

const allGiven = () => [...given.values()].flat();

describe('outcome route properties', () => {
  it(`any session, body and token: contract statuses only, and outcomes stored only for the user's own tokens (${RUNS} runs)`, async () => {
    const session = fc.constantFrom<string | undefined>(...USERS, undefined, 'junk');
    const token = fc.oneof(
      fc.constantFrom(...allGiven()),
      fc.constantFrom(...allGiven()).map(flipSignatureBit),
      fc.constantFrom(...foreignTokens),
      fc.string({ maxLength: 60 }),
      fc.constant(undefined),
    );
    const outcome = fc.oneof(
      fc.constantFrom('enrolled', 'cancelled', 'failed', 'ineligible'),
      fc.string({ maxLength: 12 }),
    );
    const body = fc.oneof(
      fc
        .record({ token, outcome, detail: fc.option(fc.string({ maxLength: 220 }), { nil: undefined }) })
        .map((b) => JSON.stringify(b)),
      fc.string({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(session, body, async (who, text) => {
        const authorization: Record<string, string> =
          who === undefined
            ? {}
            : { Authorization: `Bearer ${who === 'junk' ? 'a.b.c' : sessions.get(who)}` };
        const result = await fn.invoke(
          restEvent({
            path: '/enrollment-outcome',
            headers: { ...authorization, Origin: ALLOWED_ORIGIN },
            body: text,
          }),
        );
        expect(OUTCOME_STATUSES).toContain(result.statusCode);
        const expected = STATUS_BODIES[result.statusCode];
        if (expected !== undefined) expect(JSON.parse(result.body)).toStrictEqual(expected);
        else expect(result.body).toBe('');
      }),
      {
        numRuns: RUNS,
        // A valid report per user, always among the runs: a random valid one is about 1 in 100, so the
        // stored-marker check below would otherwise sometimes have nothing to check.
        examples: USERS.map((email): [string | undefined, string] => [
          email,
          JSON.stringify({ token: given.get(email)?.[0], outcome: 'enrolled' }),
        ]),
      },
    );

    // Every stored marker names a token that user was given.
    const key = await importOwnIdPrivateKey(stand.ownIdKey.pkcs1Pem);
    const jtisByHash = new Map(
      USERS.map((email) => [
        userHash(email, key.logHashKey),
        new Set(given.get(email)?.map((t) => String(decodeJwt(t).payload.jti))),
      ]),
    );
    const { Items = [] } = await dynamo.directClient.send(new ScanCommand({ TableName: dynamo.tableName }));
    const markers = Items.map((item) => item.pk?.S ?? '').filter((pk) => pk.startsWith('token#'));
    expect(markers.length).toBeGreaterThan(0);
    for (const marker of markers) {
      const [, hash = '', jti = ''] = marker.split('#');
      expect(jtisByHash.get(hash)?.has(jti)).toBe(true);
    }
  }, 120_000);
});
