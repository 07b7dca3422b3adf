// Warm per-request cost, in this process: the raw RS256 floor (node:crypto sign and verify on a
// cached 2048-bit KeyObject), jose vs node:crypto JWT signing, the built bundle's handler with the
// two session kinds, and the Express peer, first as direct calls and then through HTTP on
// 127.0.0.1 with the same client. All cases run in the same interleaved rounds.
import { constants, createPublicKey, randomUUID, sign, verify, webcrypto } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import { startLocalDynamo } from '../../test/support/dynalite.ts';
import { lambdaContext } from '../../test/support/events.ts';
import { ALLOWED_ORIGIN, issuerSession } from '../../test/support/stand.ts';
import {
  createPeerApp,
  loadSession,
  SESSION_COOKIE,
  signOwnIdToken,
  storeLoggedInSession,
} from '../peer-express/app.ts';
import { handlerServer, keepAliveClient, listen } from '../support/http.ts';
import {
  amplifyCookieHeaders,
  type BenchStand,
  bearerHeaders,
  EMAIL,
  expressSessionCookie,
  proxyEvent,
} from '../support/stand.ts';
import { type CaseResult, ratio, runInterleaved, type Summary } from '../support/stats.ts';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

export interface WarmResult {
  readonly rounds: number;
  readonly cases: CaseResult[];
  readonly ratios: Record<string, Summary>;
  readonly secretsManager: {
    readonly callsAtInit: number;
    readonly callsDuringLoad: number;
    readonly requests: number;
    readonly shortTtl: { ttlSeconds: number; seconds: number; requests: number; calls: number };
  };
}

export const CASE = {
  floorSign: 'floor: crypto.sign RS256 (KeyObject)',
  floorVerify: 'floor: crypto.verify RS256 (KeyObject)',
  nodeJwt: 'JWT: header.claims + crypto.sign (sync)',
  joseJwt: 'JWT: jose SignJWT, cached CryptoKey (WebCrypto)',
  subtleSign: 'raw: crypto.subtle.sign, cached CryptoKey',
  joseJwt8: 'JWT: jose SignJWT, 8 in flight (per op)',
  handlerBearer: 'handler: generic-issuer JWT, bearer',
  handlerCognito: 'handler: Cognito ID token, Amplify cookie',
  handlerPolicy: 'handler: generic-issuer JWT, bearer, policy store on loopback dynalite',
  handlerOpaque: 'handler: opaque session cookie via the site endpoint, cache off',
  handlerOpaqueCached: 'handler: opaque session cookie via the site endpoint, 5 s cache',
  peerDirect: 'peer: session lookup + jwt.sign(PEM string)',
  httpProject: 'HTTP: node:http adapter + handler (bearer)',
  httpPeer: 'HTTP: Express + express-session + jsonwebtoken',
} as const;

const b64 = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

/** Routes the function's per-request log line to /dev/null: formatted and written, not displayed. */
export function silenceStdout(): () => void {
  const devNull = openSync('/dev/null', 'w');
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    if (typeof chunk === 'string') writeSync(devNull, chunk);
    else writeSync(devNull, chunk);
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
    closeSync(devNull);
  };
}

export async function importBundle(
  bundlePath: string,
  env: Record<string, string>,
  instance: string,
): Promise<Handler> {
  Object.assign(process.env, env);
  // A query string makes a separate module instance: a fresh cold start with this env.
  const module = (await import(`${pathToFileURL(bundlePath).href}?${instance}`)) as { handler: Handler };
  return module.handler;
}

export async function measureWarm(
  stand: BenchStand,
  bundlePath: string,
  options: { rounds: number; batchMs: number; log: (line: string) => void },
): Promise<WarmResult> {
  const restore = silenceStdout();
  try {
    const callsBefore = stand.secretsManager.calls.length;
    const handler = await importBundle(bundlePath, stand.env, 'warm');
    const callsAtInit = stand.secretsManager.calls.length - callsBefore;

    let handlerRequests = 0;
    const invoke = (headers: Record<string, string>) => {
      handlerRequests += 1;
      return handler(proxyEvent(headers), lambdaContext());
    };
    const is200 = (result: unknown) => (result as { statusCode: number }).statusCode === 200;
    for (const headers of [bearerHeaders(stand), amplifyCookieHeaders(stand)]) {
      const result = await invoke(headers);
      if (result.statusCode !== 200)
        throw new Error(`the handler answered ${result.statusCode}: ${result.body}`);
    }

    // The floor, and the token's own signing input for the JWT cases.
    const privateKey = stand.ownIdKey.privateKey;
    const publicKey = createPublicKey(privateKey);
    const cryptoKey = privateKey.toCryptoKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
      'sign',
    ]) as CryptoKey;
    const claims = () => {
      const iat = Math.floor(Date.now() / 1000);
      return { sub: EMAIL, iss: 'OwnID', aud: 'OwnID', iat, exp: iat + 60, jti: randomUUID() };
    };
    const header = { alg: 'RS256', typ: 'JWT' };
    const sampleInput = Buffer.from(`${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims()))}`);
    const sampleSignature = sign('sha256', sampleInput, privateKey);
    const nodeJwt = () => {
      const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims()))}`;
      return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PADDING }).toString('base64url')}`;
    };
    const joseJwt = () => new SignJWT(claims()).setProtectedHeader(header).sign(cryptoKey);

    // The peer, in this process: one logged-in session in its MemoryStore.
    const sessionSecret = 'bench-session-secret-0123456789abcdef';
    const sid = 'benchSessionId0123456789abcdefgh';
    const pem = stand.ownIdKey.pkcs1Pem;
    const peer = createPeerApp({ pem, sessionSecret });
    await storeLoggedInSession(peer.store, sid, EMAIL);
    const peerDirect = async () => {
      const data = await loadSession(peer.store, sid);
      const email = data?.user?.email;
      if (email === undefined) return undefined;
      return { email, token: signOwnIdToken(email, pem) };
    };

    // Opaque sessions (docs/opaque-sessions.md): a site on 127.0.0.1 answers its session endpoint; two instances,
    // without and with the positive cache. The measured cost includes the site's own answer.
    const site = await listen(
      createServer((req, res) => {
        const known = /(?:^|; )connect\.sid=s%3AbenchSid/.test(req.headers.cookie ?? '');
        res.writeHead(known ? 200 : 401, { 'content-type': 'application/json' });
        res.end(known ? `{"email":"${EMAIL}","email_verified":true}` : '{}');
      }),
    );
    const opaqueEnv = (cacheSeconds: number) => ({
      ...stand.env,
      SESSION_INTROSPECTION_URL: `${site.url}/session`,
      SESSION_INTROSPECTION_COOKIES: 'connect.sid',
      SESSION_INTROSPECTION_CACHE_SECONDS: String(cacheSeconds),
    });
    const callsBeforeOpaque = stand.secretsManager.calls.length;
    const opaque = await importBundle(bundlePath, opaqueEnv(0), 'opaque');
    const opaqueCached = await importBundle(bundlePath, opaqueEnv(5), 'opaque-cached');
    // Their own cold starts read the key once each: not calls of the warm instance under load.
    const opaqueInitCalls = stand.secretsManager.calls.length - callsBeforeOpaque;
    for (const name of [
      'SESSION_INTROSPECTION_URL',
      'SESSION_INTROSPECTION_COOKIES',
      'SESSION_INTROSPECTION_CACHE_SECONDS',
    ]) {
      delete process.env[name];
    }
    const opaqueHeaders = { Cookie: 'connect.sid=s%3AbenchSid.signature; _ga=GA1.1', Origin: ALLOWED_ORIGIN };
    const invokeOpaque = (target: Handler) => () => target(proxyEvent(opaqueHeaders), lambdaContext());
    for (const target of [opaque, opaqueCached]) {
      const result = await invokeOpaque(target)();
      if (result.statusCode !== 200)
        throw new Error(`the opaque-session handler answered ${result.statusCode}`);
    }

    // The policy path: the same bearer route with the state table on loopback. Many users in turn, so
    // none reaches the hourly limit; each request after a user's first is the two-call repeat shape.
    const dynamo = await startLocalDynamo('bench-policy');
    const policyEnv = {
      ENROLLMENT_STATE_TABLE: dynamo.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      POLICY_MAX_TOKENS_PER_HOUR: '1000',
    };
    const callsBeforePolicy = stand.secretsManager.calls.length;
    const withPolicy = await importBundle(bundlePath, { ...stand.env, ...policyEnv }, 'policy');
    // Its cold start reads the key once too: not a call of the warm instance under load.
    const policyInitCalls = stand.secretsManager.calls.length - callsBeforePolicy;
    for (const name of Object.keys(policyEnv)) delete process.env[name];
    const exp = Math.floor(Date.now() / 1000) + 3 * 3600;
    const policySessions = await Promise.all(
      Array.from({ length: 64 }, (_, i) => issuerSession(stand, { email: `bench-${i}@example.com`, exp })),
    );
    let policyTurn = 0;
    const invokePolicy = () => {
      const session = policySessions[policyTurn++ % policySessions.length];
      return withPolicy(
        proxyEvent({ ...bearerHeaders(stand), Authorization: `Bearer ${session}` }),
        lambdaContext(),
      );
    };
    if (!is200(await invokePolicy())) throw new Error('the policy handler did not issue a token');

    const projectHttp = await listen(
      handlerServer(async (event, context) => {
        handlerRequests += 1;
        return handler(event, context);
      }),
    );
    const peerHttp = await listen(createServer(peer.app));
    const client = keepAliveClient();
    const projectHeaders = bearerHeaders(stand);
    const peerHeaders = {
      Cookie: expressSessionCookie(SESSION_COOKIE, sid, sessionSecret),
      'Content-Type': 'application/json',
    };
    const httpOk = (result: unknown) => (result as { status: number }).status === 200;
    for (const [url, headers] of [
      [projectHttp.url, projectHeaders],
      [peerHttp.url, peerHeaders],
    ] as const) {
      const answer = await client.post(`${url}/generate-auth-token`, headers);
      if (answer.status !== 200) throw new Error(`${url} answered ${answer.status}: ${answer.body}`);
    }

    const cases = await runInterleaved(
      [
        { name: CASE.floorSign, run: () => sign('sha256', sampleInput, privateKey) },
        { name: CASE.floorVerify, run: () => verify('sha256', sampleInput, publicKey, sampleSignature) },
        { name: CASE.nodeJwt, run: nodeJwt },
        { name: CASE.joseJwt, run: joseJwt },
        {
          name: CASE.subtleSign,
          run: () => webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', cryptoKey, sampleInput),
        },
        { name: CASE.joseJwt8, run: joseJwt, concurrency: 8 },
        { name: CASE.handlerBearer, run: () => invoke(projectHeaders), check: is200 },
        { name: CASE.handlerCognito, run: () => invoke(amplifyCookieHeaders(stand)), check: is200 },
        { name: CASE.handlerPolicy, run: invokePolicy, check: is200 },
        { name: CASE.handlerOpaque, run: invokeOpaque(opaque), check: is200 },
        { name: CASE.handlerOpaqueCached, run: invokeOpaque(opaqueCached), check: is200 },
        { name: CASE.peerDirect, run: peerDirect, check: (result) => result !== undefined },
        {
          name: CASE.httpProject,
          run: () => client.post(`${projectHttp.url}/generate-auth-token`, projectHeaders),
          check: httpOk,
        },
        {
          name: CASE.httpPeer,
          run: () => client.post(`${peerHttp.url}/generate-auth-token`, peerHeaders),
          check: httpOk,
        },
      ],
      {
        rounds: options.rounds,
        batchMs: options.batchMs,
        onProgress: (round) => options.log(`  warm round ${round}/${options.rounds}`),
      },
    );
    client.close();
    await Promise.all([projectHttp.close(), peerHttp.close(), site.close(), dynamo.stop()]);
    const callsDuringLoad =
      stand.secretsManager.calls.length - callsBefore - callsAtInit - opaqueInitCalls - policyInitCalls;

    const byName = new Map(cases.map((c) => [c.name, c]));
    const get = (name: string) => byName.get(name) as CaseResult;
    const floor = get(CASE.floorSign);
    const ratios: Record<string, Summary> = {};
    for (const c of cases) ratios[c.name] = ratio(c, floor);
    ratios['JWT: jose / node:crypto'] = ratio(get(CASE.joseJwt), get(CASE.nodeJwt));
    ratios['HTTP: peer / project'] = ratio(get(CASE.httpPeer), get(CASE.httpProject));
    ratios['policy: store on / off'] = ratio(get(CASE.handlerPolicy), get(CASE.handlerBearer));

    // Key cache: a second instance with a 1 s cache, driven for a few seconds.
    const shortTtl = await keyCachePeriods(stand, bundlePath, 1, 3_500);
    return {
      rounds: options.rounds,
      cases,
      ratios,
      secretsManager: { callsAtInit, callsDuringLoad, requests: handlerRequests, shortTtl },
    };
  } finally {
    restore();
  }
}

async function keyCachePeriods(
  stand: BenchStand,
  bundlePath: string,
  ttlSeconds: number,
  durationMs: number,
) {
  const before = stand.secretsManager.calls.length;
  const handler = await importBundle(
    bundlePath,
    { ...stand.env, KEY_CACHE_TTL_SECONDS: String(ttlSeconds) },
    `ttl${ttlSeconds}`,
  );
  delete process.env.KEY_CACHE_TTL_SECONDS;
  const start = performance.now();
  let requests = 0;
  while (performance.now() - start < durationMs) {
    const result = await handler(proxyEvent(bearerHeaders(stand)), lambdaContext());
    if (result.statusCode !== 200) throw new Error(`short-TTL instance answered ${result.statusCode}`);
    requests += 1;
  }
  return {
    ttlSeconds,
    seconds: durationMs / 1000,
    requests,
    calls: stand.secretsManager.calls.length - before,
  };
}
