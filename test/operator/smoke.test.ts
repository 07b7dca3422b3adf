// npm run smoke against the local server (the handler `npm start` serves) and against servers with
// wrong CORS: it passes where a browser on the site would succeed, and fails with a clear message
// where it would not.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type LocalServer, startLocalServer } from '../../dev/local-server.ts';
import { demoLogin } from '../support/demo-login.ts';
import { rsaKey } from '../support/keys.ts';
import { runCli, runNpmScript, showsPrivateKey, stubAwsEnv } from '../support/operator-cli.ts';
import {
  type SecretsManagerStandIn,
  secretsManagerEnv,
  startSecretsManagerStandIn,
} from '../support/secrets-manager-stand-in.ts';

const ENDPOINT = '/generate-auth-token';
const SECRET = 'OwnIdEnrollmentToken/ownid-private-key';
const ownIdKey = rsaKey('smoke-ownid');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ownid-smoke-'));
  dirs.push(dir);
  return dir;
};
let secrets: SecretsManagerStandIn;

beforeAll(async () => {
  secrets = await startSecretsManagerStandIn();
});
afterAll(async () => {
  await secrets.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => stubAwsEnv(secrets.url));
afterEach(() => {
  vi.unstubAllEnvs();
});

const smokeAgainst = (server: LocalServer, extra: string[], origin = server.url) =>
  runCli('smoke', ['--url', `${server.url}${ENDPOINT}`, '--origin', origin, ...extra]);

/** The demo login's session JWT (its cookie value): a bearer the dev session issuer signed. */
async function demoSessionJwt(server: LocalServer): Promise<string> {
  const { response, cookie } = await demoLogin(server);
  expect(response.status).toBe(200);
  return cookie.split('=')[1] ?? '';
}

describe('against the local server in dev mode (zero configuration)', () => {
  let server: LocalServer;
  let devDir: string;
  let bearer: string;
  beforeAll(async () => {
    devDir = join(tempDir(), '.local');
    server = await startLocalServer({
      port: 0,
      env: { PATH: process.env.PATH },
      devDir,
      rateLimit: false,
      onFunctionLog: () => {},
    });
    bearer = await demoSessionJwt(server);
  });
  afterAll(() => server.close());
  const smokeLocal = (extra: string[], origin = server.url) => smokeAgainst(server, extra, origin);

  it('passes all four checks, verifying the token with the dev key', async () => {
    const result = await smokeLocal([
      '--bearer',
      bearer,
      '--public-key',
      join(devDir, 'ownid-dev-private-key.pem'),
    ]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `Smoke test of ${server.url}${ENDPOINT} as ${server.url}`,
      `✓ preflight: 204 for ${server.url}, with credentials, POST, Authorization and Content-Type, Vary: Origin`,
      expect.stringMatching(
        /^✓ foreign origin: https:\/\/smoke-check\.invalid gets no CORS headers \(status \d+\)$/,
      ),
      '✓ no session: 401 {"message":"Unauthorized"} with CORS headers and no-store',
      expect.stringMatching(
        /^✓ bearer session: 200 for ada@example\.com; the token verifies with the public key \S+ \(default profile, iss "OwnID", aud "OwnID"\)$/,
      ),
      '✓ all 4 checks passed',
    ]);
  });

  it('without a bearer runs the three session-less checks and says the fourth was skipped', async () => {
    const result = await smokeLocal([]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('- bearer session: skipped (pass --bearer <session JWT>');
    expect(result.stdout).toContain('✓ all 3 checks passed');
  });

  it('fails when the token does not verify with the given public key', async () => {
    const result = await smokeLocal(['--bearer', bearer, '--public-key', join(tempDir(), 'missing.pem')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ bearer session: cannot verify the token: cannot read the public key file',
    );
    const wrongKeyFile = join(tempDir(), 'other.pem');
    writeFileSync(wrongKeyFile, rsaKey('smoke-other').publicPem);
    const wrong = await smokeLocal(['--bearer', bearer, '--public-key', wrongKeyFile]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(
      '✗ bearer session: token: signature does not verify with the given public key',
    );
    expect(wrong.stderr).toBe('✗ smoke failed: 1 of 4 checks');
  });

  it('fails for an origin the endpoint does not allow, saying which header is wrong', async () => {
    const result = await smokeLocal([], 'https://shop.example.com');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ preflight: status 403, expected 204; no CORS headers for https://shop.example.com: is it in allowedOrigins (ALLOWED_ORIGINS)?',
    );
    expect(result.stdout).toContain(
      '✗ no session: no CORS headers for https://shop.example.com: is it in allowedOrigins (ALLOWED_ORIGINS)?',
    );
  });

  it('explains a refused bearer', async () => {
    const result = await smokeLocal([
      '--bearer',
      `${bearer.slice(0, -4)}AAAA`,
      '--public-key',
      join(devDir, 'ownid-dev-private-key.pem'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ bearer session: status 401 (the bearer is expired, or not from the configured session issuer/client',
    );
  });

  it('runs through npm as an operator would', async () => {
    const result = await runNpmScript(
      'smoke',
      [
        '--url',
        `${server.url}${ENDPOINT}`,
        '--origin',
        server.url,
        '--bearer',
        bearer,
        '--public-key',
        join(devDir, 'ownid-dev-private-key.pem'),
      ],
      { env: { PATH: process.env.PATH, HOME: tempDir() } },
    );
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('✓ all 4 checks passed');
  });
});

describe('against the local server signing with the key in Secrets Manager', () => {
  let server: LocalServer;
  beforeAll(async () => {
    secrets.emptySecrets.add(SECRET);
    server = await startLocalServer({
      port: 0,
      env: { PATH: process.env.PATH, ...secretsManagerEnv(secrets.url), OWNID_PRIVATE_KEY_SECRET_ID: SECRET },
      devDir: join(tempDir(), '.local'),
      rateLimit: false,
      onFunctionLog: () => {},
    });
  });
  afterAll(() => server.close());

  it('key:put, then smoke verifies the token with the public half read from the secret', async () => {
    const keyPath = join(tempDir(), 'ownid.pem');
    writeFileSync(keyPath, ownIdKey.pkcs1Pem);
    const put = await runCli('key:put', ['--file', keyPath, '--secret-id', SECRET]);
    expect(put.code, put.output).toBe(0);

    const bearer = await demoSessionJwt(server);
    const result = await smokeAgainst(server, ['--bearer', bearer, '--secret-id', SECRET]);
    expect(result.code, result.output).toBe(0);
    const thumbprint = /JWK thumbprint \(SHA-256\): (\S+)/.exec(put.stdout)?.[1];
    expect(result.stdout).toContain(`the token verifies with the public key ${thumbprint}`);
    expect(showsPrivateKey(put.output + result.output, ownIdKey)).toBe(false);
  });
});

describe('against servers with wrong CORS', () => {
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  const servers: Server[] = [];
  async function serve(handler: Handler): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}${ENDPOINT}`;
  }
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  const ORIGIN = 'https://shop.example.com';
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) => {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    });
    res.end(JSON.stringify(body));
  };
  /** An endpoint that answers preflights with 204 and POSTs with JSON, both with the given CORS headers. */
  const serveEndpoint = (
    corsHeaders: (req: IncomingMessage) => Record<string, string>,
    post: { status: number; body: unknown } = { status: 401, body: { message: 'Unauthorized' } },
  ) =>
    serve((req, res) => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, corsHeaders(req));
        res.end();
      } else json(res, post.status, post.body, corsHeaders(req));
    });
  const preflightHeaders = {
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    Vary: 'Origin',
  };

  it('fails on a wildcard origin', async () => {
    const url = await serveEndpoint(() => ({ ...preflightHeaders, 'Access-Control-Allow-Origin': '*' }));
    const result = await runCli('smoke', ['--url', url, '--origin', ORIGIN]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ preflight: Access-Control-Allow-Origin is "*", expected "${ORIGIN}"`);
    expect(result.stdout).toContain(
      '✗ foreign origin: https://smoke-check.invalid got Access-Control-Allow-Origin "*": any site could call the endpoint',
    );
    expect(result.stderr).toBe('✗ smoke failed: 3 of 3 checks');
  });

  it('fails on a server that echoes any origin, and on missing credentials and Vary', async () => {
    const url = await serveEndpoint((req) => ({
      'Access-Control-Allow-Origin': String(req.headers.origin ?? ''),
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': 'Content-Type',
    }));
    const result = await runCli('smoke', ['--url', url, '--origin', ORIGIN]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ preflight: Access-Control-Allow-Credentials is not "true" (cookies would not be sent); Access-Control-Allow-Headers lacks Authorization; Vary lacks Origin (caches could mix origins)',
    );
    expect(result.stdout).toContain(
      '✗ foreign origin: https://smoke-check.invalid got Access-Control-Allow-Origin "https://smoke-check.invalid"',
    );
  });

  it('fails loudly on an endpoint that answers 200 without a session', async () => {
    const url = await serveEndpoint(() => ({ ...preflightHeaders, 'Access-Control-Allow-Origin': ORIGIN }), {
      status: 200,
      body: { email: 'anyone@example.com', token: 'x.y.z' },
    });
    const result = await runCli('smoke', ['--url', url, '--origin', ORIGIN]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ no session: a request without a session got 200: the endpoint issues tokens to anyone',
    );
  });

  it('says when nothing answers, and refuses a malformed origin', async () => {
    const url = await serve(() => {});
    const port = new URL(url).port;
    for (const server of servers.splice(-1)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const result = await runCli('smoke', [
      '--url',
      `http://127.0.0.1:${port}${ENDPOINT}`,
      '--origin',
      ORIGIN,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ preflight: OPTIONS http://127.0.0.1:${port}${ENDPOINT} got no answer (ECONNREFUSED)`,
    );
    const usage = await runCli('smoke', ['--url', url, '--origin', `${ORIGIN}/`]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--origin must be the site's exact origin");
  });
});
