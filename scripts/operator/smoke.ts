// npm run smoke -- --url <endpoint> --origin <site> [--bearer <session JWT>]: what a browser on the
// site will meet, checked from the outside: the CORS preflight, a foreign origin, no session, and
// with a session a 200 whose token verifies with the deployed key's public half.
import type { KeyObject } from 'node:crypto';
import { readDeployedKey } from './deployed-key.ts';
import { OperatorError, type OperatorIo, UsageError } from './io.ts';
import { publicKeyThumbprint } from './key-report.ts';
import { DEPLOYED_SECRET_OPTIONS, deployedSecretLookup, parseOptions, tokenSettings } from './options.ts';
import { loadPublicKey } from './public-key.ts';
import { inspectToken, TokenFormatError } from './token-inspection.ts';

export const SMOKE_USAGE = `npm run smoke -- --url <EndpointUrl> --origin <https://your.site> [--bearer <session JWT>] [--public-key <file>] [--secret-id <id>] [--stack <name>]
  Without --public-key, the token is verified with the public half of the deployed key (read like npm run key:check).`;

/** An origin no deployment allows (.invalid is reserved): it must get no CORS headers at all. */
export const FOREIGN_ORIGIN = 'https://smoke-check.invalid';
const REQUEST_TIMEOUT_MS = 10_000;
const ORIGIN = /^https?:\/\/[^/\s?#]+$/;

class CheckFailed extends Error {}

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export async function smoke(args: readonly string[], io: OperatorIo): Promise<number> {
  const { values } = parseOptions(args, {
    url: { type: 'string' },
    origin: { type: 'string' },
    bearer: { type: 'string' },
    'public-key': { type: 'string' },
    ...DEPLOYED_SECRET_OPTIONS,
  });
  const { url, origin } = values;
  if (url === undefined || !/^https?:\/\//.test(url) || !URL.canParse(url)) {
    throw new UsageError("--url must be the endpoint URL (the stack's EndpointUrl output)");
  }
  if (origin === undefined || !ORIGIN.test(origin)) {
    throw new UsageError(
      "--origin must be the site's exact origin, scheme://host[:port] (one of ALLOWED_ORIGINS)",
    );
  }
  const tokenConfig = tokenSettings(io.env);

  const send = async (method: string, headers: Record<string, string>, body?: string): Promise<Reply> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new CheckFailed(`${method} ${url} got no answer (${cause})`);
    }
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  /** What a browser sends before a credentialed POST with a bearer. */
  const preflight = (from: string) =>
    send('OPTIONS', {
      Origin: from,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type',
    });
  const expectCors = (reply: Reply, problems: string[]) => {
    const allowOrigin = reply.headers.get('access-control-allow-origin');
    if (allowOrigin === null) {
      problems.push(`no CORS headers for ${origin}: is it in allowedOrigins (ALLOWED_ORIGINS)?`);
      return false;
    }
    if (allowOrigin !== origin) {
      problems.push(`Access-Control-Allow-Origin is "${allowOrigin}", expected "${origin}"`);
    }
    if (reply.headers.get('access-control-allow-credentials') !== 'true') {
      problems.push('Access-Control-Allow-Credentials is not "true" (cookies would not be sent)');
    }
    return true;
  };
  const expectJsonError = (reply: Reply, status: number, message: string, problems: string[]) => {
    if (reply.status !== status) problems.push(`status ${reply.status}, expected ${status}`);
    else if (reply.text !== JSON.stringify({ message }))
      problems.push(`body ${reply.text.slice(0, 120)}, expected {"message":"${message}"}`);
  };
  const expectNoStore = (reply: Reply, problems: string[]) => {
    if (!(reply.headers.get('cache-control') ?? '').includes('no-store'))
      problems.push('Cache-Control lacks no-store');
    if (reply.headers.get('x-content-type-options') !== 'nosniff')
      problems.push('X-Content-Type-Options is not nosniff');
  };
  const listIncludes = (header: string | null, item: string) =>
    (header ?? '').split(',').some((value) => value.trim().toLowerCase() === item.toLowerCase());

  const checks: { name: string; run: () => Promise<string> }[] = [
    {
      name: 'preflight',
      run: async () => {
        const reply = await preflight(origin);
        const problems: string[] = [];
        if (reply.status !== 204) problems.push(`status ${reply.status}, expected 204`);
        if (expectCors(reply, problems)) {
          if (!listIncludes(reply.headers.get('access-control-allow-methods'), 'POST'))
            problems.push('Access-Control-Allow-Methods lacks POST');
          for (const header of ['Authorization', 'Content-Type']) {
            if (!listIncludes(reply.headers.get('access-control-allow-headers'), header))
              problems.push(`Access-Control-Allow-Headers lacks ${header}`);
          }
          if (!listIncludes(reply.headers.get('vary'), 'Origin'))
            problems.push('Vary lacks Origin (caches could mix origins)');
        }
        if (problems.length > 0) throw new CheckFailed(problems.join('; '));
        return `204 for ${origin}, with credentials, POST, Authorization and Content-Type, Vary: Origin`;
      },
    },
    {
      name: 'foreign origin',
      run: async () => {
        const reply = await preflight(FOREIGN_ORIGIN);
        const allowOrigin = reply.headers.get('access-control-allow-origin');
        if (allowOrigin !== null) {
          throw new CheckFailed(
            `${FOREIGN_ORIGIN} got Access-Control-Allow-Origin "${allowOrigin}": any site could call the endpoint with the user's cookies`,
          );
        }
        return `${FOREIGN_ORIGIN} gets no CORS headers (status ${reply.status})`;
      },
    },
    {
      name: 'no session',
      run: async () => {
        const reply = await send('POST', { Origin: origin, 'Content-Type': 'application/json' }, '{}');
        const problems: string[] = [];
        if (reply.status === 200)
          throw new CheckFailed('a request without a session got 200: the endpoint issues tokens to anyone');
        expectJsonError(reply, 401, 'Unauthorized', problems);
        expectCors(reply, problems);
        expectNoStore(reply, problems);
        if (problems.length > 0) throw new CheckFailed(problems.join('; '));
        return '401 {"message":"Unauthorized"} with CORS headers and no-store';
      },
    },
  ];
  if (values.bearer !== undefined) {
    const bearer = values.bearer.replace(/^Bearer\s+/i, '');
    checks.push({
      name: 'bearer session',
      run: async () => {
        const reply = await send(
          'POST',
          { Origin: origin, 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
          '{}',
        );
        if (reply.status !== 200) {
          const hint =
            reply.status === 401
              ? ' (the bearer is expired, or not from the configured session issuer/client: see the function log reason)'
              : reply.status === 500
                ? ' (key missing or invalid: npm run key:check)'
                : '';
          throw new CheckFailed(`status ${reply.status}${hint}, expected 200`);
        }
        const problems: string[] = [];
        expectCors(reply, problems);
        expectNoStore(reply, problems);
        let body: { email?: unknown; token?: unknown };
        try {
          body = JSON.parse(reply.text) as typeof body;
        } catch {
          throw new CheckFailed('the 200 body is not JSON');
        }
        if (typeof body.email !== 'string' || typeof body.token !== 'string') {
          throw new CheckFailed('the 200 body lacks string "email" and "token"');
        }
        let publicKey: KeyObject;
        try {
          publicKey =
            values['public-key'] !== undefined
              ? loadPublicKey(values['public-key'])
              : (await readDeployedKey(deployedSecretLookup(values), io)).report.publicKey;
        } catch (error) {
          throw new CheckFailed(
            `cannot verify the token: ${(error as Error).message}; pass --public-key <file> (npm run key:check -- --public-key-out <file>)`,
          );
        }
        try {
          const inspection = inspectToken(
            body.token,
            { ...tokenConfig, email: body.email },
            Date.now() / 1000,
            publicKey,
          );
          problems.push(...inspection.problems.map((problem) => `token: ${problem}`));
        } catch (error) {
          if (error instanceof TokenFormatError)
            throw new CheckFailed(`the token is not a JWT: ${error.message}`);
          throw error;
        }
        if (problems.length > 0) throw new CheckFailed(problems.join('; '));
        return `200 for ${body.email}; the token verifies with the public key ${await publicKeyThumbprint(publicKey)} (${tokenConfig.profile} profile, iss "${tokenConfig.issuer}", aud "${tokenConfig.audience}")`;
      },
    });
  }

  io.out(`Smoke test of ${url} as ${origin}`);
  let failed = 0;
  for (const check of checks) {
    try {
      io.out(`✓ ${check.name}: ${await check.run()}`);
    } catch (error) {
      if (!(error instanceof CheckFailed) && !(error instanceof OperatorError)) throw error;
      failed += 1;
      io.out(`✗ ${check.name}: ${error.message}`);
    }
  }
  if (values.bearer === undefined)
    io.out('- bearer session: skipped (pass --bearer <session JWT> to check a 200 and its token)');
  if (failed > 0) {
    io.err(`✗ smoke failed: ${failed} of ${checks.length} checks`);
    return 1;
  }
  io.out(`✓ all ${checks.length} checks passed`);
  return 0;
}
