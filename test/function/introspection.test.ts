// Opaque sessions: a real HTTP server on 127.0.0.1 plays the site's session endpoint.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import { ALLOWED_ORIGIN, createTestFunction, type Stand, startStand } from '../support/scenario.ts';
import { introspectionOnlyEnv } from '../support/site-session-endpoint.ts';

type SiteBehaviour = (res: ServerResponse, headers: IncomingHttpHeaders) => void;

let stand: Stand;
let siteUrl: string;
let behaviour: SiteBehaviour;
const received: IncomingHttpHeaders[] = [];
const hanging = new Set<ServerResponse>();
const site = createServer((req, res) => {
  received.push(req.headers);
  behaviour(res, req.headers);
});

const json =
  (status: number, body: unknown): SiteBehaviour =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
const validSession: SiteBehaviour = (res, headers) => {
  const ok = /(?:^|; )connect\.sid=s%3Avalid/.test(headers.cookie ?? '');
  json(ok ? 200 : 401, ok ? { email: 'ada@example.com', email_verified: true } : { error: 'no session' })(
    res,
    headers,
  );
};

beforeAll(async () => {
  stand = await startStand();
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/session`;
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  site.closeAllConnections();
  site.close();
  await stand.close();
});
beforeEach(() => {
  received.length = 0;
  behaviour = validSession;
});

const introspectionEnv = (extra: Record<string, string> = {}) =>
  introspectionOnlyEnv(stand.env, siteUrl, extra);

const withCookie = (cookie: string, headers: Record<string, string> = {}) =>
  restEvent({ headers: { Cookie: cookie, Origin: ALLOWED_ORIGIN, ...headers } });

describe('introspection session source', () => {
  it('a valid session: 200, only the named cookie forwarded, as sent', async () => {
    const fn = createTestFunction(introspectionEnv());
    const result = await fn.invoke(withCookie('_ga=GA1.2.3; connect.sid=s%3Avalid.sig; csrf=abc'));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).email).toBe('ada@example.com');
    expect(received).toHaveLength(1);
    expect(received[0]?.cookie).toBe('connect.sid=s%3Avalid.sig');
    expect(received[0]?.accept).toBe('application/json');
    expect(JSON.parse(fn.logs.at(-1)!)).toMatchObject({ outcome: 'issued', source: 'introspection' });
  });

  it('an expired session (401 from the site) is 401 no_session', async () => {
    const fn = createTestFunction(introspectionEnv());
    const result = await fn.invoke(withCookie('connect.sid=s%3Aexpired.sig'));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(fn.logs.at(-1)!).outcome).toBe('no_session');
  });

  it('no named cookie: 401 without calling the site', async () => {
    const fn = createTestFunction(introspectionEnv());
    const result = await fn.invoke(withCookie('other=1'));
    expect(result.statusCode).toBe(401);
    expect(received).toHaveLength(0);
  });

  it('a cookie session from a disallowed Origin: 403 without calling the site', async () => {
    const fn = createTestFunction(introspectionEnv());
    const result = await fn.invoke(withCookie('connect.sid=s%3Avalid.sig', { Origin: 'https://evil.test' }));
    expect(result.statusCode).toBe(403);
    expect(received).toHaveLength(0);
  });

  it.each<[string, SiteBehaviour, number, string]>([
    ['the site answering 500', json(500, { error: 'boom' }), 503, 'introspection_unavailable'],
    [
      'a redirect (not followed)',
      (res) => res.writeHead(302, { location: '/login' }).end(),
      503,
      'introspection_unavailable',
    ],
    [
      'HTML instead of JSON',
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'),
      503,
      'introspection_unavailable',
    ],
    [
      'a huge body',
      (res) => res.writeHead(200).end(JSON.stringify({ email: 'ada@example.com', pad: 'x'.repeat(100_000) })),
      503,
      'introspection_unavailable',
    ],
    ['a JSON array', json(200, ['ada@example.com']), 503, 'introspection_unavailable'],
    ['200 without an email', json(200, { user: 'ada' }), 503, 'introspection_unavailable'],
    [
      'an email with control characters',
      json(200, { email: 'ada@example.com\r\nBcc: x@evil.test' }),
      403,
      'email_invalid',
    ],
    [
      'email_verified false',
      json(200, { email: 'ada@example.com', email_verified: false }),
      403,
      'email_unverified',
    ],
    ['403 from the site', json(403, {}), 401, 'no_session'],
  ])('%s -> %i %s, never a token', async (_label, site, status, reason) => {
    behaviour = site;
    const fn = createTestFunction(introspectionEnv());
    const result = await fn.invoke(withCookie('connect.sid=s%3Avalid.sig'));
    expect(result.statusCode).toBe(status);
    expect(result.body).not.toContain('token');
    expect(JSON.parse(fn.logs.at(-1)!).outcome).toBe(reason);
    if (status === 503) expect(result.headers['Retry-After']).toBe('5');
  });

  it('a slow or hanging site is a 503 within the timeout', async () => {
    behaviour = (res) => hanging.add(res);
    const fn = createTestFunction(introspectionEnv({ SESSION_INTROSPECTION_TIMEOUT_MS: '300' }));
    const started = Date.now();
    const result = await fn.invoke(withCookie('connect.sid=s%3Avalid.sig'));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result.statusCode).toBe(503);
  });

  it('the site down (connection refused) is a 503', async () => {
    const fn = createTestFunction(
      introspectionEnv({ SESSION_INTROSPECTION_URL: 'http://127.0.0.1:9/session' }),
    );
    const result = await fn.invoke(withCookie('connect.sid=s%3Avalid.sig'));
    expect(result.statusCode).toBe(503);
  });

  it('sends the shared token from Secrets Manager in its header', async () => {
    stand.secretsManager.secrets.set('site/introspection-token', 'shared-token-123\n');
    behaviour = (res, headers) =>
      headers['x-ownid-enrollment-token'] === 'shared-token-123'
        ? json(200, { email: 'ada@example.com' })(res, headers)
        : json(401, {})(res, headers);
    const fn = createTestFunction(
      introspectionEnv({ SESSION_INTROSPECTION_SECRET_ID: 'site/introspection-token' }),
    );
    const result = await fn.invoke(withCookie('connect.sid=s%3Avalid.sig'));
    expect(result.statusCode).toBe(200);
  });

  it('caches positive answers by a hash of the cookies, and expires them', async () => {
    let now = 1_800_000_000_000;
    const fn = createTestFunction(introspectionEnv({ SESSION_INTROSPECTION_CACHE_SECONDS: '5' }), {
      now: () => now,
    });
    for (let i = 0; i < 5; i++)
      expect((await fn.invoke(withCookie('connect.sid=s%3Avalid.sig'))).statusCode).toBe(200);
    expect(received).toHaveLength(1);
    // Another cookie value is another cache entry, and a refusal is never cached.
    expect((await fn.invoke(withCookie('connect.sid=s%3Aother.sig'))).statusCode).toBe(401);
    expect((await fn.invoke(withCookie('connect.sid=s%3Aother.sig'))).statusCode).toBe(401);
    expect(received).toHaveLength(3);
    now += 6000;
    expect((await fn.invoke(withCookie('connect.sid=s%3Avalid.sig'))).statusCode).toBe(200);
    expect(received).toHaveLength(4);
  });

  it('cache off by default: every request asks the site', async () => {
    const fn = createTestFunction(introspectionEnv());
    for (let i = 0; i < 3; i++) await fn.invoke(withCookie('connect.sid=s%3Avalid.sig'));
    expect(received).toHaveLength(3);
  });
});
