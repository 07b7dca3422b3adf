// HTTP plumbing for the in-process per-request comparison: one keep-alive client, and a minimal
// node:http -> REST proxy event adapter around the bundle's handler (the same shape of work as the
// local server, without its worker-thread hop), so the project and the Express peer are compared
// through the same client and the same HTTP stack.
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lambdaContext, restEvent } from '../../test/support/events.ts';

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

/** node:http in, REST proxy event to the handler, result back out. */
export function handlerServer(handler: Handler): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
        headers[req.rawHeaders[i] as string] = req.rawHeaders[i + 1] as string;
      const event = restEvent({
        method: req.method,
        headers,
        body: Buffer.concat(chunks).toString('utf8') || null,
      });
      handler(event, lambdaContext()).then(
        (result) => {
          res.writeHead(result.statusCode, result.headers as Record<string, string>);
          res.end(result.body);
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
