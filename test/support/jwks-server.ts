// A JWKS endpoint on 127.0.0.1 for the session issuer and for Cognito user pools
// (`/<userPoolId>/.well-known/jwks.json`, reached through AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).
import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

export type JwksMode = 'ok' | 'down' | 'hang' | 'html';

export interface JwksServer {
  readonly url: string;
  /** path -> JWKS keys */
  readonly keysByPath: Map<string, Record<string, unknown>[]>;
  mode: JwksMode;
  /** Paths requested, in order (any path, so a request to a `jku` URL on this host would show). */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksServer> {
  const hanging = new Set<ServerResponse>();
  const jwks = {
    url: '',
    keysByPath: new Map<string, Record<string, unknown>[]>(),
    mode: 'ok' as JwksMode,
    requests: [] as string[],
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    jwks.requests.push(path);
    if (jwks.mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (jwks.mode === 'down') {
      res.writeHead(503).end('unavailable');
      return;
    }
    if (jwks.mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
      return;
    }
    const keys = jwks.keysByPath.get(path);
    if (keys === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  const listening = await listenOnLoopback(server, hanging);
  jwks.url = listening.url;
  jwks.close = listening.close;
  return jwks;
}
