// A small GET over node:http(s) with an overall timeout, no redirects and a body size cap, for
// the JWKS and the site's session endpoint. node:http is loaded anyway (the AWS SDK uses it);
// global fetch would initialise undici's fetch stack on top, which is most of a cold start's
// network cost (measured in npm run bench).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BoundedGetError } from './errors.ts';

export interface BoundedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body of a 200 response; other statuses are not read. */
  readonly body: Buffer;
}

export interface BoundedGetOptions {
  readonly headers?: Record<string, string>;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

export function boundedGet(url: string, options: BoundedGetOptions): Promise<BoundedResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (error: BoundedGetError | undefined, response?: BoundedResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) {
        request.destroy();
        reject(error);
      } else if (response !== undefined) resolve(response);
    };
    const request = send(target, { method: 'GET', headers: options.headers }, (response) => {
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        response.resume();
        finish(undefined, { status, headers: response.headers, body: Buffer.alloc(0) });
        return;
      }
      const declared = Number(response.headers['content-length'] ?? '0');
      if (declared > options.maxBytes)
        return finish(new BoundedGetError('too_large', 'body over the size cap'));
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > options.maxBytes) finish(new BoundedGetError('too_large', 'body over the size cap'));
        else chunks.push(chunk);
      });
      response.on('end', () =>
        finish(undefined, { status, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', () => finish(new BoundedGetError('network', 'response aborted')));
      return undefined;
    });
    const timer = setTimeout(() => finish(new BoundedGetError('timeout', 'timed out')), options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish(new BoundedGetError('network', error.code ?? 'network error')),
    );
    request.end();
  });
}

/** boundedGet's shape: what a traced GET (call-tracing.ts) must keep. */
export type BoundedGet = typeof boundedGet;
