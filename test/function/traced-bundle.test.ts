// The traced bundle (what the stack deploys with `tracing: true`), loaded the way Lambda loads it and
// invoked the way Lambda invokes it with active tracing: the runtime sets _X_AMZN_TRACE_ID per
// invocation and the subsegments go over UDP to the X-Ray daemon, here a socket on 127.0.0.1. What an
// operator would see in the X-Ray console is what reaches that socket.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_PATH } from '../../contract/http.ts';
import { gzipBytes, lambdaBundlePath, tracedLambdaBundlePath } from '../../scripts/esbuild-config.ts';
import { type LocalDynamo, startLocalDynamo } from '../support/dynalite.ts';
import {
  type EventBridgeStandIn,
  eventBridgeEnv,
  startEventBridgeStandIn,
} from '../support/eventbridge-stand-in.ts';
import { restEvent } from '../support/events.ts';
import { publicJwk, rsaKey } from '../support/keys.ts';
import { ALLOWED_ORIGIN, ISSUER_KID, issuerSession, type Stand, startStand } from '../support/scenario.ts';
import {
  introspectionOnlyEnv,
  type SiteSessionEndpoint,
  startSiteSessionEndpoint,
} from '../support/site-session-endpoint.ts';
import {
  LAMBDA_TRACING_ENV,
  startXRayDaemonStandIn,
  type XRayDaemonStandIn,
  type XRaySubsegment,
} from '../support/xray-daemon-stand-in.ts';

// Runs in the child. Like the Lambda runtime: no trace id during init, a fresh one per invocation.
const LOADER = `
const { handler } = await import(process.env.BUNDLE_URL);
// Init is over: the parent may change the world (rotate a key) before the first invocation.
process.stdout.write('READY\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();
const events = JSON.parse(process.env.EVENTS_JSON);
const results = [];
let token = '';
for (const [index, event] of events.entries()) {
  process.env._X_AMZN_TRACE_ID = 'Root=1-67a0b1c2-' + String(index + 1).padStart(24, '0') + ';Parent=53995c3f42cd8ad8;Sampled=1';
  if (typeof event.body === 'string') event.body = event.body.replace('ISSUED_TOKEN', token);
  const context = { awsRequestId: 'traced-' + index, functionName: 'enrollment', getRemainingTimeInMillis: () => 5000 };
  const result = await handler(event, context);
  if (result.body) token = JSON.parse(result.body).token ?? token;
  results.push(result);
}
process.stdout.write('RESULT ' + JSON.stringify(results) + '\\n');
`;

let stand: Stand;
let dynamo: LocalDynamo;
let eventBridge: EventBridgeStandIn;
let site: SiteSessionEndpoint;
let daemon: XRayDaemonStandIn;
beforeAll(async () => {
  [stand, dynamo, eventBridge, site, daemon] = await Promise.all([
    startStand(),
    startLocalDynamo('traced-state'),
    startEventBridgeStandIn(),
    startSiteSessionEndpoint(),
    startXRayDaemonStandIn(),
  ]);
});
afterAll(() =>
  Promise.all([stand.close(), dynamo.stop(), eventBridge.close(), site.close(), daemon.close()]),
);

/** Starts the bundle (its init), runs `afterInit`, then invokes it once per event. */
async function invokeTraced(env: Record<string, string>, events: object[], afterInit = () => {}) {
  daemon.received.length = 0;
  const child = spawn(process.execPath, ['--input-type=module', '-e', LOADER], {
    env: {
      PATH: process.env.PATH,
      ...env,
      ...LAMBDA_TRACING_ENV,
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      BUNDLE_URL: new URL(`file://${tracedLambdaBundlePath}`).href,
      EVENTS_JSON: JSON.stringify(events),
    },
    timeout: 20_000,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('READY\n')) resolve();
    }),
  );
  afterInit();
  child.stdin.end('go\n');
  expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
  stdout = stdout.replace('READY\n', '');
  // Subsegments are sent as each one closes; give the last datagrams a moment on loopback.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const lines = stdout.trim().split('\n');
  const results = JSON.parse(lines.find((line) => line.startsWith('RESULT '))!.slice(7));
  const logs = lines.filter((line) => !line.startsWith('RESULT ')).map((line) => JSON.parse(line));
  return { results, logs, subsegments: daemon.documents(), datagrams: daemon.received.join('\n') };
}

const INVOCATION_PARENT = '53995c3f42cd8ad8';

/**
 * [invocation, name, what, status] per subsegment, in the order of each trace's tree: the handler
 * subsegment (a child of Lambda's function segment), then the calls made under it, each a child of it.
 */
function callsOf(subsegments: readonly XRaySubsegment[]) {
  const rows: [number, string, string, number | undefined][] = [];
  for (const handler of subsegments.filter((s) => s.name === '## index.handler')) {
    const invocation = Number(handler.trace_id.slice(-2));
    expect(handler.trace_id).toBe(`1-67a0b1c2-${String(invocation).padStart(24, '0')}`);
    expect(handler.parent_id).toBe(INVOCATION_PARENT);
    rows.push([invocation, handler.name, `ColdStart=${handler.annotations?.ColdStart}`, undefined]);
    for (const call of subsegments.filter((s) => s.parent_id === handler.id)) {
      expect(call.trace_id).toBe(handler.trace_id);
      expect(call.end_time).toBeGreaterThanOrEqual(call.start_time);
      const what = call.aws?.operation ?? call.annotations?.call;
      rows.push([invocation, call.name, String(what), call.http?.response?.status]);
    }
  }
  // Every subsegment sent is one of those: the calls made during init have no trace to join.
  expect(rows.length).toBe(subsegments.length);
  return rows;
}

describe('dist/functions/generate-auth-token-traced/index.mjs under active tracing', () => {
  it('carries X-Ray within its own budget (450 KB raw, 145 KB gzip); the default bundle carries none of it', () => {
    const traced = readFileSync(tracedLambdaBundlePath, 'utf8');
    expect(traced.length).toBeLessThanOrEqual(450 * 1024);
    expect(gzipBytes(tracedLambdaBundlePath)).toBeLessThanOrEqual(145 * 1024);
    // The X-Ray SDK's daemon variable, Powertools Tracer's switch, and the async hook behind cls-hooked.
    const markers = ['AWS_XRAY_DAEMON_ADDRESS', 'POWERTOOLS_TRACE_ENABLED', 'createHook'];
    const plain = readFileSync(lambdaBundlePath, 'utf8');
    for (const marker of markers) {
      expect(traced).toContain(marker);
      expect(plain).not.toContain(marker);
    }
  });

  it('sends a handler subsegment per invocation and one subsegment per JWKS, DynamoDB and EventBridge call', async () => {
    // A signing key the issuer rotates in after the cold start: the request downloads the JWKS again.
    const rotated = rsaKey('issuer-rotated');
    const rotate = () =>
      stand.jwks.keysByPath.set('/jwks.json', [
        publicJwk(stand.issuerKey.publicKey, ISSUER_KID),
        publicJwk(rotated.publicKey, 'issuer-key-2'),
      ]);
    const session = await issuerSession({ issuerKey: rotated }, {}, { kid: 'issuer-key-2' });
    const headers = { Authorization: `Bearer ${session}`, Origin: ALLOWED_ORIGIN };
    const { results, logs, subsegments, datagrams } = await invokeTraced(
      {
        ...stand.env,
        ...eventBridgeEnv(eventBridge.url),
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        ENROLLMENT_STATE_TABLE: dynamo.tableName,
        ENROLLMENT_EVENTS: 'true',
      },
      [
        restEvent({ headers }),
        restEvent({
          headers,
          path: OUTCOME_PATH,
          body: JSON.stringify({ outcome: 'enrolled', token: 'ISSUED_TOKEN' }),
        }),
      ],
      rotate,
    );
    expect(results.map((result: { statusCode: number }) => result.statusCode)).toEqual([200, 204]);
    expect(eventBridge.entries).toHaveLength(1);
    expect(logs.map((line) => line.outcome)).toEqual(['issued', 'outcome_recorded']);
    const jwksHost = new URL(stand.jwks.url).host;
    expect(callsOf(subsegments)).toEqual([
      [1, '## index.handler', 'ColdStart=true', undefined],
      [1, jwksHost, 'jwks', 200],
      [1, 'DynamoDB', 'UpdateItem', 200],
      [2, '## index.handler', 'ColdStart=false', undefined],
      [2, 'DynamoDB', 'PutItem', 200],
      [2, 'DynamoDB', 'UpdateItem', 200],
      [2, 'EventBridge', 'PutEvents', 200],
    ]);
    expect(subsegments.find((s) => s.name === jwksHost)).toMatchObject({
      namespace: 'remote',
      http: { request: { method: 'GET', url: `${stand.jwks.url}/jwks.json` }, response: { status: 200 } },
    });
    expect(subsegments.find((s) => s.name === 'DynamoDB')?.aws).toMatchObject({
      table_name: dynamo.tableName,
    });
    // Nothing of the answer, the session or the key: the response holds the enrollment token.
    const token = JSON.parse(results[0].body).token as string;
    expect(datagrams).not.toContain(token.split('.')[2]);
    expect(datagrams).not.toContain(session.split('.')[2]);
    expect(datagrams).not.toContain('ada@example.com');
    expect(datagrams).not.toMatch(/BEGIN|MII/);
    expect(JSON.stringify(logs)).not.toMatch(/X-Ray|xray|segment/i);
  });

  it('shows the session endpoint and the Secrets Manager read of its shared token, and a failing call as a fault', async () => {
    stand.secretsManager.secrets.set('site/introspection-token', 'shared-token-7d1f0c');
    const cookie = 'connect.sid=s%3Atraced-session-4e2a9b';
    site.answerFor = (cookieHeader) =>
      cookieHeader.includes('broken') ? { status: 503, body: { message: 'down' } } : undefined;
    const headers = { Cookie: cookie, Origin: ALLOWED_ORIGIN };
    const { results, subsegments, datagrams } = await invokeTraced(
      introspectionOnlyEnv(stand.env, site.url, {
        SESSION_INTROSPECTION_SECRET_ID: 'site/introspection-token',
      }),
      [restEvent({ headers }), restEvent({ headers: { ...headers, Cookie: 'connect.sid=broken' } })],
    );
    expect(results.map((result: { statusCode: number }) => result.statusCode)).toEqual([200, 503]);
    const siteHost = new URL(site.url).host;
    expect(callsOf(subsegments)).toEqual([
      [1, '## index.handler', 'ColdStart=true', undefined],
      [1, 'SecretsManager', 'GetSecretValue', 200],
      [1, siteHost, 'session-introspection', 200],
      [2, '## index.handler', 'ColdStart=false', undefined],
      [2, siteHost, 'session-introspection', 503],
    ]);
    const failed = subsegments.filter((s) => s.name === siteHost).at(-1);
    expect(failed).toMatchObject({ namespace: 'remote', fault: true, http: { request: { url: site.url } } });
    // The cookie and the shared token travel in headers, which are never recorded.
    expect(datagrams).not.toContain('traced-session-4e2a9b');
    expect(datagrams).not.toContain('shared-token-7d1f0c');
    expect(datagrams).not.toContain('ada@example.com');
  });
});
