// The policy through the handler: REST proxy events in, the response and the log line out, the state
// in dynalite through the real AWS SDK (AWS_ENDPOINT_URL_DYNAMODB, as a deployment would set it).
// Every row of the outcome route and the token route's policy answers in docs/contract.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyStore } from '../../functions/generate-auth-token/policy/state-store.ts';
import { userHash } from '../../functions/generate-auth-token/policy/user-hash.ts';
import { importOwnIdPrivateKey } from '../../functions/generate-auth-token/private-key.ts';
import { type LocalDynamo, startLocalDynamo } from '../support/dynalite.ts';
import { restEvent } from '../support/events.ts';
import { type OutcomeTokenIssuer, outcomeTokenIssuer } from '../support/outcome-tokens.ts';
import {
  ALLOWED_ORIGIN,
  createTestFunction,
  issuerSession,
  type Stand,
  startStand,
  type TestFunction,
} from '../support/scenario.ts';

let stand: Stand;
let dynamo: LocalDynamo;
let ours: OutcomeTokenIssuer;
let stranger: OutcomeTokenIssuer;
let hashKey: Awaited<ReturnType<typeof importOwnIdPrivateKey>>['logHashKey'];
beforeAll(async () => {
  [stand, dynamo, ours, stranger] = await Promise.all([
    startStand(),
    startLocalDynamo(),
    outcomeTokenIssuer('ownid'),
    outcomeTokenIssuer('stranger'),
  ]);
  hashKey = (await importOwnIdPrivateKey(stand.ownIdKey.pkcs1Pem)).logHashKey;
});
afterAll(async () => {
  await Promise.all([stand.close(), dynamo.stop()]);
});

let users = 0;
/** A fresh user per test: tests share the table and must not see each other's state. */
const newUser = (label: string) => `${label}-${++users}-${Date.now()}@example.com`;

/** Built and warmed as handler.ts does: the warm-up opens the store's connection before the first request. */
async function policyFunction(extra: Record<string, string> = {}, table: LocalDynamo | null = dynamo) {
  const fn = createTestFunction({
    ...stand.env,
    ...(table === null
      ? {}
      : { ENROLLMENT_STATE_TABLE: table.tableName, AWS_ENDPOINT_URL_DYNAMODB: table.endpoint }),
    ...extra,
  });
  await fn.runtime.warmUp();
  return fn;
}

const bearer = async (email: string) => `Bearer ${await issuerSession(stand, { email })}`;

async function askToken(fn: TestFunction, email: string) {
  const result = await fn.invoke(
    restEvent({ headers: { Authorization: await bearer(email), Origin: ALLOWED_ORIGIN } }),
  );
  return { result, line: lastLine(fn) };
}

async function report(fn: TestFunction, email: string, body: unknown, path = '/enrollment-outcome') {
  const result = await fn.invoke(
    restEvent({
      path,
      headers: {
        Authorization: await bearer(email),
        Origin: ALLOWED_ORIGIN,
        'Content-Type': 'application/json',
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
  return { result, line: lastLine(fn) };
}

function lastLine(fn: TestFunction): Record<string, unknown> {
  const requestLines = fn.logs.filter((line) => line.includes('"message":"generate-auth-token"'));
  return JSON.parse(requestLines.at(-1) ?? '{}') as Record<string, unknown>;
}

async function tokenFor(fn: TestFunction, email: string): Promise<string> {
  const { result } = await askToken(fn, email);
  expect(result.statusCode).toBe(200);
  return (JSON.parse(result.body) as { token: string }).token;
}

const stateOf = (email: string, table = dynamo) =>
  createPolicyStore({
    client: table.directClient,
    tableName: table.tableName,
    settings: {} as never,
  }).readState(userHash(email, hashKey));

describe('outcome route: POST /enrollment-outcome', () => {
  it('204: records the outcome of a token this user was given; the log names the outcome, never the detail', async () => {
    const fn = await policyFunction();
    const email = newUser('ada');
    const token = await tokenFor(fn, email);
    const detail = `NotAllowedError for ${email}`;
    const { result, line } = await report(fn, email, { token, outcome: 'failed', detail });

    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(result.headers).toMatchObject({
      'Access-Control-Allow-Origin': ALLOWED_ORIGIN,
      'Access-Control-Expose-Headers': 'Enrollment-Skip, Retry-After',
      'Cache-Control': 'no-store',
    });
    expect(line).toMatchObject({
      outcome: 'outcome_recorded',
      status: 204,
      route: 'outcome',
      source: 'bearer',
      reported: 'failed',
      stored: true,
      detailLength: detail.length,
      emailHash: userHash(email, hashKey),
    });
    expect(fn.logs.join('\n')).not.toContain(email);
    expect(await stateOf(email)).toMatchObject({ failures: 1, lastOutcome: 'failed' });
  });

  it('204 for `ineligible` without a token: logged, no state written', async () => {
    const fn = await policyFunction();
    const email = newUser('ineligible');
    const { result, line } = await report(fn, email, { outcome: 'ineligible' });
    expect(result.statusCode).toBe(204);
    expect(line).toMatchObject({ outcome: 'outcome_recorded', reported: 'ineligible', stored: false });
    expect(await stateOf(email)).toBeUndefined();
  });

  it('works under a base path too (any path ending in /enrollment-outcome)', async () => {
    const fn = await policyFunction();
    const email = newUser('based');
    const token = await tokenFor(fn, email);
    const { result } = await report(fn, email, { token, outcome: 'enrolled' }, '/auth/enrollment-outcome');
    expect(result.statusCode).toBe(204);
    expect(await stateOf(email)).toMatchObject({ lastOutcome: 'enrolled' });
  });

  it.each([
    ['not JSON', '{"outcome":'],
    ['an unknown outcome', { outcome: 'maybe', token: 'x.y.z' }],
    ['no token with a token outcome', { outcome: 'cancelled' }],
    ['a detail over 200 characters', { outcome: 'ineligible', detail: 'x'.repeat(201) }],
    ['a body over 4096 bytes', { outcome: 'ineligible', padding: 'x'.repeat(4100) }],
  ])('400 malformed_body: %s', async (_name, body) => {
    const fn = await policyFunction();
    const { result, line } = await report(fn, newUser('bad'), body);
    expect(result.statusCode).toBe(400);
    expect(result.body).toBe('{"message":"Bad Request"}');
    expect(line).toMatchObject({ outcome: 'malformed_body', status: 400, route: 'outcome', source: 'none' });
  });

  it('400 token_too_old: a token issued over 15 minutes ago; nothing recorded', async () => {
    const fn = await policyFunction();
    const email = newUser('late');
    const token = ours.issue(email, Date.now() - 16 * 60_000);
    const { result, line } = await report(fn, email, { token, outcome: 'cancelled' });
    expect(result.statusCode).toBe(400);
    expect(line).toMatchObject({ outcome: 'token_too_old', source: 'bearer' });
    expect(await stateOf(email)).toBeUndefined();
  });

  it('401 without a session, before the token is looked at', async () => {
    const fn = await policyFunction();
    const result = await fn.invoke(
      restEvent({
        path: '/enrollment-outcome',
        headers: { Origin: ALLOWED_ORIGIN },
        body: JSON.stringify({ outcome: 'enrolled', token: 'a.b.c' }),
      }),
    );
    expect(result.statusCode).toBe(401);
    expect(result.body).toBe('{"message":"Unauthorized"}');
    expect(lastLine(fn)).toMatchObject({ outcome: 'no_session', route: 'outcome' });
  });

  it('403 token_mismatch: signed by another key, tampered, or given to another user; nothing recorded', async () => {
    const fn = await policyFunction();
    const ada = newUser('ada');
    const bob = newUser('bob');
    const bobsToken = await tokenFor(fn, bob);
    const [header, payload, signature] = (await tokenFor(fn, ada)).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, jti: 'other' })).toString('base64url')}.${signature}`;
    for (const token of [stranger.issue(ada, Date.now()), tampered, bobsToken]) {
      const { result, line } = await report(fn, ada, { token, outcome: 'cancelled' });
      expect(result.statusCode).toBe(403);
      expect(result.body).toBe('{"message":"Forbidden"}');
      expect(line).toMatchObject({ outcome: 'token_mismatch', source: 'bearer' });
    }
    expect(await stateOf(ada)).toMatchObject({ tokens: 1 });
    expect((await stateOf(ada))?.declines).toBeUndefined();
    expect((await stateOf(bob))?.declines).toBeUndefined();
  });

  it('409 already_reported: a token reported twice counts once', async () => {
    const fn = await policyFunction();
    const email = newUser('twice');
    const token = await tokenFor(fn, email);
    expect((await report(fn, email, { token, outcome: 'cancelled' })).result.statusCode).toBe(204);
    const { result, line } = await report(fn, email, { token, outcome: 'cancelled' });
    expect(result.statusCode).toBe(409);
    expect(result.body).toBe('{"message":"Conflict"}');
    expect(line).toMatchObject({ outcome: 'already_reported', status: 409 });
    expect(await stateOf(email)).toMatchObject({ declines: 1 });
  });
});

describe('token route: the policy says not now', () => {
  const skipCases: [string, Record<string, string>, string | undefined][] = [
    ['snoozed', {}, 'cancelled'],
    ['declined', { POLICY_MAX_DECLINES: '1' }, 'cancelled'],
    ['failing', { POLICY_MAX_FAILURES: '1' }, 'failed'],
    ['enrolled', { POLICY_AFTER_ENROLLED: 'stop' }, 'enrolled'],
    ['not_in_rollout', { POLICY_ROLLOUT_PERCENT: '0' }, undefined],
  ];
  it.each(skipCases)('204 Enrollment-Skip: %s', async (reason, settings, outcome) => {
    const fn = await policyFunction(settings);
    const email = newUser(reason);
    if (outcome !== undefined) {
      const token = await tokenFor(fn, email);
      expect((await report(fn, email, { token, outcome })).result.statusCode).toBe(204);
    }
    const { result, line } = await askToken(fn, email);
    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(result.headers).toMatchObject({
      'Enrollment-Skip': reason,
      'Access-Control-Allow-Origin': ALLOWED_ORIGIN,
      'Access-Control-Expose-Headers': 'Enrollment-Skip, Retry-After',
    });
    expect(line).toMatchObject({ outcome: 'skipped', skipReason: reason, status: 204, policy: 'applied' });
  });

  it('`enrolled` keeps asking by default (other devices)', async () => {
    const fn = await policyFunction();
    const email = newUser('enrolled');
    const token = await tokenFor(fn, email);
    await report(fn, email, { token, outcome: 'enrolled' });
    expect((await askToken(fn, email)).result.statusCode).toBe(200);
  });

  it('429 with a computed Retry-After over the per-user hourly limit; another user is unaffected', async () => {
    const fn = await policyFunction({ POLICY_MAX_TOKENS_PER_HOUR: '2' });
    const ada = newUser('busy');
    await tokenFor(fn, ada);
    await tokenFor(fn, ada);
    const { result, line } = await askToken(fn, ada);
    expect(result.statusCode).toBe(429);
    expect(result.body).toBe('{"message":"Too Many Requests"}');
    const retryAfter = Number(result.headers['Retry-After']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(line).toMatchObject({ outcome: 'rate_limited', status: 429, emailHash: userHash(ada, hashKey) });
    expect((await askToken(fn, newUser('calm'))).result.statusCode).toBe(200);
  });

  it("two users never affect each other: one's cancel does not snooze the other", async () => {
    const fn = await policyFunction();
    const ada = newUser('ada');
    const bob = newUser('bob');
    const token = await tokenFor(fn, ada);
    await report(fn, ada, { token, outcome: 'cancelled' });
    expect((await askToken(fn, ada)).result.headers['Enrollment-Skip']).toBe('snoozed');
    const { result, line } = await askToken(fn, bob);
    expect(result.statusCode).toBe(200);
    expect(line).toMatchObject({ outcome: 'issued', policy: 'applied' });
  });
});

describe('the store slow or down', () => {
  it('token route fails open while the store hangs: token issued within the deadline, `policy: unavailable` logged', async () => {
    const fn = await policyFunction({ POLICY_STORE_TIMEOUT_MS: '100' });
    const email = newUser('hang');
    dynamo.hang();
    try {
      const started = performance.now();
      const { result, line } = await askToken(fn, email);
      expect(result.statusCode).toBe(200);
      expect(performance.now() - started).toBeLessThan(1500);
      expect(line).toMatchObject({
        outcome: 'issued',
        policy: 'unavailable',
        detail: 'policy store: timeout',
      });
    } finally {
      dynamo.resume();
    }
  });

  it('down: the token route fails open, the outcome route answers 503 with Retry-After', async () => {
    const down = await startLocalDynamo('down-table');
    const fn = await policyFunction({}, down);
    const email = newUser('down');
    const token = await tokenFor(fn, email);
    await down.down();
    try {
      const asked = await askToken(fn, email);
      expect(asked.result.statusCode).toBe(200);
      expect(asked.line).toMatchObject({ outcome: 'issued', policy: 'unavailable' });
      const { result, line } = await report(fn, email, { token, outcome: 'enrolled' });
      expect(result.statusCode).toBe(503);
      expect(result.body).toBe('{"message":"Service Unavailable"}');
      expect(result.headers['Retry-After']).toBe('5');
      expect(line).toMatchObject({ outcome: 'policy_unavailable', status: 503, route: 'outcome' });
    } finally {
      await down.stop();
    }
  });
});

describe('no table configured', () => {
  it('the token route applies no state (rollout only) and the outcome route verifies and logs, never 409', async () => {
    const fn = await policyFunction({}, null);
    const email = newUser('stateless');
    const { line } = await askToken(fn, email);
    expect(line).toMatchObject({ outcome: 'issued', policy: 'no_store' });
    const token = await tokenFor(fn, email);
    for (let i = 0; i < 2; i++) {
      const reported = await report(fn, email, { token, outcome: 'cancelled' });
      expect(reported.result.statusCode).toBe(204);
      expect(reported.line).toMatchObject({ outcome: 'outcome_recorded', stored: false });
    }
    expect((await askToken(fn, email)).result.statusCode).toBe(200);
    expect(
      (await report(fn, email, { token: stranger.issue(email, Date.now()), outcome: 'failed' })).result
        .statusCode,
    ).toBe(403);
  });

  it('rollout applies without a table (it needs no state)', async () => {
    const fn = await policyFunction({ POLICY_ROLLOUT_PERCENT: '0' }, null);
    const { result, line } = await askToken(fn, newUser('out'));
    expect(result.headers['Enrollment-Skip']).toBe('not_in_rollout');
    expect(line).toMatchObject({ policy: 'no_store', skipReason: 'not_in_rollout' });
  });
});

describe('preflight and wrong methods on the outcome route', () => {
  it('answers OPTIONS and 405 as on the token route', async () => {
    const fn = await policyFunction();
    const preflight = await fn.invoke(
      restEvent({ method: 'OPTIONS', path: '/enrollment-outcome', headers: { Origin: ALLOWED_ORIGIN } }),
    );
    expect(preflight.statusCode).toBe(204);
    const get = await fn.invoke(restEvent({ method: 'GET', path: '/enrollment-outcome' }));
    expect(get.statusCode).toBe(405);
    expect(lastLine(fn)).toMatchObject({ outcome: 'method_not_allowed', route: 'outcome' });
  });
});
