// A site's session endpoint on 127.0.0.1 for introspection tests: answers whatever the test sets,
// and records the Cookie header of every call (so a test can tell that no request was made).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SiteSessionEndpoint {
  readonly url: string;
  /** The JSON body of the next 200 answers. */
  answer: Record<string, unknown>;
  /** A status and body for particular cookies; undefined means 200 with `answer`. */
  answerFor: (cookieHeader: string) => { status: number; body: Record<string, unknown> } | undefined;
  readonly received: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startSiteSessionEndpoint(): Promise<SiteSessionEndpoint> {
  const site = {
    url: '',
    answer: { email: 'ada@example.com', email_verified: true } as Record<string, unknown>,
    answerFor: (() => undefined) as SiteSessionEndpoint['answerFor'],
    received: [] as IncomingHttpHeaders[],
    close: async () => {},
  };
  const server = createServer((req, res) => {
    site.received.push(req.headers);
    const { status, body } = site.answerFor(req.headers.cookie ?? '') ?? { status: 200, body: site.answer };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
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
