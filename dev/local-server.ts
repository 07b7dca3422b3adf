// The local server: `POST /generate-auth-token` (any method, in fact; that exact path only) goes to the built Lambda bundle
// as an API Gateway REST proxy event, and the result comes back as the HTTP response. Around it, the
// demo site and, when nothing is configured, dev mode (a dev OwnID key and a dev session issuer).
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { createDevSessionIssuer, type DevSessionIssuer, OpaqueSessionStore } from './demo-sessions.ts';
import { createDemoSite, ownIdSdkSettings } from './demo-site.ts';
import { type DevFiles, ensureDevFiles, publicJwkOf, readPrivateKey } from './dev-files.ts';
import { type FunctionHost, InvocationError, startFunction } from './function-host.ts';
import { BodyTooLargeError, jsonReply, type Reply, readBody, send } from './http-reply.ts';
import {
  type DemoSessionMode,
  type Env,
  type LocalSettings,
  parseSessionMode,
  resolveLocalSettings,
  usesDevKey,
  usesDevSession,
} from './local-settings.ts';
import { BAD_GATEWAY, fromProxyResult, toRestEvent } from './rest-event.ts';

export const ENDPOINT_PATH = '/generate-auth-token';
export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
const projectRoot = resolve(import.meta.dirname, '..');
export const BUNDLE_PATH = join(projectRoot, 'dist/functions/generate-auth-token/index.mjs');
export const SNIPPET_PATH = join(projectRoot, 'dist/web-snippet/ownid-enroll.min.js');

export interface LocalServerOptions {
  /** 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' (loopback only) */
  readonly host?: string;
  /** Settings (the names of docs/contract.md, Settings; OWNID_APP_ID, OWNID_DEV_DIR, DEMO_SESSION). @default process.env */
  readonly env?: Env;
  /** Where `.local/` is made. @default process.cwd() */
  readonly cwd?: string;
  /** The dev files folder. @default env.OWNID_DEV_DIR, else `<cwd>/.local` */
  readonly devDir?: string;
  /** The demo session kind in dev mode. @default env.DEMO_SESSION, else 'jwt' */
  readonly sessionMode?: DemoSessionMode;
  /** Request body cap of the endpoint (API Gateway's is far larger; the function never reads the body). @default 16 KiB */
  readonly maxBodyBytes?: number;
  /** Per-client-IP limit, counted apart for the endpoint and for the demo login; false turns it off. @default 60 per minute each */
  readonly rateLimit?: { readonly requests: number; readonly windowMs: number } | false;
  /** The function's stdout, line by line (its JSON request log). @default - written to process.stdout */
  readonly onFunctionLog?: (line: string) => void;
  readonly bundlePath?: string;
  readonly snippetPath?: string;
}

export interface LocalServer {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly settings: LocalSettings;
  /** Set when dev mode made or used files. */
  readonly devFiles: DevFiles | undefined;
  readonly sdk: { readonly appId: string | undefined; readonly sdkUrl: string | undefined };
  close(): Promise<void>;
}

const MAX_HEADER_COUNT = 100;
// Enough for the function's own caps (8 KiB Authorization, 16 KiB Cookie) to be the ones that answer.
const MAX_HEADER_BYTES = 32 * 1024;

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::', '']);

/** Where the function reaches this server (JWKS, session endpoint): loopback, as the config demands for http. */
function callbackBaseFor(host: string, port: number): string {
  if (host === '::1') return `http://[::1]:${port}`;
  if (host === 'localhost') return `http://localhost:${port}`;
  return `http://127.0.0.1:${port}`;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const env = options.env ?? process.env;
  const host = options.host ?? DEFAULT_HOST;
  const cwd = options.cwd ?? process.cwd();
  const sessionMode = options.sessionMode ?? parseSessionMode(env.DEMO_SESSION?.trim());
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  const onFunctionLog = options.onFunctionLog ?? ((line: string) => process.stdout.write(`${line}\n`));
  const limiterFor = () =>
    options.rateLimit === false
      ? undefined
      : createRateLimiter(options.rateLimit ?? { requests: 60, windowMs: 60_000 });
  // Apart, so signing in again and again does not use up the endpoint's allowance (or the other way round).
  const endpointLimiter = limiterFor();
  const loginLimiter = limiterFor();

  const devSessionWanted = usesDevSession(env);
  if (devSessionWanted && !LOOPBACK_OR_ANY.has(host)) {
    throw new Error(
      `dev mode serves its session JWKS over http, which the function accepts from loopback only: use HOST=127.0.0.1 (or 0.0.0.0), not ${host}`,
    );
  }
  const devDir = options.devDir ?? (env.OWNID_DEV_DIR?.trim() || join(cwd, '.local'));
  const devFiles =
    usesDevKey(env) || devSessionWanted
      ? ensureDevFiles(isAbsolute(devDir) ? devDir : resolve(cwd, devDir))
      : undefined;
  const sdk = ownIdSdkSettings(env);
  const opaqueSessions = new OpaqueSessionStore();

  // The server listens before the function starts: its cold start fetches the dev JWKS from here.
  // Demo routes answer as soon as they exist; the endpoint waits for the cold start to finish.
  let routeRequest = async (_req: IncomingMessage, res: ServerResponse) => {
    send(res, jsonReply(503, { message: 'Service Unavailable' }));
  };
  let markSiteReady: () => void = () => undefined;
  const siteReady = new Promise<void>((resolveSite) => {
    markSiteReady = resolveSite;
  });
  let markStarted: () => void = () => undefined;
  let markFailed: (error: Error) => void = () => undefined;
  const functionStarted = new Promise<void>((resolveStarted, rejectStarted) => {
    markStarted = resolveStarted;
    markFailed = rejectStarted;
  });
  functionStarted.catch(() => undefined);

  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 30_000, headersTimeout: 10_000 },
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) send(res, jsonReply(500, { message: 'Internal Server Error' }));
        else res.destroy();
      });
    },
  );
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.rawHeaders.length / 2 > MAX_HEADER_COUNT) {
      send(res, jsonReply(431, { message: 'Request Header Fields Too Large' }, { Connection: 'close' }));
      return;
    }
    await siteReady;
    await routeRequest(req, res);
  };

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  const displayHost =
    host === '0.0.0.0' || host === '::' || host === ''
      ? '127.0.0.1'
      : host.includes(':')
        ? `[${host}]`
        : host;
  const url = `http://${displayHost}:${port}`;
  const callbackBase = callbackBaseFor(host, port);
  const ownOrigins = [
    ...new Set([
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      ...(/^[a-z0-9.-]+$/.test(displayHost) ? [url] : []),
    ]),
  ];

  let fn: FunctionHost | undefined;
  let settings: LocalSettings;
  try {
    settings = resolveLocalSettings({
      env,
      callbackBase,
      ownOrigins,
      sessionMode,
      devKeyPath: devFiles?.ownidKeyPath ?? '',
    });
    let issuer: DevSessionIssuer | undefined;
    if (settings.devSession === 'jwt' && devFiles !== undefined) {
      issuer = await createDevSessionIssuer(readPrivateKey(devFiles.sessionIssuerKeyPath), {
        issuer: `${callbackBase}/dev-issuer`,
      });
    }
    const keyFile = settings.functionEnv.OWNID_PRIVATE_KEY_FILE;
    const ownIdPublicJwk = keyFile === undefined ? undefined : publicJwkFromFile(resolve(cwd, keyFile));
    const demoSite = createDemoSite({
      settings,
      ownOrigins,
      issuer,
      opaqueSessions,
      ownIdPublicJwk,
      snippetPath: options.snippetPath ?? SNIPPET_PATH,
      sdk,
      sessionSharedToken: env.DEMO_SESSION_SHARED_TOKEN?.trim() || undefined,
    });
    const functionEnv = { ...settings.functionEnv };
    if (keyFile !== undefined) functionEnv.OWNID_PRIVATE_KEY_FILE = resolve(cwd, keyFile);

    routeRequest = async (req, res) => {
      const target = req.url ?? '/';
      // Exactly the endpoint path, as sent: `//x/generate-auth-token`, `http://host/generate-auth-token`
      // or `/a/../generate-auth-token` are other paths (URL parsing would make them this one).
      if (target.split('?', 1)[0] === ENDPOINT_PATH) {
        await invokeEndpoint(req, res);
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
      const reply = await demoSite(req, requestUrl);
      send(res, reply ?? jsonReply(404, { message: 'Not Found' }));
    };

    const invokeEndpoint = async (req: IncomingMessage, res: ServerResponse) => {
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
        url: req.url ?? ENDPOINT_PATH,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        requestId,
        requestTimeEpoch: Date.now(),
        resource: ENDPOINT_PATH,
      });
      let response = BAD_GATEWAY;
      try {
        response = fromProxyResult(await (fn as FunctionHost).invoke(event, requestId));
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

    markSiteReady();
    fn = await startFunction({
      bundlePath: options.bundlePath ?? BUNDLE_PATH,
      env: functionEnv,
      onLog: onFunctionLog,
    });
    markStarted();
  } catch (error) {
    markFailed(error as Error);
    markSiteReady();
    server.closeAllConnections();
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    throw error;
  }

  return {
    url,
    port,
    host,
    settings,
    devFiles,
    sdk,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      await fn?.close();
    },
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

function publicJwkFromFile(path: string): Record<string, string> | undefined {
  try {
    return publicJwkOf(readPrivateKey(path), { alg: 'RS256', use: 'sig' });
  } catch {
    // Not a plain PEM (e.g. the JSON secret form): the stand-in then says it cannot check the signature.
    return undefined;
  }
}

/** Fixed-window counter per client address. */
function createRateLimiter(limit: { readonly requests: number; readonly windowMs: number }) {
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
