// Throughput under load, each server in its own process, autocannon in this one: the local server
// (dev/local-server.ts, the `npm start` code path, the bundle in a worker thread) with a valid bearer
// session, and the Express peer with its session cookie. Bounded: fixed duration and connections.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { SESSION_COOKIE } from '../peer-express/app.ts';
import { compileChild, type ServerChild, startServerChild } from '../support/processes.ts';
import { type BenchStand, bearerHeaders, EMAIL, expressSessionCookie } from '../support/stand.ts';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly completed: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodes: Record<string, number>;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
}

export interface ThroughputResult {
  readonly durationSeconds: number;
  readonly connections: number;
  readonly project: LoadResult & { readonly secretsManagerCalls: number; readonly functionLogLines: number };
  readonly peer: LoadResult;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function load(
  server: ServerChild,
  headers: Record<string, string>,
  durationSeconds: number,
  connections: number,
) {
  const url = `${server.url}/generate-auth-token`;
  // A short warm-up, so that "before" is a warm instance, not a cold one.
  await autocannon({ url, connections: 2, duration: 1, method: 'POST', headers, body: '{}' });
  const before = await server.rss();
  const result: Result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    method: 'POST',
    headers,
    body: '{}',
  });
  const after = await server.rss();
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count;
  return {
    load: {
      requestsPerSecond: result.requests.average,
      completed: result.latency.totalCount ?? result['2xx'] + result.non2xx,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodes,
      rssBeforeMb: mb(before.rss),
      rssAfterMb: mb(after.rss),
    },
    logLinesDuringLoad: (after.functionLogLines ?? 0) - (before.functionLogLines ?? 0),
  };
}

export async function measureThroughput(
  stand: BenchStand,
  options: { durationSeconds: number; connections: number; log: (line: string) => void },
): Promise<ThroughputResult> {
  const { durationSeconds, connections } = options;
  const peerChild = await compileChild('bench/peer-express/server.ts', 'peer-server');
  const keyDir = mkdtempSync(join(tmpdir(), 'ownid-bench-'));
  let project: ServerChild | undefined;
  let peer: ServerChild | undefined;
  try {
    options.log('  throughput: local server (npm start code path)');
    project = await startServerChild(['--import', 'tsx', 'bench/children/local-server.ts'], {
      PATH: process.env.PATH,
      ...stand.env,
    });
    const callsBefore = stand.secretsManager.calls.length;
    const projectLoad = await load(project, bearerHeaders(stand), durationSeconds, connections);
    const secretsManagerCalls = stand.secretsManager.calls.length - callsBefore;
    await project.close();
    project = undefined;

    options.log('  throughput: Express peer');
    const pemFile = join(keyDir, 'ownid.pem');
    writeFileSync(pemFile, stand.ownIdKey.pkcs1Pem, { mode: 0o600 });
    const sessionSecret = 'bench-session-secret-0123456789abcdef';
    const sid = 'benchSessionId0123456789abcdefgh';
    peer = await startServerChild([peerChild], {
      PATH: process.env.PATH,
      PEER_PEM_FILE: pemFile,
      PEER_SESSION_SECRET: sessionSecret,
      PEER_SESSION_ID: sid,
      PEER_EMAIL: EMAIL,
      NODE_ENV: 'production',
    });
    const peerLoad = await load(
      peer,
      {
        Cookie: expressSessionCookie(SESSION_COOKIE, sid, sessionSecret),
        'Content-Type': 'application/json',
      },
      durationSeconds,
      connections,
    );
    return {
      durationSeconds,
      connections,
      project: { ...projectLoad.load, secretsManagerCalls, functionLogLines: projectLoad.logLinesDuringLoad },
      peer: peerLoad.load,
    };
  } finally {
    await project?.close();
    await peer?.close();
    rmSync(keyDir, { recursive: true, force: true });
  }
}
