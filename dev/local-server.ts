// The local server: listens, works out the settings (dev mode when nothing is configured: a dev
// OwnID key, a dev session issuer and an embedded state store), starts the built Lambda bundle and
// the demo site, and hands every request to the router (dev/local-router.ts), which sends the
// function's paths to the function.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDevSessionIssuer, type DevSessionIssuer, OpaqueSessionStore } from './demo-sessions.ts';
import { createDemoSite, demoSessionReader, ownIdSdkSettings } from './demo-site.ts';
import { type DevFiles, ensureDevFiles, publicJwkOf, readPrivateKey } from './dev-files.ts';
import { type FunctionHost, startFunction } from './function-host.ts';
import { createFunnelCounters, withFunnelRoute } from './funnel-counters.ts';
import { jsonReply, send } from './http-reply.ts';
import { createLocalRouter, createRateLimiter } from './local-router.ts';
import {
  type DemoSessionMode,
  type Env,
  type LocalSettings,
  parseSessionMode,
  resolveLocalSettings,
  usesDevKey,
  usesDevSession,
  usesEmbeddedStateStore,
} from './local-settings.ts';
import { createPolicyPanel } from './policy-panel.ts';
import { type EmbeddedStateStore, startEmbeddedStateStore } from './state-store-local.ts';

export { ENDPOINT_PATH, OUTCOME_PATH } from './local-router.ts';
export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
const projectRoot = resolve(import.meta.dirname, '..');
export const BUNDLE_PATH = join(projectRoot, 'dist/functions/generate-auth-token/index.mjs');
export const SNIPPET_PATH = join(projectRoot, 'web-snippet/dist/ownid-enroll.min.js');

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
  /**
   * Start the embedded state store when ENROLLMENT_STATE_TABLE is not set; false runs the function
   * without a store (no policy), e.g. for a load test of the store-off path. @default true
   */
  readonly embeddedStateStore?: boolean;
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
  /** The embedded state store (dynalite), when no ENROLLMENT_STATE_TABLE is configured. */
  readonly embeddedStore: EmbeddedStateStore | undefined;
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
  // Started while the server binds its port; awaited (or closed) below.
  const embeddedStoreStarting =
    options.embeddedStateStore !== false && usesEmbeddedStateStore(env)
      ? startEmbeddedStateStore()
      : undefined;
  embeddedStoreStarting?.catch(() => undefined);

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

  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(options.port ?? DEFAULT_PORT, host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    await (await embeddedStoreStarting?.catch(() => undefined))?.close();
    throw error;
  }
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
  let embeddedStore: EmbeddedStateStore | undefined;
  let panelClient: DynamoDBClient | undefined;
  try {
    embeddedStore = await embeddedStoreStarting;
    settings = resolveLocalSettings({
      env,
      callbackBase,
      ownOrigins,
      sessionMode,
      devKeyPath: devFiles?.ownidKeyPath ?? '',
      embeddedStore,
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
    panelClient = embeddedStore?.client ?? configuredStoreClient(functionEnv);
    const readSession = demoSessionReader({ settings, issuer, opaqueSessions });
    // The demo's funnel: the dashboard's counts, from the function's own metric lines.
    const funnel = createFunnelCounters();
    const onLog = (line: string) => {
      funnel.read(line);
      onFunctionLog(line);
    };
    const policyPanel = createPolicyPanel({
      store:
        panelClient === undefined
          ? undefined
          : {
              client: panelClient,
              tableName: functionEnv.ENROLLMENT_STATE_TABLE ?? '',
              label:
                embeddedStore === undefined ? 'the configured table' : 'the embedded dynalite (in memory)',
            },
      keyFile: functionEnv.OWNID_PRIVATE_KEY_FILE,
      sessionEmail: async (req) => (await readSession(req))?.email,
      ownOrigins,
      functionEnv,
    });
    const devRoute = withFunnelRoute(funnel, (snapshot) => jsonReply(200, snapshot), policyPanel);

    routeRequest = createLocalRouter({
      demoSite,
      devRoute,
      endpointLimiter,
      loginLimiter,
      maxBodyBytes,
      functionStarted,
      invoke: (event, requestId) => (fn as FunctionHost).invoke(event, requestId),
    });

    markSiteReady();
    fn = await startFunction({
      bundlePath: options.bundlePath ?? BUNDLE_PATH,
      env: functionEnv,
      onLog,
    });
    markStarted();
  } catch (error) {
    markFailed(error as Error);
    markSiteReady();
    server.closeAllConnections();
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    if (panelClient !== embeddedStore?.client) panelClient?.destroy();
    await (embeddedStore ?? (await embeddedStoreStarting?.catch(() => undefined)))?.close();
    throw error;
  }

  return {
    url,
    port,
    host,
    settings,
    devFiles,
    sdk,
    embeddedStore,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      await fn?.close();
      if (panelClient !== embeddedStore?.client) panelClient?.destroy();
      await embeddedStore?.close();
    },
  };
}

/** A client on the store the user configured, for the demo panel: the function's endpoint, region and credentials. */
function configuredStoreClient(functionEnv: Readonly<Record<string, string>>): DynamoDBClient | undefined {
  if ((functionEnv.ENROLLMENT_STATE_TABLE ?? '').trim() === '') return undefined;
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = functionEnv;
  return new DynamoDBClient({
    region: functionEnv.AWS_REGION,
    endpoint: functionEnv.AWS_ENDPOINT_URL_DYNAMODB,
    ...(AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: AWS_ACCESS_KEY_ID,
            secretAccessKey: AWS_SECRET_ACCESS_KEY,
            sessionToken: AWS_SESSION_TOKEN,
          },
        }
      : {}),
    maxAttempts: 2,
  });
}

function publicJwkFromFile(path: string): Record<string, string> | undefined {
  try {
    return publicJwkOf(readPrivateKey(path), { alg: 'RS256', use: 'sig' });
  } catch {
    // Not a plain PEM (e.g. the JSON secret form): the stand-in then says it cannot check the signature.
    return undefined;
  }
}
