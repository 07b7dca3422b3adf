// Cold start in fresh processes, interleaved run by run: a bare `node -e 0` (process start and
// exit), the bundle (import with its init fetches from the stand-ins in this process, then the
// first invocation), and the Express peer (start, listen, first token over HTTP). Children get a
// clean environment (no NODE_OPTIONS, no loader) and run plain JS.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { SESSION_COOKIE } from '../peer-express/app.ts';
import { compileChild } from '../support/processes.ts';
import { type BenchStand, bearerHeaders, EMAIL, expressSessionCookie, proxyEvent } from '../support/stand.ts';
import { type Summary, summarise } from '../support/stats.ts';

export interface ColdResult {
  readonly runs: number;
  /** Spawn to exit of `node -e 0`. */
  readonly bareMs: Summary;
  readonly lambda: {
    /** Spawn to the first result received by the parent. */
    readonly totalMs: Summary;
    readonly aboveBareMs: Summary;
    /** Inside the child: process origin to the harness's first line. */
    readonly bootMs: Summary;
    /** import() of the bundle: module evaluation plus the top-level await (key + JWKS fetches). */
    readonly importMs: Summary;
    readonly firstInvokeMs: Summary;
    readonly secretsManagerCallsPerStart: number;
  };
  readonly peer: {
    readonly totalMs: Summary;
    readonly aboveBareMs: Summary;
    /** Inside the child: process origin to listening (express & co. loaded, key file read). */
    readonly listeningMs: Summary;
  };
}

function timeBare(): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { env: { PATH: process.env.PATH }, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - start));
  });
}

export interface LambdaRun {
  totalMs: number;
  bootMs: number;
  importMs: number;
  firstInvokeMs: number;
  /** Inside the child: process origin to the first answer (before any warm invocations). */
  sinceOriginMs: number;
  /** With BENCH_WARM_INVOCATIONS: the mean of the invocations after the first. */
  warmPerInvokeMs?: number;
}

/** One fresh process of bench/children/lambda-cold.ts: spawn to its result line, and its phases. */
export function timeLambda(childPath: string, env: Record<string, string>): Promise<LambdaRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [childPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /RESULT (.*)\n/.exec(out);
      if (match === null || done) return;
      done = true;
      const totalMs = performance.now() - start;
      const result = JSON.parse(match[1] as string) as LambdaRun & { status: number };
      if (result.status !== 200) reject(new Error(`cold start answered ${result.status}`));
      else
        resolve({
          totalMs,
          bootMs: result.bootMs,
          importMs: result.importMs,
          firstInvokeMs: result.firstInvokeMs,
          sinceOriginMs: result.sinceOriginMs,
          warmPerInvokeMs: result.warmPerInvokeMs,
        });
    });
    child.once('exit', (code) => {
      if (!done)
        reject(new Error(`the cold-start child exited (${code}) without a result: ${err.slice(-2000)}`));
    });
  });
}

function timePeer(
  childPath: string,
  env: Record<string, string>,
  cookie: string,
): Promise<{ totalMs: number; listeningMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [childPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let asked = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /READY (\S+) (\S+)\n/.exec(out);
      if (match === null || asked) return;
      asked = true;
      const listeningMs = Number(match[2]);
      const req = request(`${match[1]}/generate-auth-token`, {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/json', 'Content-Length': '2' },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          const totalMs = performance.now() - start;
          if (res.statusCode !== 200) reject(new Error(`the peer answered ${res.statusCode}`));
          else resolve({ totalMs, listeningMs });
        });
      });
      req.on('error', reject);
      req.end('{}');
    });
    child.once('exit', (code) => {
      if (!asked) reject(new Error(`the peer exited (${code}) before listening: ${err.slice(-2000)}`));
    });
  });
}

export async function measureCold(
  stand: BenchStand,
  bundlePath: string,
  options: { runs: number; log: (line: string) => void },
): Promise<ColdResult> {
  const [lambdaChild, peerChild] = await Promise.all([
    compileChild('bench/children/lambda-cold.ts', 'lambda-cold'),
    compileChild('bench/peer-express/server.ts', 'peer-server'),
  ]);
  const keyDir = mkdtempSync(join(tmpdir(), 'ownid-bench-'));
  try {
    const pemFile = join(keyDir, 'ownid.pem');
    writeFileSync(pemFile, stand.ownIdKey.pkcs1Pem, { mode: 0o600 });
    const sessionSecret = 'bench-session-secret-0123456789abcdef';
    const sid = 'benchSessionId0123456789abcdefgh';
    const lambdaEnv = {
      PATH: process.env.PATH ?? '',
      ...stand.env,
      BENCH_BUNDLE_URL: pathToFileURL(bundlePath).href,
      BENCH_EVENT: JSON.stringify(proxyEvent(bearerHeaders(stand))),
    };
    const peerEnv = {
      PATH: process.env.PATH ?? '',
      PEER_PEM_FILE: pemFile,
      PEER_SESSION_SECRET: sessionSecret,
      PEER_SESSION_ID: sid,
      PEER_EMAIL: EMAIL,
      BENCH_EXIT_AFTER_FIRST: '1',
      NODE_ENV: 'production',
    };
    const cookie = expressSessionCookie(SESSION_COOKIE, sid, sessionSecret);

    // One unrecorded pass of each: the OS file cache, not the process, should be warm.
    await timeBare();
    await timeLambda(lambdaChild, lambdaEnv);
    await timePeer(peerChild, peerEnv, cookie);

    const bare: number[] = [];
    const lambda: LambdaRun[] = [];
    const peer: { totalMs: number; listeningMs: number }[] = [];
    const callsBefore = stand.secretsManager.calls.length;
    for (let run = 0; run < options.runs; run++) {
      const steps = [
        async () => bare.push(await timeBare()),
        async () => lambda.push(await timeLambda(lambdaChild, lambdaEnv)),
        async () => peer.push(await timePeer(peerChild, peerEnv, cookie)),
      ];
      for (let k = 0; k < steps.length; k++)
        await (steps[(k + run) % steps.length] as () => Promise<unknown>)();
      if ((run + 1) % 5 === 0) options.log(`  cold start run ${run + 1}/${options.runs}`);
    }
    const bareMs = summarise(bare);
    const lambdaCalls = stand.secretsManager.calls.length - callsBefore;
    return {
      runs: options.runs,
      bareMs,
      lambda: {
        totalMs: summarise(lambda.map((r) => r.totalMs)),
        aboveBareMs: summarise(lambda.map((r, i) => r.totalMs - (bare[i] as number))),
        bootMs: summarise(lambda.map((r) => r.bootMs)),
        importMs: summarise(lambda.map((r) => r.importMs)),
        firstInvokeMs: summarise(lambda.map((r) => r.firstInvokeMs)),
        secretsManagerCallsPerStart: lambdaCalls / options.runs,
      },
      peer: {
        totalMs: summarise(peer.map((r) => r.totalMs)),
        aboveBareMs: summarise(peer.map((r, i) => r.totalMs - (bare[i] as number))),
        listeningMs: summarise(peer.map((r) => r.listeningMs)),
      },
    };
  } finally {
    rmSync(keyDir, { recursive: true, force: true });
  }
}
