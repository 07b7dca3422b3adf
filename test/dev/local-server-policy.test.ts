// The local server's part in the prompt policy, over HTTP: the embedded state store (dynalite, the
// table made like the stack's), the outcome route handed to the function as API Gateway would hand
// it, and the dev-only policy endpoints behind the demo's panel, which read and reset what the
// function's own store code wrote under the function's own user hash.
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../dev/local-server.ts';
import { importOwnIdPrivateKey } from '../../functions/generate-auth-token/operator-api.ts';
import { DEFAULT_POLICY_SETTINGS } from '../../functions/generate-auth-token/policy/prompt-policy.ts';
import { createPolicyStore } from '../../functions/generate-auth-token/policy/state-store.ts';
import { userHash } from '../../functions/generate-auth-token/policy/user-hash.ts';
import { ADA, demoLogin } from '../support/demo-login.ts';
import { type LocalDynamo, localDynamoClient, startLocalDynamo } from '../support/dynalite.ts';
import { baseEnv, removeTempDirs, tempDir } from '../support/local-server-harness.ts';

const GRACE = { email: 'grace@example.com', password: ADA.password };

afterAll(removeTempDirs);

/** The store key the function uses for `email`: its keyed hash, from the key it signs with. */
async function functionUserHash(server: LocalServer, email: string): Promise<string> {
  const keyFile = server.settings.functionEnv.OWNID_PRIVATE_KEY_FILE ?? '';
  const { logHashKey } = await importOwnIdPrivateKey(readFileSync(keyFile, 'utf8'));
  return userHash(email, logHashKey);
}

const policyState = (server: LocalServer, cookie?: string) =>
  fetch(`${server.url}/dev/policy-state`, { headers: cookie === undefined ? {} : { Cookie: cookie } });

const policyReset = (server: LocalServer, cookie: string, origin = server.url) =>
  fetch(`${server.url}/dev/policy-reset`, { method: 'POST', headers: { Cookie: cookie, Origin: origin } });

/** A GET with a Host header fetch would not let us set (a DNS-rebinding page sends its own name). */
function getWithHost(server: LocalServer, path: string, host: string, cookie: string) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, headers: { Host: host, Cookie: cookie } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('zero-config: the embedded state store and the policy panel endpoints', () => {
  let server: LocalServer;
  let logs: string[];

  beforeAll(async () => {
    logs = [];
    server = await startLocalServer({
      port: 0,
      env: baseEnv,
      devDir: join(tempDir(), '.local'),
      rateLimit: false,
      onFunctionLog: (line) => logs.push(line),
    });
  });
  afterAll(() => server.close());

  it('runs dynalite on loopback with the table made as the stack makes it, and points the function at it', async () => {
    const store = server.embeddedStore;
    expect(store?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { Table } = await (store?.client.send(new DescribeTableCommand({ TableName: store.tableName })) ??
      Promise.reject(new Error('no embedded store')));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(server.settings.functionEnv).toMatchObject({
      ENROLLMENT_STATE_TABLE: store?.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: store?.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    expect(server.settings.stateStore).toContain('embedded dynalite');
  });

  it('shows the signed-in user the state the function stored under its hash, and resets it', async () => {
    const { cookie } = await demoLogin(server);
    const empty = await policyState(server, cookie);
    expect(empty.status).toBe(200);
    const hash = await functionUserHash(server, ADA.email);
    expect(await empty.json()).toMatchObject({
      userKey: `user#${hash}`,
      stored: false,
      declines: 0,
      snoozedUntil: null,
      inRollout: true,
      nextRequest: { answer: 200 },
    });

    // What the function's outcome route writes for a Cancel, through the function's store code.
    const store = createPolicyStore({
      client: localDynamoClient(server.embeddedStore?.endpoint ?? ''),
      tableName: server.embeddedStore?.tableName ?? '',
      settings: DEFAULT_POLICY_SETTINGS,
      timeoutMs: 2000,
    });
    const cancelledAt = Date.now();
    await store.countTokenRequest(hash, cancelledAt);
    await store.recordOutcome(hash, 'jti-1', 'cancelled', cancelledAt);

    const snoozed = await (await policyState(server, cookie)).json();
    expect(snoozed).toMatchObject({
      stored: true,
      lastOutcome: 'cancelled',
      declines: 1,
      tokensThisHour: 1,
      nextRequest: { answer: 204, skip: 'snoozed' },
      settings: DEFAULT_POLICY_SETTINGS,
    });
    const until = Date.parse(snoozed.snoozedUntil);
    expect(until - cancelledAt).toBeGreaterThan(14 * 86_400_000 - 2000);
    expect(until - cancelledAt).toBeLessThanOrEqual(14 * 86_400_000);
    expect(snoozed.rolloutBucket).toBeGreaterThanOrEqual(0);
    expect(snoozed.rolloutBucket).toBeLessThan(10_000);

    // Another user's state is not this user's.
    const grace = await demoLogin(server, GRACE);
    expect(await (await policyState(server, grace.cookie)).json()).toMatchObject({
      stored: false,
      declines: 0,
    });

    const reset = await policyReset(server, cookie);
    expect(reset.status).toBe(200);
    expect(await reset.json()).toMatchObject({ stored: false, declines: 0, snoozedUntil: null });
    expect(await store.readState(hash)).toBeUndefined();
    // The raw email never reaches a log line.
    expect(logs.join('\n')).not.toContain(ADA.email);
  });

  it('hands the outcome route to the function: a reported Cancel snoozes the next token request', async () => {
    const { cookie } = await demoLogin(server, GRACE);
    const headers = { Cookie: cookie, Origin: server.url };
    const issued = await fetch(`${server.url}/generate-auth-token`, { method: 'POST', headers });
    expect(issued.status).toBe(200);
    const { token } = (await issued.json()) as { token: string };

    const report = (body: unknown, extra: Record<string, string> = headers) =>
      fetch(`${server.url}/enrollment-outcome`, {
        method: 'POST',
        headers: { ...extra, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await report({ token, outcome: 'cancelled' }, { Origin: server.url })).status).toBe(401);
    const recorded = await report({ token, outcome: 'cancelled' });
    expect(recorded.status).toBe(204);
    expect(recorded.headers.get('access-control-allow-origin')).toBe(server.url);
    expect((await report({ token, outcome: 'cancelled' })).status).toBe(409);

    const skipped = await fetch(`${server.url}/generate-auth-token`, { method: 'POST', headers });
    expect(skipped.status).toBe(204);
    expect(skipped.headers.get('enrollment-skip')).toBe('snoozed');
    expect(skipped.headers.get('access-control-expose-headers')).toContain('Enrollment-Skip');

    expect(await (await policyState(server, cookie)).json()).toMatchObject({
      lastOutcome: 'cancelled',
      declines: 1,
      tokensThisHour: 2,
      snoozedUntil: expect.any(String),
      nextRequest: { answer: 204, skip: 'snoozed' },
    });
    const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.route === 'outcome').map((line) => line.status)).toEqual([
      401, 204, 409,
    ]);
  });

  it('answers only a demo session, from the demo origin and host, with the right method', async () => {
    const { cookie } = await demoLogin(server);
    expect((await policyState(server)).status).toBe(401);
    expect((await policyState(server, 'demo_session=forged.jwt.value')).status).toBe(401);
    expect((await policyReset(server, cookie, 'https://evil.example')).status).toBe(403);
    const noOrigin = await fetch(`${server.url}/dev/policy-reset`, {
      method: 'POST',
      headers: { Cookie: cookie },
    });
    expect(noOrigin.status).toBe(403);
    expect((await fetch(`${server.url}/dev/policy-reset`, { headers: { Cookie: cookie } })).status).toBe(405);
    expect(await getWithHost(server, '/dev/policy-state', 'rebound.example:80', cookie)).toBe(403);
    expect(await getWithHost(server, '/dev/policy-state', `localhost:${server.port}`, cookie)).toBe(200);
    expect((await fetch(`${server.url}/dev/anything-else`)).status).toBe(404);
  });
});

describe('a state table the user configured', () => {
  let dynamo: LocalDynamo;
  let server: LocalServer;

  beforeAll(async () => {
    dynamo = await startLocalDynamo('their-table');
    server = await startLocalServer({
      port: 0,
      env: {
        ...baseEnv,
        ENROLLMENT_STATE_TABLE: dynamo.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        POLICY_MAX_DECLINES: '5',
      },
      devDir: join(tempDir(), '.local'),
      rateLimit: false,
      onFunctionLog: () => undefined,
    });
  });
  afterAll(async () => {
    await server?.close();
    await dynamo?.stop();
  });

  it('starts no dynalite of its own, hands the function their settings, and the panel reads their table and settings', async () => {
    expect(server.embeddedStore).toBeUndefined();
    expect(server.settings.functionEnv).toMatchObject({
      ENROLLMENT_STATE_TABLE: 'their-table',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    });
    const hash = await functionUserHash(server, ADA.email);
    const store = createPolicyStore({
      client: dynamo.client,
      tableName: dynamo.tableName,
      settings: DEFAULT_POLICY_SETTINGS,
    });
    await store.recordOutcome(hash, 'jti-2', 'enrolled', Date.now());
    const { cookie } = await demoLogin(server);
    expect(await (await policyState(server, cookie)).json()).toMatchObject({
      table: 'their-table',
      // The panel reads the POLICY_* settings the function runs with.
      settings: { maxDeclines: 5, snoozeDays: 14 },
      lastOutcome: 'enrolled',
      enrolledAt: expect.any(String),
    });
  });
});

describe('the outcome route', () => {
  // Answers with what it was given, so the test sees the event the local server built.
  const ECHO_BUNDLE = `
export const handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ resource: event.resource, path: event.path, method: event.httpMethod, body: event.body, cookie: event.headers.Cookie ?? null }),
});
`;
  let server: LocalServer;

  beforeAll(async () => {
    const dir = tempDir();
    const bundlePath = join(dir, 'echo.mjs');
    writeFileSync(bundlePath, ECHO_BUNDLE);
    server = await startLocalServer({
      port: 0,
      env: baseEnv,
      devDir: join(dir, '.local'),
      bundlePath,
      rateLimit: { requests: 3, windowMs: 60_000 },
      onFunctionLog: () => undefined,
    });
  });
  afterAll(() => server.close());

  it('goes to the function as a REST proxy event for /enrollment-outcome, body and cookies as sent', async () => {
    const body = JSON.stringify({ outcome: 'cancelled', token: 'a.b.c' });
    const response = await fetch(`${server.url}/enrollment-outcome`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: 'demo_session=x', Origin: server.url },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      resource: '/enrollment-outcome',
      path: '/enrollment-outcome',
      method: 'POST',
      body,
      cookie: 'demo_session=x',
    });
    const preflight = await fetch(`${server.url}/enrollment-outcome`, { method: 'OPTIONS' });
    expect(await preflight.json()).toMatchObject({ resource: '/enrollment-outcome', method: 'OPTIONS' });
    // Only the exact path: a look-alike is the demo site's 404.
    expect((await fetch(`${server.url}/enrollment-outcome/`, { method: 'POST' })).status).toBe(404);
  });

  it('shares the token endpoint per-client limit (POST counts, the preflight does not)', async () => {
    const statuses: number[] = [];
    // One POST was counted by the test above; two more reach the limit of 3.
    statuses.push((await fetch(`${server.url}/generate-auth-token`, { method: 'POST' })).status);
    statuses.push((await fetch(`${server.url}/enrollment-outcome`, { method: 'POST' })).status);
    statuses.push((await fetch(`${server.url}/enrollment-outcome`, { method: 'OPTIONS' })).status);
    const limited = await fetch(`${server.url}/enrollment-outcome`, { method: 'POST' });
    statuses.push(limited.status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(limited.headers.get('retry-after')).toBe('60');
  });
});
