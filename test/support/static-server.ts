// A tiny HTTP server on 127.0.0.1 for browser tests: static files plus routes whose answers each test
// controls (status, headers, body, delay), recording every request with its headers and cookies.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  /** Path without the query. */
  readonly path: string;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The Cookie header, parsed (first value of a name wins). */
  readonly cookies: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RouteResponse {
  /** @default 200 */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or Buffer is sent as is; anything else as JSON. @default - empty */
  readonly body?: unknown;
  /** Wait this long before answering (the connection stays open). @default 0 */
  readonly delayMs?: number;
  /** Destroy the connection without any answer (a network error for the client). */
  readonly destroy?: boolean;
}

export type RouteHandler = (request: RecordedRequest) => RouteResponse | Promise<RouteResponse>;

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Requests to a path (any method unless given). */
  requestsTo(path: string, method?: string): RecordedRequest[];
  /** Serves content at a path for GET/HEAD; the content type follows the extension (none: HTML) unless given. */
  file(path: string, content: string | Buffer, contentType?: string): void;
  /** Serves a file from disk at a path, read at each request (so a rebuild is picked up). */
  fileFromDisk(path: string, filePath: string, contentType?: string): void;
  /** Answers every method at a path; replaces an earlier route or file there. */
  route(path: string, response: RouteHandler | RouteResponse): void;
  /** Forgets the recorded requests (routes and files stay). */
  clearRequests(): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in cookies)) cookies[name] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}

function send(res: ServerResponse, answer: RouteResponse): void {
  const { status = 200, headers = {}, body } = answer;
  const isRaw = typeof body === 'string' || Buffer.isBuffer(body);
  const payload = body === undefined ? '' : isRaw ? body : JSON.stringify(body);
  const type = isRaw || body === undefined ? {} : { 'content-type': 'application/json' };
  res.writeHead(status, { 'cache-control': 'no-store', ...type, ...headers });
  res.end(payload);
}

/** Starts a server on 127.0.0.1 and a free port. */
export async function startStaticServer(): Promise<StaticServer> {
  const routes = new Map<string, RouteHandler>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const url = req.url ?? '/';
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url,
        path: new URL(url, 'http://127.0.0.1').pathname,
        headers: req.headers,
        cookies: parseCookies(req.headers.cookie),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const handler = routes.get(recorded.path);
      let answer: RouteResponse;
      try {
        answer = handler ? await handler(recorded) : { status: 404, body: 'Not Found' };
      } catch (error) {
        answer = { status: 500, body: String(error) };
      }
      if (answer.destroy) {
        res.destroy();
        return;
      }
      if (!answer.delayMs) {
        send(res, answer);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) send(res, answer);
      }, answer.delayMs);
      timers.add(timer);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const staticRoute =
    (load: () => string | Buffer, contentType: string): RouteHandler =>
    ({ method }) =>
      method === 'GET' || method === 'HEAD'
        ? { headers: { 'content-type': contentType }, body: load() }
        : { status: 405, body: 'Method Not Allowed' };
  // A path without an extension (`/`, `/account`) is a page.
  const typeOf = (path: string) => CONTENT_TYPES[extname(path) || '.html'] ?? 'application/octet-stream';

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    requestsTo: (path, method) =>
      requests.filter((request) => request.path === path && (!method || request.method === method)),
    file: (path, content, contentType = typeOf(path)) => {
      routes.set(
        path,
        staticRoute(() => content, contentType),
      );
    },
    fileFromDisk: (path, filePath, contentType = typeOf(filePath)) => {
      routes.set(
        path,
        staticRoute(() => readFileSync(filePath), contentType),
      );
    },
    route: (path, response) => {
      routes.set(path, typeof response === 'function' ? response : () => response);
    },
    clearRequests: () => {
      requests.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released): requests to it are refused. */
export async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
