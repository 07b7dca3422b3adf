// The local server's routing: the function's two paths (the token endpoint and the outcome route) go
// to the function as API Gateway would send them (one per-client limit, body cap, REST proxy event,
// 502/504 as API Gateway answers them); `/dev/` goes to the demo's policy panel; every other path
// goes to the demo site. The server itself only listens and starts things.
import { randomUUID } from 'node:crypto';
import {
  type IncomingMessage,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type { DemoRoute } from './demo-site.ts';
import { type FunctionHost, InvocationError } from './function-host.ts';
import { BodyTooLargeError, jsonReply, type Reply, readBody, send } from './http-reply.ts';
import type { DevRoute } from './policy-panel.ts';
import { BAD_GATEWAY, fromProxyResult, toRestEvent } from './rest-event.ts';

export const ENDPOINT_PATH = '/generate-auth-token';
/** The outcome route: a sibling of the token path at the API root, as the stack deploys it. */
export const OUTCOME_PATH = '/enrollment-outcome';
const FUNCTION_PATHS: ReadonlySet<string> = new Set([ENDPOINT_PATH, OUTCOME_PATH]);

export interface RateLimiter {
  readonly retryAfterSeconds: number;
  allow(client: string): boolean;
}

export interface LocalRouterOptions {
  readonly demoSite: DemoRoute;
  /** The local server's own `/dev/` endpoints (the demo's policy panel). @default - none */
  readonly devRoute?: DevRoute | undefined;
  /** API Gateway's throttling, as one per-client limit on both function paths; undefined turns it off. */
  readonly endpointLimiter: RateLimiter | undefined;
  /** A separate limit on `/demo/login`; undefined turns it off. */
  readonly loginLimiter: RateLimiter | undefined;
  readonly maxBodyBytes: number;
  /** Settles when the function's cold start has finished (rejects when it failed: then 503). */
  readonly functionStarted: Promise<void>;
  readonly invoke: FunctionHost['invoke'];
}

export type LocalRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createLocalRouter(options: LocalRouterOptions): LocalRoute {
  const { demoSite, devRoute, loginLimiter } = options;
  const invokeEndpoint = endpointInvoker(options);
  return async (req, res) => {
    const target = req.url ?? '/';
    // Exactly a function path, as sent: `//x/generate-auth-token`, `http://host/generate-auth-token`
    // or `/a/../generate-auth-token` are other paths (URL parsing would make them this one).
    const path = target.split('?', 1)[0] as string;
    if (FUNCTION_PATHS.has(path)) {
      await invokeEndpoint(req, res, path);
      return;
    }
    const requestUrl = URL.parse(target, 'http://local.invalid');
    if (requestUrl === null) {
      send(res, jsonReply(400, { message: 'Bad Request' }));
      return;
    }
    if (
      loginLimiter !== undefined &&
      requestUrl.pathname === '/demo/login' &&
      !loginLimiter.allow(req.socket.remoteAddress ?? '')
    ) {
      send(res, tooManyRequests(loginLimiter.retryAfterSeconds));
      return;
    }
    const reply =
      (devRoute !== undefined && requestUrl.pathname.startsWith('/dev/')
        ? await devRoute(req, requestUrl)
        : undefined) ?? (await demoSite(req, requestUrl));
    send(res, reply ?? jsonReply(404, { message: 'Not Found' }));
  };
}

function endpointInvoker(
  options: LocalRouterOptions,
): (req: IncomingMessage, res: ServerResponse, resource: string) => Promise<void> {
  const { endpointLimiter, maxBodyBytes, functionStarted, invoke } = options;
  return async (req, res, resource) => {
    // API Gateway's usage-plan throttling stands in here as a per-client limit.
    if (
      endpointLimiter !== undefined &&
      req.method !== 'OPTIONS' &&
      !endpointLimiter.allow(req.socket.remoteAddress ?? '')
    ) {
      send(res, tooManyRequests(endpointLimiter.retryAfterSeconds));
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        send(res, jsonReply(413, { message: 'Payload Too Large' }, { Connection: 'close' }));
      else res.destroy();
      return;
    }
    try {
      await functionStarted;
    } catch {
      send(res, jsonReply(503, { message: 'Service Unavailable' }));
      return;
    }
    const requestId = randomUUID();
    const event = toRestEvent({
      method: req.method ?? 'GET',
      url: req.url ?? resource,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      requestId,
      requestTimeEpoch: Date.now(),
      resource,
    });
    let response = BAD_GATEWAY;
    try {
      response = fromProxyResult(await invoke(event, requestId));
    } catch (error) {
      if (error instanceof InvocationError && error.kind === 'timeout') {
        send(res, jsonReply(504, { message: 'Endpoint request timed out' }));
        return;
      }
    }
    // A header the function produced that HTTP cannot carry: API Gateway would answer 502 too.
    if (!response.headers.every(([name, value]) => isValidHeader(name, value))) response = BAD_GATEWAY;
    const framing = bodyless(response.statusCode) ? [] : ['Content-Length', String(response.body.length)];
    res.writeHead(response.statusCode, [...response.headers.flat(), ...framing]);
    res.end(req.method === 'HEAD' || bodyless(response.statusCode) ? undefined : response.body);
  };
}

/** Statuses that carry no body and no Content-Length. */
export function bodyless(status: number): boolean {
  return status === 204 || status === 304 || status < 200;
}

function isValidHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

function tooManyRequests(retryAfterSeconds: number): Reply {
  return jsonReply(429, { message: 'Too Many Requests' }, { 'Retry-After': String(retryAfterSeconds) });
}

/** Fixed-window counter per client address. */
export function createRateLimiter(limit: {
  readonly requests: number;
  readonly windowMs: number;
}): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    retryAfterSeconds: Math.max(1, Math.ceil(limit.windowMs / 1000)),
    allow(client: string): boolean {
      const now = Date.now();
      if (windows.size > 10_000)
        for (const [key, w] of windows) if (now - w.start >= limit.windowMs) windows.delete(key);
      const current = windows.get(client);
      if (current === undefined || now - current.start >= limit.windowMs) {
        windows.set(client, { start: now, count: 1 });
        return true;
      }
      current.count += 1;
      return current.count <= limit.requests;
    },
  };
}
