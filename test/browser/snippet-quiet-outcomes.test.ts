// The built snippet in Chromium when the enrollment does not happen (cancel, skip, every failure): the page
// stays as it was, onEvent hears one event, and a failure leaves one console warning.
// The host page: test/support/snippet-enroll-page.ts.
import { describe, expect, it } from 'vitest';
import type * as Snippet from '../../web-snippet/src/index.ts';
import {
  ENDPOINT,
  type EnrollArgs,
  enroll,
  TOKEN_BODY,
  useEnrollHostPage,
} from '../support/snippet-enroll-page.ts';
import { findClosedPort, type RouteResponse } from '../support/static-server.ts';

const host = useEnrollHostPage();

interface QuietCase {
  name: string;
  path?: string;
  endpoint?: RouteResponse;
  args?: EnrollArgs | (() => Promise<EnrollArgs>);
  outcome: Snippet.EnrollmentOutcome;
  event: Record<string, unknown>;
  /** Whether OwnID's enrollCredential is reached. */
  sdkCalled?: boolean;
}

const quietCases: QuietCase[] = [
  {
    name: 'the user cancels',
    args: { behaviour: { result: {} } },
    outcome: 'cancelled',
    event: { type: 'cancelled' },
    sdkCalled: true,
  },
  {
    name: 'HTTP 401 (no session)',
    endpoint: { status: 401, body: { message: 'Unauthorized' } },
    outcome: 'skipped',
    event: { type: 'skipped', reason: 'no_session' },
  },
  // 429 is a skip (rate_limited): see snippet-outcome-report.test.ts.
  ...[403, 500, 503].map(
    (status): QuietCase => ({
      name: `HTTP ${status}`,
      endpoint: { status, body: { message: 'nope' } },
      outcome: 'failed',
      event: { type: 'failed', reason: 'http_error', status },
    }),
  ),
  {
    name: 'the endpoint is on a closed port',
    args: async () => ({ options: { endpoint: `http://127.0.0.1:${await findClosedPort()}${ENDPOINT}` } }),
    outcome: 'failed',
    event: { type: 'failed', reason: 'network', hasError: true },
  },
  {
    name: 'the connection drops',
    endpoint: { destroy: true },
    outcome: 'failed',
    event: { type: 'failed', reason: 'network', hasError: true },
  },
  {
    name: 'the endpoint is slower than timeoutMs',
    endpoint: { body: TOKEN_BODY, delayMs: 3000 },
    args: { options: { timeoutMs: 200 } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'timeout' },
  },
  {
    name: 'the body is not JSON',
    endpoint: { headers: { 'content-type': 'application/json' }, body: '{"email": "ada@' },
    outcome: 'failed',
    event: { type: 'failed', reason: 'bad_response', hasError: true },
  },
  ...[
    { email: 'ada@example.com' },
    { token: 't' },
    { email: '', token: 't' },
    { email: 'a@b.c', token: 7 },
    null,
  ].map(
    (body): QuietCase => ({
      name: `the body is ${JSON.stringify(body)}`,
      endpoint: { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
      outcome: 'failed',
      event: { type: 'failed', reason: 'bad_response' },
    }),
  ),
  {
    name: 'getAuthorization() throws',
    args: { bearer: 'throw' },
    outcome: 'failed',
    event: { type: 'failed', reason: 'authorization', hasError: true },
  },
  {
    name: 'OwnID answers with an error',
    args: { behaviour: { result: { error: { code: 'ENROLL_FAILED' }, message: 'Enrollment failed' } } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'sdk_error', message: 'Enrollment failed', hasError: true },
    sdkCalled: true,
  },
  {
    name: 'OwnID resolves with nothing',
    args: { behaviour: { result: null } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'sdk_error', hasError: false },
    sdkCalled: true,
  },
  {
    name: 'OwnID throws',
    args: { behaviour: { throws: 'SDK exploded' } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'sdk_threw', hasError: true },
    sdkCalled: true,
  },
  {
    name: 'the OwnID SDK never loads',
    path: '/no-sdk.html',
    args: { options: { sdkWaitMs: 200 } },
    outcome: 'failed',
    event: { type: 'failed', reason: 'sdk_missing' },
  },
];

describe('nothing visible when', () => {
  it.each(quietCases)('$name', async ({ path, endpoint, args, outcome, event, sdkCalled = false }) => {
    if (endpoint) host.server.route(ENDPOINT, endpoint);
    const { page, problems } = await host.open(path);
    const result = await enroll(page, typeof args === 'function' ? await args() : args);

    expect(result).toMatchObject({ outcome, toasts: 0, pageChanged: false, sdkCalls: sdkCalled ? 1 : 0 });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject(event);
    // Failures leave one concise console warning; cancel and skip stay silent.
    const warnings = problems
      .consoleOf('warning', 'error')
      .filter((m) => !m.text.startsWith('Failed to load resource'));
    expect(warnings).toHaveLength(outcome === 'failed' ? 1 : 0);
    if (outcome === 'failed')
      expect(warnings[0]?.text).toContain(`OwnIDEnroll: passkey enrollment failed: ${event.reason}`);
  });
});
