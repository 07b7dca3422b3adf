// The goal summary: one row per goal, taken from each section's results.
import { CASE } from '../sections/warm.ts';
import type { Cold, Sizes, Throughput, Warm } from './bench-report.ts';
import { GOALS, kb, ms, times, verdict } from './format.ts';

/** Goal row: the warm handler against one raw signature. */
export function warmGoalRows(warm: Warm): string[][] {
  const rows: string[][] = [];
  const bearer = warm.ratios[CASE.handlerBearer];
  const cognito = warm.ratios[CASE.handlerCognito];
  const peer = warm.ratios[CASE.peerDirect];
  if (bearer && cognito && peer) {
    const worst = Math.max(bearer.median, cognito.median);
    rows.push([
      'warm handler, × one raw RS256 signature (median of rounds, worse of the two session kinds)',
      `≤ ${GOALS.warmRatio}×`,
      `${times(bearer.median)} bearer, ${times(cognito.median)} Cognito`,
      `${times(peer.median)} (guide's approach)`,
      verdict(worst <= GOALS.warmRatio),
    ]);
  }
  return rows;
}

/** Goal rows: cold start above bare Node and against the peer. */
export function coldGoalRows(cold: Cold): string[][] {
  const rows: string[][] = [];
  rows.push([
    'cold start to first token, above bare `node -e 0` (median)',
    `≤ ${GOALS.coldAboveBareMs} ms`,
    ms(cold.lambda.aboveBareMs.median),
    ms(cold.peer.aboveBareMs.median),
    verdict(cold.lambda.aboveBareMs.median <= GOALS.coldAboveBareMs),
  ]);
  rows.push([
    "cold start below the peer's (median)",
    '< peer',
    ms(cold.lambda.totalMs.median),
    ms(cold.peer.totalMs.median),
    verdict(cold.lambda.totalMs.median < cold.peer.totalMs.median),
  ]);
  return rows;
}

/** Goal rows: bundle and snippet sizes. */
export function sizesGoalRows(sizes: Sizes): string[][] {
  const rows: string[][] = [];
  rows.push([
    'Lambda bundle, raw',
    `≤ ${GOALS.bundleRawKb} KB`,
    kb(sizes.bundleRawBytes),
    'n/a (not bundled)',
    verdict(sizes.bundleRawBytes <= GOALS.bundleRawKb * 1024),
  ]);
  rows.push([
    'Lambda bundle, gzip',
    `≤ ${GOALS.bundleGzipKb} KB`,
    kb(sizes.bundleGzipBytes),
    'n/a',
    verdict(sizes.bundleGzipBytes <= GOALS.bundleGzipKb * 1024),
  ]);
  if (sizes.snippetGzipBytes !== undefined) {
    rows.push([
      'web snippet, gzip',
      `≤ ${GOALS.snippetGzipBytes} B`,
      `${sizes.snippetGzipBytes} B`,
      'n/a',
      verdict(sizes.snippetGzipBytes <= GOALS.snippetGzipBytes),
    ]);
  }
  return rows;
}

/** Goal row: errors under load. */
export function throughputGoalRows(throughput: Throughput): string[][] {
  const rows: string[][] = [];
  const p = throughput.project;
  rows.push([
    `load through the local server: errors / non-2xx (${throughput.durationSeconds} s, ${throughput.connections} connections)`,
    '0 / 0',
    `${p.errors + p.timeouts} / ${p.non2xx}`,
    `${throughput.peer.errors + throughput.peer.timeouts} / ${throughput.peer.non2xx}`,
    verdict(p.errors + p.timeouts === 0 && p.non2xx === 0),
  ]);
  return rows;
}

/** Goal row: Secrets Manager calls while warm. */
export function secretsManagerGoalRows(warm: Warm): string[][] {
  const rows: string[][] = [];
  const { shortTtl, callsDuringLoad, requests } = warm.secretsManager;
  const periods = Math.ceil(shortTtl.seconds / shortTtl.ttlSeconds);
  rows.push([
    'Secrets Manager calls per 1,000 warm requests',
    '1 per cache period',
    `${((callsDuringLoad / requests) * 1000).toFixed(2)} (default 300 s cache); ${shortTtl.calls} in ${shortTtl.seconds} s with a ${shortTtl.ttlSeconds} s cache`,
    '0 (key file read once at start)',
    verdict(callsDuringLoad === 0 && shortTtl.calls <= periods + 1),
  ]);
  return rows;
}
