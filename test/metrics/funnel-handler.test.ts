// The funnel through the handler: REST proxy events in, the one log line per request out, its
// Embedded Metric Format read as CloudWatch reads it (namespace, dimensions, unit, value) for every
// funnel step: issued, each skip reason, the per-user limit, each outcome, a store that fails. The
// state lives in dynalite and the Passkey Enrolled event goes to an EventBridge stand-in, both through
// the real AWS SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '../support/dynalite.ts';
import { type EmfMetric, readEmf } from '../support/emf.ts';
import {
  type EventBridgeStandIn,
  eventBridgeEnv,
  startEventBridgeStandIn,
} from '../support/eventbridge-stand-in.ts';
import { restEvent } from '../support/events.ts';
import {
  ALLOWED_ORIGIN,
  createTestFunction,
  issuerSession,
  type Stand,
  startStand,
  type TestFunction,
} from '../support/scenario.ts';

const NAMESPACE = 'OwnIdEnrollment/funnel-test';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let stand: Stand;
let dynamo: LocalDynamo;
let events: EventBridgeStandIn;
beforeAll(async () => {
  [stand, dynamo, events] = await Promise.all([startStand(), startLocalDynamo(), startEventBridgeStandIn()]);
});
afterAll(async () => {
  await Promise.all([stand.close(), dynamo.stop(), events.close()]);
});

let users = 0;
const newUser = (label: string) => `${label}-${++users}-${Date.now()}@example.com`;

async function funnelFunction(extra: Record<string, string> = {}) {
  const fn = createTestFunction({
    ...stand.env,
    ...eventBridgeEnv(events.url),
    ENROLLMENT_STATE_TABLE: dynamo.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    METRICS_NAMESPACE: NAMESPACE,
    ...extra,
  });
  await fn.runtime.warmUp();
  return fn;
}

interface Step {
  readonly status: number;
  readonly line: Record<string, unknown>;
  readonly metrics: EmfMetric[];
  readonly body: string;
}

function lastRequestLine(fn: TestFunction): Record<string, unknown> {
  const lines = fn.logs.filter((line) => line.includes('"message":"generate-auth-token"'));
  return JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
}

async function call(
  fn: TestFunction,
  email: string,
  userAgent: string,
  options: { path?: string; body?: unknown },
) {
  const before = fn.logs.length;
  const result = await fn.invoke(
    restEvent({
      ...(options.path === undefined ? {} : { path: options.path }),
      headers: {
        Authorization: `Bearer ${await issuerSession(stand, { email })}`,
        Origin: ALLOWED_ORIGIN,
        'User-Agent': userAgent,
        'Content-Type': 'application/json',
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    }),
  );
  // The metrics ride on the request's one line: never a second line of their own.
  const written = fn.logs.slice(before);
  expect(written.filter((line) => line.includes('"_aws"')).length).toBeLessThanOrEqual(1);
  expect(
    written.filter((line) => line.includes('"_aws"') && !line.includes('"message":"generate-auth-token"')),
  ).toEqual([]);
  const line = lastRequestLine(fn);
  return { status: result.statusCode, line, metrics: readEmf(line), body: result.body } satisfies Step;
}

const askToken = (fn: TestFunction, email: string, userAgent = IPHONE) => call(fn, email, userAgent, {});
const report = (fn: TestFunction, email: string, body: unknown, userAgent = IPHONE) =>
  call(fn, email, userAgent, { path: '/enrollment-outcome', body });

async function tokenFor(fn: TestFunction, email: string, userAgent = IPHONE) {
  const issued = await askToken(fn, email, userAgent);
  expect(issued.status).toBe(200);
  return (JSON.parse(issued.body) as { token: string }).token;
}

/** `Name{dimensions}=value` for each metric, sorted, after checking namespace, unit and timestamp. */
function summary(metrics: EmfMetric[]): string[] {
  for (const metric of metrics) {
    expect(metric.namespace).toBe(NAMESPACE);
    expect(metric.unit).toBe('Count');
    expect(metric.timestamp).toBeGreaterThan(Date.now() - 60_000);
  }
  return metrics.map((m) => `${m.name}${JSON.stringify(m.dimensions)}=${m.value}`).sort();
}

describe('the token route counts every answer of the funnel', () => {
  it('an issued token: token request and token issued, in total and by platform family', async () => {
    const fn = await funnelFunction();
    const step = await askToken(fn, newUser('issued'));
    expect(step.status).toBe(200);
    expect(summary(step.metrics)).toEqual([
      'TokenRequests{"PlatformFamily":"iOS"}=1',
      'TokenRequests{}=1',
      'TokensIssued{"PlatformFamily":"iOS"}=1',
      'TokensIssued{}=1',
    ]);
  });

  const skipCases = [
    ['snoozed', {}, 'cancelled'],
    ['declined', { POLICY_MAX_DECLINES: '1' }, 'cancelled'],
    ['failing', { POLICY_MAX_FAILURES: '1' }, 'failed'],
    ['enrolled', { POLICY_AFTER_ENROLLED: 'stop', ENROLLMENT_EVENTS: 'false' }, 'enrolled'],
  ] as const;
  it.each(skipCases)('a %s skip: by reason, and the token request', async (reason, env, outcome) => {
    const fn = await funnelFunction(env);
    const email = newUser(reason);
    expect((await report(fn, email, { token: await tokenFor(fn, email), outcome })).status).toBe(204);
    const step = await askToken(fn, email, WINDOWS);
    expect(step.status).toBe(204);
    expect(step.line).toMatchObject({ outcome: 'skipped', skipReason: reason });
    expect(summary(step.metrics)).toEqual([
      `PromptsSkipped{"SkipReason":"${reason}"}=1`,
      'PromptsSkipped{}=1',
      'TokenRequests{"PlatformFamily":"Windows"}=1',
      'TokenRequests{}=1',
    ]);
  });

  it('a not_in_rollout skip (no store call): by reason, and the token request', async () => {
    const fn = await funnelFunction({ POLICY_ROLLOUT_PERCENT: '0' });
    const step = await askToken(fn, newUser('rollout'));
    expect(step.status).toBe(204);
    expect(summary(step.metrics)).toContain('PromptsSkipped{"SkipReason":"not_in_rollout"}=1');
  });

  it('over the per-user limit: a limit hit, and the token request', async () => {
    const fn = await funnelFunction({ POLICY_MAX_TOKENS_PER_HOUR: '1' });
    const email = newUser('limit');
    await tokenFor(fn, email);
    const step = await askToken(fn, email);
    expect(step.status).toBe(429);
    expect(summary(step.metrics)).toEqual([
      'PerUserLimitHits{}=1',
      'TokenRequests{"PlatformFamily":"iOS"}=1',
      'TokenRequests{}=1',
    ]);
  });

  it('a refusal counts nothing: no session is not an eligible device', async () => {
    const fn = await funnelFunction();
    const result = await fn.invoke(restEvent({ headers: { Origin: ALLOWED_ORIGIN, 'User-Agent': IPHONE } }));
    expect(result.statusCode).toBe(401);
    expect(readEmf(lastRequestLine(fn))).toEqual([]);
    expect(lastRequestLine(fn)).not.toHaveProperty('_aws');
  });
});

describe('the outcome route counts every recorded outcome', () => {
  it.each(['enrolled', 'cancelled', 'failed'] as const)(
    '%s: by outcome, and by outcome and platform family',
    async (outcome) => {
      const fn = await funnelFunction({ ENROLLMENT_EVENTS: 'false' });
      const email = newUser(outcome);
      const step = await report(fn, email, { token: await tokenFor(fn, email), outcome }, WINDOWS);
      expect(step.status).toBe(204);
      expect(summary(step.metrics)).toEqual([
        `EnrollmentOutcomes{"EnrollmentOutcome":"${outcome}","PlatformFamily":"Windows"}=1`,
        `EnrollmentOutcomes{"EnrollmentOutcome":"${outcome}"}=1`,
      ]);
    },
  );

  it('ineligible (no token): by outcome and platform family', async () => {
    const fn = await funnelFunction();
    const step = await report(fn, newUser('ineligible'), { outcome: 'ineligible' }, 'curl/8.5.0');
    expect(step.status).toBe(204);
    expect(summary(step.metrics)).toEqual([
      'EnrollmentOutcomes{"EnrollmentOutcome":"ineligible","PlatformFamily":"other"}=1',
      'EnrollmentOutcomes{"EnrollmentOutcome":"ineligible"}=1',
    ]);
  });

  it('a replayed report (409) counts nothing', async () => {
    const fn = await funnelFunction({ ENROLLMENT_EVENTS: 'false' });
    const email = newUser('replay');
    const body = { token: await tokenFor(fn, email), outcome: 'cancelled' };
    await report(fn, email, body);
    const step = await report(fn, email, body);
    expect(step.status).toBe(409);
    expect(step.metrics).toEqual([]);
  });
});

describe('a store that fails', () => {
  it('token route: fails open, counts the issued token and the store failure', async () => {
    const fn = await funnelFunction({ ENROLLMENT_STATE_TABLE: 'no-such-table' });
    const step = await askToken(fn, newUser('store-down'));
    expect(step.status).toBe(200);
    expect(step.line).toMatchObject({ policy: 'unavailable' });
    expect(summary(step.metrics)).toEqual([
      'PolicyStoreFailures{}=1',
      'TokenRequests{"PlatformFamily":"iOS"}=1',
      'TokenRequests{}=1',
      'TokensIssued{"PlatformFamily":"iOS"}=1',
      'TokensIssued{}=1',
    ]);
  });

  it('outcome route: 503 counts the store failure and no outcome', async () => {
    const fn = await funnelFunction({ ENROLLMENT_STATE_TABLE: 'no-such-table' });
    const email = newUser('store-down');
    const token = await tokenFor(fn, email);
    const calls = events.calls;
    const step = await report(fn, email, { token, outcome: 'enrolled' });
    expect(step.status).toBe(503);
    expect(summary(step.metrics)).toEqual(['PolicyStoreFailures{}=1']);
    // Not recorded, so not announced.
    expect(events.calls).toBe(calls);
  });
});

describe('the Passkey Enrolled event', () => {
  it('goes to the default bus once per recorded enrolled, with the hash of the log line, never the email', async () => {
    const fn = await funnelFunction();
    const email = newUser('event');
    const before = events.entries.length;
    const step = await report(fn, email, { token: await tokenFor(fn, email), outcome: 'enrolled' });
    expect(step.status).toBe(204);
    const sent = events.entries.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ Source: 'ownid.passkey-enrollment', DetailType: 'Passkey Enrolled' });
    const detail = JSON.parse(sent[0]?.Detail ?? '{}') as Record<string, unknown>;
    expect(detail).toEqual({
      userHash: step.line.emailHash,
      enrolledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      platformFamily: 'iOS',
    });
    expect(JSON.stringify(sent)).not.toContain(email);
    // cancelled and failed announce nothing.
    const other = newUser('no-event');
    await report(fn, other, { token: await tokenFor(fn, other), outcome: 'cancelled' });
    expect(events.entries.slice(before)).toHaveLength(1);
  });

  it('a failed put is one WARN line and the report is still 204', async () => {
    const fn = await funnelFunction();
    const email = newUser('event-fails');
    events.mode = 'internal-error';
    try {
      const step = await report(fn, email, { token: await tokenFor(fn, email), outcome: 'enrolled' });
      expect(step.status).toBe(204);
      expect(summary(step.metrics)).toContain('EnrollmentOutcomes{"EnrollmentOutcome":"enrolled"}=1');
      const warnings = fn.logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((l) => l.message === 'enrollment-event');
      expect(warnings).toEqual([
        expect.objectContaining({
          level: 'WARN',
          outcome: 'event_failed',
          detail: 'InternalException',
          emailHash: step.line.emailHash,
        }),
      ]);
    } finally {
      events.mode = 'ok';
    }
  });

  it('is not sent with ENROLLMENT_EVENTS=false', async () => {
    const fn = await funnelFunction({ ENROLLMENT_EVENTS: 'false' });
    const email = newUser('events-off');
    const calls = events.calls;
    expect((await report(fn, email, { token: await tokenFor(fn, email), outcome: 'enrolled' })).status).toBe(
      204,
    );
    expect(events.calls).toBe(calls);
  });
});
