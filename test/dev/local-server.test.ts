// The local server over HTTP, started in-process on a free port with a temporary `.local/`: the
// endpoint served by the built bundle (run `npm run build` first), the demo login's cookie round
// trip, CORS, limits and the demo pages in zero-config dev mode. local-server-settings.test.ts has
// the opaque-session demo, real settings switching dev mode off, rate limits and startup.
import { createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../dev/local-server.ts';
import { ADA, demoLogin } from '../support/demo-login.ts';
import {
  ENDPOINT,
  post,
  rawRequest,
  removeTempDirs,
  type Started,
  start,
  tempDir,
} from '../support/local-server-harness.ts';

const login = demoLogin;

afterAll(removeTempDirs);

describe('zero-config dev mode (JWT session cookie)', () => {
  let devDir: string;
  let started: Started;
  let server: LocalServer;

  beforeAll(async () => {
    devDir = join(tempDir(), '.local');
    started = await start({ devDir });
    server = started.server;
  });
  afterAll(() => server.close());

  it('makes the dev keys under the dev folder, owner-only, the OwnID one as PKCS#1', () => {
    const keyPath = join(devDir, 'ownid-dev-private-key.pem');
    const issuerPath = join(devDir, 'dev-session-issuer-key.pem');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(issuerPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath, 'utf8')).toMatch(/^-{5}BEGIN RSA PRIVATE KEY-{5}\n/);
    expect(createPublicKey(readFileSync(keyPath, 'utf8')).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(server.settings.devKey).toBe(true);
    expect(server.settings.devSession).toBe('jwt');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 401 without a session, with the contract headers, and the function logs one line', async () => {
    const before = started.logs.length;
    const response = await post(server);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    await expect.poll(() => started.logs.length).toBeGreaterThan(before);
    const line = JSON.parse(started.logs.at(-1) ?? '{}');
    expect(line).toMatchObject({ message: 'generate-auth-token', outcome: 'no_session', status: 401 });
  });

  it('refuses wrong credentials at the demo login', async () => {
    const { response, cookie } = await login(server, { email: ADA.email, password: 'nope' });
    expect(response.status).toBe(401);
    expect(cookie).toBe('');
  });

  it('issues a token after the demo login (cookie round trip), signed with the dev OwnID key', async () => {
    const { response, cookie } = await login(server);
    expect(response.status).toBe(200);
    const setCookie = response.headers.getSetCookie()[0] ?? '';
    expect(setCookie).toMatch(/^demo_session=[\w-]+\.[\w-]+\.[\w-]+; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain('Max-Age=900');

    const token = await post(server, { Cookie: cookie });
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBe(server.url);
    const body = (await token.json()) as { email: string; token: string };
    expect(body.email).toBe(ADA.email);
    const publicKey = createPublicKey(readFileSync(join(devDir, 'ownid-dev-private-key.pem'), 'utf8'));
    const { payload, protectedHeader } = await jwtVerify(body.token, publicKey, {
      issuer: 'OwnID',
      audience: 'OwnID',
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload.sub).toBe(ADA.email);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
    expect(JSON.parse(started.logs.at(-1) ?? '{}')).toMatchObject({
      outcome: 'issued',
      status: 200,
      source: 'cookie',
    });

    const me = await fetch(`${server.url}/demo/me`, { headers: { Cookie: cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      email: ADA.email,
      emailVerified: true,
      session: 'jwt',
      cookie: 'demo_session',
    });
    expect((await fetch(`${server.url}/demo/me`)).status).toBe(401);
  });

  it('also issues a token for a request without Origin (curl) and ignores a body naming someone else', async () => {
    const { cookie } = await login(server);
    const response = await fetch(`${server.url}${ENDPOINT}`, {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'mallory@example.com' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { email: string }).email).toBe(ADA.email);
  });

  it('answers 403 for a user whose email is not verified', async () => {
    const { cookie } = await login(server, { email: 'eve@example.com', password: ADA.password });
    const response = await post(server, { Cookie: cookie });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it('refuses a cookie session from a disallowed Origin with 403 and no CORS headers', async () => {
    const { cookie } = await login(server);
    const response = await post(server, { Cookie: cookie, Origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('hands other methods to the function: 405 for GET, with Allow', async () => {
    const response = await fetch(`${server.url}${ENDPOINT}`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await response.json()).toEqual({ message: 'Method Not Allowed' });
  });

  it('answers the CORS preflight for an allowed origin: 204, exact origin, credentials', async () => {
    const origin = `http://localhost:${server.port}`;
    const response = await fetch(`${server.url}${ENDPOINT}`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('content-length')).toBeNull();
  });

  it('refuses the preflight of a disallowed origin without CORS headers', async () => {
    const response = await fetch(`${server.url}${ENDPOINT}`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 413 to a body over 16 KB without calling the function', async () => {
    const before = started.logs.length;
    const response = await post(
      server,
      { 'Content-Type': 'application/json' },
      JSON.stringify({ pad: 'x'.repeat(100_000) }),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Payload Too Large' });
    expect(started.logs.length).toBe(before);
  });

  it('answers 431 to a request with too many headers', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 120; i++) headers[`x-h${i}`] = 'v';
    const response = await post(server, headers);
    expect(response.status).toBe(431);
  });

  it('serves the dev issuer JWKS and the OwnID public key, never a private part', async () => {
    const jwks = (await (await fetch(`${server.url}/dev-issuer/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    const jwk = (await (await fetch(`${server.url}/demo/ownid-public-key.json`)).json()) as Record<
      string,
      string
    >;
    for (const key of [jwks.keys[0] ?? {}, jwk]) {
      expect(Object.keys(key).sort()).toEqual(
        Object.keys(key)
          .filter((k) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k))
          .sort(),
      );
    }
  });

  it('sends exactly the endpoint path to the function: no `//host/`, absolute-form or `..` look-alikes', async () => {
    const before = started.logs.length;
    for (const target of [
      '//x/generate-auth-token',
      'http://evil.example/generate-auth-token',
      '/demo/../generate-auth-token',
      '/generate-auth-token/',
    ]) {
      const response = await rawRequest(server, `POST ${target} HTTP/1.1`);
      expect(response, target).toEqual({ status: 404, body: '{"message":"Not Found"}' });
    }
    expect(await rawRequest(server, 'POST /generate-auth-token?x=1 HTTP/1.1')).toMatchObject({ status: 401 });
    await expect.poll(() => started.logs.length).toBe(before + 1);
  });

  it('answers 400 to a request-target that is not a URL', async () => {
    expect(await rawRequest(server, 'GET http://[ HTTP/1.1')).toEqual({
      status: 400,
      body: '{"message":"Bad Request"}',
    });
  });

  it('never serves the dev files', async () => {
    for (const path of [
      '/.local/ownid-dev-private-key.pem',
      '/demo/../.local/ownid-dev-private-key.pem',
      '/demo/%2e%2e/.local/dev-session-issuer-key.pem',
      '/dev-issuer/key.pem',
      '/ownid-dev-private-key.pem',
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('PRIVATE KEY');
    }
  });

  it('serves the demo pages with a CSP and no secrets', async () => {
    for (const path of [
      '/',
      '/welcome',
      '/demo/login.js',
      '/demo/welcome.js',
      '/demo/ownid-stand-in.js',
      '/demo/config.json',
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      const text = await response.text();
      expect(text, path).not.toMatch(/PRIVATE KEY|"d":/);
    }
    const page = await fetch(`${server.url}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('ada@example.com');
    expect(html).toContain('passkeys-are-nice');
    const welcome = await (await fetch(`${server.url}/welcome`)).text();
    expect(welcome).toContain('<script src="/demo/ownid-stand-in.js"></script>');
    expect(welcome).toContain('/ownid-enroll.min.js');
    expect(welcome).not.toContain('cdn.ownid.com');
    const snippet = await fetch(`${server.url}/ownid-enroll.min.js`);
    expect(snippet.status).toBe(200);
    expect(await snippet.text()).toContain('OwnIDEnroll');
  });

  it('refuses a demo login from another origin', async () => {
    const response = await fetch(`${server.url}/demo/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
      body: JSON.stringify(ADA),
    });
    expect(response.status).toBe(403);
  });

  it('logs out by expiring the cookie', async () => {
    const response = await fetch(`${server.url}/demo/logout`, {
      method: 'POST',
      headers: { Origin: server.url },
    });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie().join('\n')).toMatch(/demo_session=; .*Max-Age=0/);
  });

  it('keeps the dev keys across restarts', async () => {
    const before = readFileSync(join(devDir, 'ownid-dev-private-key.pem'), 'utf8');
    const again = await start({ devDir });
    try {
      expect(again.server.devFiles?.created).toEqual([]);
      expect(readFileSync(join(devDir, 'ownid-dev-private-key.pem'), 'utf8')).toBe(before);
    } finally {
      await again.server.close();
    }
  });
});
