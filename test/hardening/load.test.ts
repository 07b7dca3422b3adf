// A bounded load test of the local server (dev/local-server.ts, the built Lambda bundle in
// a worker thread) on 127.0.0.1 with autocannon: 20,000 requests over 64 connections, one
// autocannon instance per request kind running side by side, so each kind's statuses are counted
// exactly. Zero 5xx, zero errors or timeouts, zero wrong statuses; memory settles back.
//
// Memory is judged on the heaps after a real GC: the function's (its worker thread, through the
// inspector) and this thread's. RSS is reported, not judged: it keeps a worker's uncollected garbage
// and the allocator's high-water mark (it grew ~80% over 20,000 requests while the worker heap
// after GC stayed flat at ~11 MB over 50,000).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../dev/local-server.ts';
import { cognitoClaims, flipSignatureBit, issuerClaims } from '../support/forged-tokens.ts';
import { LogAudit, spyOnProcessOutput } from '../support/log-audit.ts';
import { ALLOWED_ORIGIN, COGNITO_KID, ISSUER_KID, type Stand, startStand } from '../support/scenario.ts';
import { sessionJwt } from '../support/tokens.ts';
import { attachWorkerHeapProbe, type WorkerHeapProbe } from '../support/worker-heap.ts';

// autocannon ships no types: the part of its API used here.
interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly amount: number;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly timeout: number;
}
interface LoadResult {
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodeStats: Record<string, { count: number }>;
  readonly latency: { readonly p99: number; readonly max: number };
  readonly requests: { readonly average: number };
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: LoadOptions,
) => Promise<LoadResult>;

const TOTAL_REQUESTS = 20_000;
const CONNECTIONS = 64;
const EVIL_ORIGIN = 'https://app.example.com.evil.test';

interface Kind {
  readonly name: string;
  readonly share: number;
  readonly connections: number;
  readonly method: string;
  readonly headers: () => Record<string, string>;
  readonly status: number;
}

let stand: Stand;
let server: LocalServer;
let cwd: string;
const audit = new LogAudit();
/** The function's log, checked line by line as it arrives (kept lines would be the leak measured). */
const functionLog = {
  lines: 0,
  requestLines: 0,
  statuses: new Map<number, number>(),
  problems: [] as string[],
};
let probe: WorkerHeapProbe;
let output: ReturnType<typeof spyOnProcessOutput>;
let tokens: { ada: string; cognito: string; forged: string };

// A real GC for a steadier reading of the heap (vitest does not start workers with --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

beforeAll(async () => {
  output = spyOnProcessOutput();
  stand = await startStand();
  cwd = mkdtempSync(join(tmpdir(), 'load-'));
  const ada = await sessionJwt(
    issuerClaims({ exp: Math.floor(Date.now() / 1000) + 3600 }),
    stand.issuerKey.privateKey,
    {
      kid: ISSUER_KID,
    },
  );
  const cognito = await sessionJwt(cognitoClaims(), stand.cognitoKey.privateKey, { kid: COGNITO_KID });
  tokens = { ada, cognito, forged: flipSignatureBit(ada) };
  for (const token of Object.values(tokens)) audit.noteSecret(token);
  audit.noteEmail('ada@example.com');
  server = await startLocalServer({
    port: 0,
    host: '127.0.0.1',
    env: stand.env,
    cwd,
    rateLimit: false,
    // The store-off path: with the policy, the per-user hourly limit would answer most requests 429.
    embeddedStateStore: false,
    onFunctionLog: (line) => {
      functionLog.lines += 1;
      if (functionLog.problems.length < 20) functionLog.problems.push(...audit.findProblems([line]));
      const parsed = JSON.parse(line) as { message?: string; status?: number };
      if (parsed.message !== 'generate-auth-token') return;
      functionLog.requestLines += 1;
      const status = parsed.status ?? 0;
      functionLog.statuses.set(status, (functionLog.statuses.get(status) ?? 0) + 1);
    },
  });
  probe = await attachWorkerHeapProbe();
}, 60_000);
afterAll(async () => {
  output.restore();
  await probe?.close();
  await server?.close();
  await stand?.close();
  if (cwd !== undefined) rmSync(cwd, { recursive: true, force: true });
});

const KINDS: readonly Kind[] = [
  {
    name: 'valid bearer (issuer)',
    share: 0.2,
    connections: 12,
    method: 'POST',
    status: 200,
    headers: () => ({ authorization: `Bearer ${tokens.ada}`, origin: ALLOWED_ORIGIN }),
  },
  {
    name: 'valid Amplify cookie (Cognito)',
    share: 0.1,
    connections: 8,
    method: 'POST',
    status: 200,
    headers: () => ({
      cookie: `CognitoIdentityServiceProvider.client1abc.ada.idToken=${tokens.cognito}`,
      origin: ALLOWED_ORIGIN,
    }),
  },
  {
    name: 'no session',
    share: 0.25,
    connections: 14,
    method: 'POST',
    status: 401,
    headers: () => ({ origin: ALLOWED_ORIGIN }),
  },
  {
    name: 'bad signature',
    share: 0.25,
    connections: 14,
    method: 'POST',
    status: 401,
    headers: () => ({ authorization: `Bearer ${tokens.forged}` }),
  },
  {
    name: 'cookie from a foreign origin',
    share: 0.1,
    connections: 8,
    method: 'POST',
    status: 403,
    headers: () => ({ cookie: `app_session=${tokens.ada}`, origin: EVIL_ORIGIN }),
  },
  {
    name: 'preflight',
    share: 0.1,
    connections: 8,
    method: 'OPTIONS',
    status: 204,
    headers: () => ({ origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' }),
  },
];

async function settledMemory() {
  const workers = await probe.measure();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return {
    rss,
    heapUsed,
    functionHeap: workers.reduce((sum, w) => sum + w.usedBytes, 0),
    workers: workers.length,
  };
}

function runKinds(total: number) {
  return Promise.all(
    KINDS.map(async (kind) => {
      const amount = Math.round(total * kind.share);
      const result = await autocannon({
        url: `${server.url}/generate-auth-token`,
        connections: kind.connections,
        amount,
        method: kind.method,
        headers: kind.headers(),
        timeout: 10,
      });
      return { kind, amount, result };
    }),
  );
}

describe('load on the local server', () => {
  it(`${TOTAL_REQUESTS} mixed requests at ${CONNECTIONS} connections: every status right, no 5xx, memory steady`, async () => {
    expect(KINDS.reduce((sum, k) => sum + k.connections, 0)).toBe(CONNECTIONS);
    expect(KINDS.reduce((sum, k) => sum + k.share, 0)).toBeCloseTo(1);

    // Warm-up: JIT, connection pools and the worker's heap reach their working size first.
    await runKinds(2_000);
    const before = await settledMemory();
    const requestLinesBefore = functionLog.requestLines;
    const started = performance.now();
    const runs = await runKinds(TOTAL_REQUESTS);
    const elapsedMs = performance.now() - started;
    const after = await settledMemory();

    const summary = runs.map(({ kind, amount, result }) => ({
      kind: kind.name,
      amount,
      statuses: Object.fromEntries(
        Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
      ),
      errors: result.errors,
      timeouts: result.timeouts,
      p99Ms: result.latency.p99,
    }));
    for (const { kind, amount, result } of runs) {
      expect({ kind: kind.name, errors: result.errors, timeouts: result.timeouts }).toEqual({
        kind: kind.name,
        errors: 0,
        timeouts: 0,
      });
      expect({ kind: kind.name, statuses: result.statusCodeStats }).toEqual({
        kind: kind.name,
        statuses: { [String(kind.status)]: { count: amount } },
      });
    }
    const served = runs.reduce((sum, { amount }) => sum + amount, 0);
    expect(served).toBe(TOTAL_REQUESTS);
    // Every request went through the function and wrote its one log line; none was a 5xx.
    expect(functionLog.requestLines - requestLinesBefore).toBe(TOTAL_REQUESTS);
    expect([...functionLog.statuses.keys()].filter((status) => status >= 500)).toEqual([]);

    expect(elapsedMs).toBeLessThan(60_000);
    const memory = JSON.stringify({ before, after, summary });
    expect(after.workers, memory).toBe(1);
    expect(after.functionHeap, memory).toBeLessThanOrEqual(before.functionHeap * 1.2);
    expect(after.heapUsed, memory).toBeLessThanOrEqual(before.heapUsed * 1.2);
    // A gross leak would still show in RSS, whatever the allocator keeps.
    expect(after.rss, memory).toBeLessThan(1024 * 1024 * 1024);
  }, 90_000);

  it('the function log of the whole run holds no token, cookie, email or key, and every refusal has a reason code', () => {
    expect(functionLog.requestLines).toBeGreaterThanOrEqual(TOTAL_REQUESTS);
    expect(functionLog.problems).toEqual([]);
    expect(audit.findProblems(output.lines)).toEqual([]);
  });
});
