// Small shared pieces of the local server's own answers (not the function's: those come from the handler).
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
}

export const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string | readonly string[]> = {},
): Reply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function send(res: ServerResponse, reply: Reply): void {
  const body =
    reply.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(reply.body)
        ? reply.body
        : Buffer.from(reply.body);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.headers ?? {}))
    headers[name] = typeof value === 'string' ? value : [...value];
  const noBody = reply.status === 204 || reply.status === 304;
  if (!noBody) headers['Content-Length'] = String(body.length);
  res.writeHead(reply.status, headers);
  res.end(res.req.method === 'HEAD' || noBody ? undefined : body);
}

/** Cookies of a request; the first value of a name wins. Null prototype: any name is just a name. */
export function requestCookies(req: IncomingMessage): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name !== '' && !(name in cookies)) cookies[name] = part.slice(eq + 1).trim();
  }
  return cookies;
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

// Past this, a body is not drained politely (so the 413 can be read) but cut off.
const DRAIN_LIMIT_BYTES = 1024 * 1024;

/**
 * Reads a request body up to `maxBytes`. Over the cap it rejects with BodyTooLargeError once the
 * client has finished sending (so the client reads the 413 instead of a reset), or at once when the
 * body is far over the cap.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > DRAIN_LIMIT_BYTES) {
      req.resume();
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let tooLarge = declared > maxBytes;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) tooLarge = true;
      if (total > DRAIN_LIMIT_BYTES) {
        req.destroy();
        reject(new BodyTooLargeError());
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLargeError()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
