import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevFiles } from '../../dev/dev-files.ts';
import { type LocalServer, startLocalServer } from '../../dev/local-server.ts';
import { ADA, demoLogin } from '../support/demo-login.ts';
import { type JwksServer, startJwksServer } from '../support/jwks-server.ts';
import { publicJwk, rsaKey } from '../support/keys.ts';
import {
  baseEnv,
  post,
  removeTempDirs,
  type Started,
  start,
  tempDir,
} from '../support/local-server-harness.ts';
import {
  type SecretsManagerStandIn,
  secretsManagerEnv,
  startSecretsManagerStandIn,
} from '../support/secrets-manager-stand-in.ts';
import { sessionJwt } from '../support/tokens.ts';

const login = demoLogin;

afterAll(removeTempDirs);

describe('opaque-session demo (introspection)', () => {
  let started: Started;
  let server: LocalServer;

  beforeAll(async () => {
    started = await start({ devDir: join(tempDir(), '.local'), sessionMode: 'opaque' });
    server = started.server;
  });
  afterAll(() => server.close());

  it('configures the function with the server session endpoint', () => {
    expect(server.settings.devSession).toBe('opaque');
    expect(server.settings.functionEnv.SESSION_INTROSPECTION_URL).toBe(
      `http://127.0.0.1:${server.port}/demo/session`,
    );
    expect(server.settings.functionEnv.SESSION_INTROSPECTION_COOKIES).toBe('demo_sid');
    expect(server.settings.functionEnv.SESSION_JWT_ISSUER).toBeUndefined();
  });

  it('answers the session endpoint 200 for a valid demo_sid and 401 otherwise', async () => {
    const { cookie } = await login(server);
    expect(cookie).toMatch(/^demo_sid=[\w-]{43}$/);
    const valid = await fetch(`${server.url}/demo/session`, { headers: { Cookie: cookie } });
    expect(valid.status).toBe(200);
    expect(await valid.json()).toEqual({ email: ADA.email, email_verified: true });
    expect((await fetch(`${server.url}/demo/session`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/demo/session`, { headers: { Cookie: 'demo_sid=forged' } })).status,
    ).toBe(401);
  });

  it('issues a token through introspection after login, and 401 after logout', async () => {
    const { cookie } = await login(server);
    const response = await post(server, { Cookie: cookie });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { email: string }).email).toBe(ADA.email);
    expect(JSON.parse(started.logs.at(-1) ?? '{}')).toMatchObject({
      outcome: 'issued',
      source: 'introspection',
    });

    const logout = await fetch(`${server.url}/demo/logout`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: server.url },
    });
    expect(logout.status).toBe(204);
    const after = await post(server, { Cookie: cookie });
    expect(after.status).toBe(401);
  });
});

describe('opaque-session demo with a shared token', () => {
  let secrets: SecretsManagerStandIn;
  let started: Started;
  let server: LocalServer;

  beforeAll(async () => {
    secrets = await startSecretsManagerStandIn();
    secrets.secrets.set('demo/introspection-token', 'shared-token-123');
    started = await start({
      devDir: join(tempDir(), '.local'),
      sessionMode: 'opaque',
      env: {
        ...baseEnv,
        ...secretsManagerEnv(secrets.url),
        SESSION_INTROSPECTION_SECRET_ID: 'demo/introspection-token',
        DEMO_SESSION_SHARED_TOKEN: 'shared-token-123',
      },
    });
    server = started.server;
  });
  afterAll(async () => {
    await server.close();
    await secrets.close();
  });

  it('wants the shared token on the session endpoint, and the function sends it', async () => {
    const { cookie } = await login(server);
    expect((await fetch(`${server.url}/demo/session`, { headers: { Cookie: cookie } })).status).toBe(403);
    const withToken = await fetch(`${server.url}/demo/session`, {
      headers: { Cookie: cookie, 'X-OwnID-Enrollment-Token': 'shared-token-123' },
    });
    expect(withToken.status).toBe(200);
    const response = await post(server, { Cookie: cookie });
    expect(response.status).toBe(200);
    expect(secrets.calls).toContain('demo/introspection-token');
  });
});

describe('real settings', () => {
  let jwks: JwksServer;
  let started: Started;
  let server: LocalServer;
  let devDir: string;
  const issuerKey = rsaKey('local-server-issuer');

  beforeAll(async () => {
    jwks = await startJwksServer();
    jwks.keysByPath.set('/jwks.json', [publicJwk(issuerKey.publicKey, 'k1')]);
    const dir = tempDir();
    const keyFile = join(dir, 'ownid-key.pem');
    writeFileSync(keyFile, rsaKey('local-server-ownid').pkcs1Pem, { mode: 0o600 });
    devDir = join(dir, '.local');
    started = await start({
      devDir,
      rateLimit: { requests: 3, windowMs: 60_000 },
      env: {
        ...baseEnv,
        OWNID_PRIVATE_KEY_FILE: keyFile,
        SESSION_JWT_ISSUER: 'https://login.example.test',
        SESSION_JWT_JWKS_URL: `${jwks.url}/jwks.json`,
        SESSION_JWT_AUDIENCE: 'enrollment-api',
        ALLOWED_ORIGINS: 'https://app.example.com',
        OWNID_APP_ID: 'app-123',
      },
    });
    server = started.server;
  });
  afterAll(async () => {
    await server.close();
    await jwks.close();
  });

  it('switches dev mode off: no dev files, no demo login', async () => {
    expect(server.settings.devKey).toBe(false);
    expect(server.settings.devSession).toBeUndefined();
    expect(existsSync(devDir)).toBe(false);
    expect(server.settings.allowedOrigins).toEqual([
      'https://app.example.com',
      `http://127.0.0.1:${server.port}`,
      `http://localhost:${server.port}`,
    ]);
    const response = await fetch(`${server.url}/demo/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.url },
      body: JSON.stringify(ADA),
    });
    expect(response.status).toBe(404);
  });

  it('verifies a bearer token from the configured issuer and signs with the key file', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bearer = await sessionJwt(
      {
        iss: 'https://login.example.test',
        aud: 'enrollment-api',
        sub: 'u1',
        email: 'grace@example.com',
        email_verified: true,
        iat: now,
        exp: now + 300,
      },
      issuerKey.privateKey,
      { kid: 'k1' },
    );
    const response = await post(server, {
      Authorization: `Bearer ${bearer}`,
      Origin: 'https://app.example.com',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const { token } = (await response.json()) as { token: string };
    await expect(
      jwtVerify(token, rsaKey('local-server-ownid').publicKey, { issuer: 'OwnID', audience: 'OwnID' }),
    ).resolves.toBeTruthy();
  });

  it('loads the real OwnID SDK instead of the stand-in when OWNID_APP_ID is set', async () => {
    const response = await fetch(`${server.url}/welcome`);
    const html = await response.text();
    expect(html).toContain('data-sdk-src="https://cdn.ownid.com/sdk/app-123"');
    expect(html).toContain('data-app-id="app-123"');
    expect(html).not.toContain('ownid-stand-in.js');
    expect(response.headers.get('content-security-policy')).toContain('https://cdn.ownid.com');
  });

  it('throttles the endpoint per client with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(server)).status);
    expect(statuses.at(-1)).toBe(429);
    const response = await post(server);
    expect(await response.json()).toEqual({ message: 'Too Many Requests' });
    expect(response.headers.get('retry-after')).toBe('60');
  });
});

describe('rate limits', () => {
  it('counts the demo login and the endpoint apart', async () => {
    const { server } = await start({
      devDir: join(tempDir(), '.local'),
      rateLimit: { requests: 2, windowMs: 60_000 },
    });
    try {
      const logins: number[] = [];
      for (let i = 0; i < 3; i++) logins.push((await login(server)).response.status);
      expect(logins).toEqual([200, 200, 429]);
      // The logins used none of the endpoint's allowance.
      const endpoint: number[] = [];
      for (let i = 0; i < 3; i++) endpoint.push((await post(server)).status);
      expect(endpoint).toEqual([401, 401, 429]);
    } finally {
      await server.close();
    }
  });
});

describe('dev files', () => {
  it('makes an existing dev folder owner-only', () => {
    const dir = join(tempDir(), '.local');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    ensureDevFiles(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe('startup', () => {
  it('fails with the variable named when the configuration is invalid', async () => {
    const logs: string[] = [];
    await expect(
      startLocalServer({
        port: 0,
        devDir: join(tempDir(), '.local'),
        env: { ...baseEnv, SESSION_JWT_ISSUER: 'https://login.example.test' },
        onFunctionLog: (line) => logs.push(line),
      }),
    ).rejects.toThrow(/SESSION_JWT_JWKS_URL|SESSION_JWT_AUDIENCE/);
    expect(logs.join('\n')).toContain('config_invalid');
  });
});
