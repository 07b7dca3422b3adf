// A site's session endpoint on 127.0.0.1 for introspection tests: answers whatever the test sets,
// and records the Cookie header of every call (so a test can tell that no request was made).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SiteSessionEndpoint {
  readonly url: string;
  /** The JSON body of the next 200 answers. */
  answer: Record<string, unknown>;
  readonly received: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startSiteSessionEndpoint(): Promise<SiteSessionEndpoint> {
  const site = {
    url: '',
    answer: { email: 'ada@example.com', email_verified: true } as Record<string, unknown>,
    received: [] as IncomingHttpHeaders[],
    close: async () => {},
  };
  const server = createServer((req, res) => {
    site.received.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(site.answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/session`;
  site.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}

/** The stand's env with introspection as the only session source. */
export function introspectionOnlyEnv(
  env: Record<string, string>,
  url: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const {
    SESSION_COGNITO_USER_POOL_ID: _a,
    SESSION_COGNITO_CLIENT_IDS: _b,
    SESSION_JWT_ISSUER: _c,
    SESSION_JWT_JWKS_URL: _d,
    SESSION_JWT_AUDIENCE: _e,
    SESSION_COOKIE_NAMES: _f,
    ...rest
  } = env;
  return { ...rest, SESSION_INTROSPECTION_URL: url, SESSION_INTROSPECTION_COOKIES: 'connect.sid', ...extra };
}
