// HTTP plumbing for the in-process per-request comparison: one keep-alive client, and a node:http
// server around the bundle's handler that uses the local server's own event adapter
// (dev/rest-event.ts) without its worker-thread hop, so the project and the Express peer are
// compared through the same client and the same HTTP stack.
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromProxyResult, toRestEvent } from '../../dev/rest-event.ts';
import { lambdaContext } from '../../test/support/events.ts';

type Handler = (
  event: unknown,
  context: unknown,
) => Promise<{
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, (string | number | boolean)[]>;
  body: string;
}>;

export interface LocalHttp {
  readonly url: string;
  close(): Promise<void>;
}

export function listen(server: Server): Promise<LocalHttp> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** node:http in, REST proxy event to the handler, result back out (the local server's adapter). */
export function handlerServer(handler: Handler): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const requestId = randomUUID();
      const event = toRestEvent({
        method: req.method ?? 'POST',
        url: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
        sourceIp: '127.0.0.1',
        requestId,
        requestTimeEpoch: Date.now(),
      });
      handler(event, lambdaContext()).then(
        (result) => {
          const response = fromProxyResult(result);
          res.writeHead(response.statusCode, response.headers.flat());
          res.end(response.body);
        },
        () => {
          res.writeHead(502).end();
        },
      );
    });
  });
}

export interface Client {
  post(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): void;
}

export function keepAliveClient(): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    post: (url, headers) =>
      new Promise((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', headers: { ...headers, 'Content-Length': '2' }, agent },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              body += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end('{}');
      }),
    close: () => agent.destroy(),
  };
}
