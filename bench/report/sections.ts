// The report's sections, one renderer each: every function takes its part of the BenchReport and
// returns its Markdown lines.
import { CASE } from '../sections/warm.ts';
import type { CaseResult, Summary } from '../support/stats.ts';
import type { Cold, Sizes, Throughput, Warm } from './bench-report.ts';
import { GOALS, kb, ms, msRange, times, timesRange, us, usRange } from './format.ts';
import { table } from './markdown-table.ts';

function caseFinder(warm: Warm) {
  const byName = new Map(warm.cases.map((c) => [c.name, c]));
  return (name: string) => byName.get(name) as CaseResult;
}

/** 1. Warm per-request cost, jose vs node:crypto, the peer side by side. */
export function renderWarm(warm: Warm, chartFile: string): string[] {
  const out: string[] = [];
  const caseOf = caseFinder(warm);
  out.push(
    '## 1. Warm per-request cost',
    '',
    `In one process, ${warm.rounds} interleaved rounds (case order rotated every round), each case one timed batch of ` +
      'about 120 ms per round (`iterations`). Wall clock is the latency a request sees; CPU is `process.cpuUsage()` ' +
      '(all threads, so thread-pool signing counts) and is the steadier figure on a busy machine. × floor is taken ' +
      'per round against the raw `crypto.sign` of the same round, then summarised.',
    '',
    `![per-request cost](${chartFile})`,
    '',
  );
  const warmRows = warm.cases.map((c) => {
    const r = warm.ratios[c.name];
    return [
      c.name,
      us(c.perOpUs.median),
      usRange(c.perOpUs),
      r === undefined ? '' : `${times(r.median)} (${timesRange(r)})`,
      us(c.cpuPerOpUs.median),
      times(c.cpuPerOpUs.median / caseOf(CASE.floorSign).cpuPerOpUs.median),
      String(c.iterations),
      String(c.failures),
    ];
  });
  out.push(
    table(
      [
        'case',
        'wall median',
        'wall range',
        '× floor (range)',
        'CPU median',
        'CPU × floor',
        'iterations',
        'non-200',
      ],
      warmRows,
    ),
    '',
  );
  const jose = warm.ratios['JWT: jose / node:crypto'];
  const joseCase = caseOf(CASE.joseJwt);
  const nodeCase = caseOf(CASE.nodeJwt);
  out.push(
    '### Signing: jose (WebCrypto) vs node:crypto',
    '',
    table(
      ['signing the token', 'wall median', 'CPU median', 'vs node:crypto'],
      [
        [CASE.nodeJwt, us(nodeCase.perOpUs.median), us(nodeCase.cpuPerOpUs.median), '1.00×'],
        [
          CASE.joseJwt,
          us(joseCase.perOpUs.median),
          us(joseCase.cpuPerOpUs.median),
          jose === undefined ? '' : `${times(jose.median)} (${timesRange(jose)})`,
        ],
        [
          CASE.subtleSign,
          us(caseOf(CASE.subtleSign).perOpUs.median),
          us(caseOf(CASE.subtleSign).cpuPerOpUs.median),
          times(caseOf(CASE.subtleSign).perOpUs.median / nodeCase.perOpUs.median),
        ],
        [
          CASE.joseJwt8,
          us(caseOf(CASE.joseJwt8).perOpUs.median),
          us(caseOf(CASE.joseJwt8).cpuPerOpUs.median),
          times(caseOf(CASE.joseJwt8).perOpUs.median / nodeCase.perOpUs.median),
        ],
      ],
    ),
    '',
    '`crypto.subtle.sign` runs on the libuv thread pool: the main thread waits for a thread hop (and, on a busy ' +
      'machine, for a free core) on every token. A Lambda instance serves one request at a time, so only the ' +
      'sequential figure applies there; the 8-in-flight line shows the pool paying off only under concurrency.',
    '',
  );
  const httpRatio = warm.ratios['HTTP: peer / project'];
  out.push(
    '### The peer, side by side',
    '',
    '- **Direct** (no HTTP on either side): this project is `handler(event, context)` with a fresh REST proxy event; ' +
      'the peer is its route logic, i.e. the MemoryStore lookup express-session does once the cookie is unsigned, ' +
      "then `jwt.sign(claims, pem, { algorithm: 'RS256', expiresIn: 60 })` with the PEM string.",
    `- **HTTP** (same client, keep-alive, one request at a time, both servers in this process on 127.0.0.1): a ` +
      "`node:http` server with the local server's event adapter (`dev/rest-event.ts`, no worker hop) around the bundle's handler, vs the Express app with " +
      `express-session and its cookie. Peer / project over HTTP: ${httpRatio === undefined ? 'n/a' : `${times(httpRatio.median)} (${timesRange(httpRatio)})`}.`,
    "- The project does more per request than the peer: it verifies a session JWT (RS256 over the issuer's JWKS), " +
      'checks CORS, hashes the email for its log line and writes that line; the peer trusts its in-memory session.',
    '',
  );
  return out;
}

/** A median and its range, two table cells. */
const msCells = (s: Summary): [string, string] => [ms(s.median), msRange(s)];

/** 2. Cold start. */
export function renderCold(cold: Cold): string[] {
  const out: string[] = [];
  out.push(
    '## 2. Cold start',
    '',
    `${cold.runs} runs, interleaved (bare, bundle, peer, rotated). Each is a fresh \`node\` process with a clean environment ` +
      'running plain JS; the Secrets Manager and JWKS stand-ins run in the bench process on 127.0.0.1. "Spawn to first ' +
      'token" is measured by the bench: from `spawn()` to the token line (bundle) or the 200 response (peer). "Above bare" ' +
      "subtracts the same run's `node -e 0` (spawn to exit).",
    '',
    table(
      ['phase', 'this project (median)', 'range', 'peer (median)', 'range', 'goal'],
      [
        ['bare `node -e 0`, spawn to exit', ...msCells(cold.bareMs), ...msCells(cold.bareMs), ''],
        ["process start to user code (child's own clock)", ...msCells(cold.lambda.bootMs), '', '', ''],
        [
          'import of the bundle, init fetches included (key + 2 JWKS)',
          ...msCells(cold.lambda.importMs),
          '',
          '',
          '',
        ],
        ['first invocation', ...msCells(cold.lambda.firstInvokeMs), '', '', ''],
        [
          'process start to listening (express, session, key file)',
          '',
          '',
          ...msCells(cold.peer.listeningMs),
          '',
        ],
        [
          '**spawn to first token**',
          ...msCells(cold.lambda.totalMs),
          ...msCells(cold.peer.totalMs),
          '< peer',
        ],
        [
          '**above bare Node**',
          ...msCells(cold.lambda.aboveBareMs),
          ...msCells(cold.peer.aboveBareMs),
          `≤ ${GOALS.coldAboveBareMs} ms`,
        ],
      ],
    ),
    '',
    `Secrets Manager calls per cold start: ${cold.lambda.secretsManagerCallsPerStart.toFixed(2)}.`,
    '',
  );
  return out;
}

/** 3. Sizes. */
export function renderSizes(sizes: Sizes): string[] {
  const out: string[] = [];
  const top = sizes.packages.slice(0, 14);
  const rest = sizes.packages.slice(14);
  const restBytes = rest.reduce((sum, p) => sum + p.bytes, 0);
  out.push(
    '## 3. Sizes',
    '',
    table(
      ['artifact', 'raw', 'gzip (level 9)', 'goal'],
      [
        [
          '`dist/functions/generate-auth-token/index.mjs`',
          kb(sizes.bundleRawBytes),
          kb(sizes.bundleGzipBytes),
          `≤ ${GOALS.bundleRawKb} KB raw, ≤ ${GOALS.bundleGzipKb} KB gzip`,
        ],
        [
          'its external source map (not loaded by Lambda)',
          sizes.sourceMapBytes === undefined ? 'none' : kb(sizes.sourceMapBytes),
          '',
          '',
        ],
        [
          '`web-snippet/dist/ownid-enroll.min.js`',
          sizes.snippetRawBytes === undefined ? 'missing' : `${sizes.snippetRawBytes} B`,
          sizes.snippetGzipBytes === undefined ? '' : `${sizes.snippetGzipBytes} B`,
          `≤ ${GOALS.snippetGzipBytes} B gzip`,
        ],
      ],
    ),
    '',
    'Per package, bytes in the minified bundle (esbuild metafile). KB = 1024 bytes. "credential chain" marks SDK ' +
      'parts reachable only through the default credential provider chain (SSO, STS, INI files, IMDS, process, login), ' +
      'which a Lambda function never uses: Lambda passes credentials in environment variables.',
    '',
    table(
      ['package', 'bytes', 'share', 'credential chain'],
      [
        ...top.map((p) => [
          p.name,
          kb(p.bytes),
          `${((p.bytes / sizes.bundleRawBytes) * 100).toFixed(1)} %`,
          p.credentialChain ? 'yes' : '',
        ]),
        [
          `${rest.length} more`,
          kb(restBytes),
          `${((restBytes / sizes.bundleRawBytes) * 100).toFixed(1)} %`,
          '',
        ],
        [
          '**credential chain, total**',
          kb(sizes.credentialChainBytes),
          `${((sizes.credentialChainBytes / sizes.bundleRawBytes) * 100).toFixed(1)} %`,
          '',
        ],
      ],
    ),
    '',
  );
  return out;
}

/** 4. Throughput. */
export function renderThroughput(throughput: Throughput): string[] {
  const out: string[] = [];
  const p = throughput.project;
  const q = throughput.peer;
  out.push(
    '## 4. Throughput',
    '',
    `autocannon in the bench process, ${throughput.connections} connections for ${throughput.durationSeconds} s against 127.0.0.1, after a 1 s ` +
      'warm-up; each server in its own process. This project: the local server (`dev/local-server.ts`, the code path of ' +
      '`npm start`, the bundle in a worker thread, rate limit off) with a valid bearer session. Peer: the Express app ' +
      "with its session cookie. RSS is the server process's, after the warm-up and after the load.",
    '',
    table(
      ['', 'this project (local server)', 'peer (Express)'],
      [
        ['requests/s (mean)', p.requestsPerSecond.toFixed(0), q.requestsPerSecond.toFixed(0)],
        ['requests completed', String(p.completed), String(q.completed)],
        ['latency p50', ms(p.latencyP50Ms), ms(q.latencyP50Ms)],
        ['latency p99', ms(p.latencyP99Ms), ms(q.latencyP99Ms)],
        ['latency max', ms(p.latencyMaxMs), ms(q.latencyMaxMs)],
        ['errors + timeouts (goal 0)', String(p.errors + p.timeouts), String(q.errors + q.timeouts)],
        ['non-2xx (goal 0)', String(p.non2xx), String(q.non2xx)],
        ['status codes', JSON.stringify(p.statusCodes), JSON.stringify(q.statusCodes)],
        [
          'RSS before → after',
          `${p.rssBeforeMb} → ${p.rssAfterMb} MB`,
          `${q.rssBeforeMb} → ${q.rssAfterMb} MB`,
        ],
        ['Secrets Manager calls during warm-up + load', String(p.secretsManagerCalls), 'n/a'],
      ],
    ),
    '',
  );
  return out;
}

/** 5. Secrets Manager calls. */
export function renderSecretsManager(warm: Warm): string[] {
  const out: string[] = [];
  const s = warm.secretsManager;
  out.push(
    '## 5. Secrets Manager calls',
    '',
    'Counted at the stand-in (`GetSecretValue` requests received).',
    '',
    table(
      ['instance', 'requests', 'GetSecretValue calls', 'per 1,000 requests', 'goal'],
      [
        ['cold start (init, top-level await)', '-', String(s.callsAtInit), '-', '1'],
        [
          'warm, default 300 s cache (all warm cases above)',
          String(s.requests),
          String(s.callsDuringLoad),
          ((s.callsDuringLoad / s.requests) * 1000).toFixed(2),
          '1 per 300 s',
        ],
        [
          `warm, KEY_CACHE_TTL_SECONDS=${s.shortTtl.ttlSeconds}, ${s.shortTtl.seconds} s of sequential requests (init included)`,
          String(s.shortTtl.requests),
          String(s.shortTtl.calls),
          ((s.shortTtl.calls / s.shortTtl.requests) * 1000).toFixed(2),
          `1 per ${s.shortTtl.ttlSeconds} s (≈ ${Math.ceil(s.shortTtl.seconds / s.shortTtl.ttlSeconds)} + init)`,
        ],
      ],
    ),
    '',
  );
  return out;
}
