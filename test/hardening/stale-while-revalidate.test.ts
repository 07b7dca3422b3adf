// Stale-while-revalidate, measured through the handler: once a key (or the introspection shared
// token) is cached, a refresh that hangs in Secrets Manager never holds a request. Every request is
// timed; only a cold start with nothing cached may wait.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import { issuerClaims } from '../support/forged-tokens.ts';
import { expectIssuedFor, requestLogLine } from '../support/hardening-assertions.ts';
import {
  ALLOWED_ORIGIN,
  createTestFunction,
  ISSUER_KID,
  SECRET_ID,
  type Stand,
  startStand,
  type TestFunction,
} from '../support/scenario.ts';
import {
  introspectionOnlyEnv,
  type SiteSessionEndpoint,
  startSiteSessionEndpoint,
} from '../support/site-session-endpoint.ts';
import { sessionJwt } from '../support/tokens.ts';

/** "Well under" the 500 ms the red team measured against (a blocked refresh took about 2.5 s). */
const LIMIT_MS = 500;
const SHARED_TOKEN_ID = 'site/introspection-token';

let stand: Stand;
let site: SiteSessionEndpoint;
let ada: string;
const measured: Record<string, { count: number; maxMs: number; medianMs: number }> = {};

beforeAll(async () => {
  [stand, site] = await Promise.all([startStand(), startSiteSessionEndpoint()]);
  ada = await sessionJwt(issuerClaims(), stand.issuerKey.privateKey, { kid: ISSUER_KID });
  stand.secretsManager.secrets.set(SHARED_TOKEN_ID, 'shared-token-123');
});
afterEach(() => {
  stand.secretsManager.mode = 'ok';
});
afterAll(async () => {
  // The numbers the closing note quotes.
  console.info(JSON.stringify({ staleWhileRevalidate: measured }));
  await Promise.all([stand.close(), site.close()]);
});

async function timed(fn: TestFunction, headers: Record<string, string>) {
  const started = performance.now();
  const result = await fn.invoke(restEvent({ headers }));
  return { result, ms: performance.now() - started };
}

function summarise(name: string, latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  measured[name] = {
    count: sorted.length,
    maxMs: Math.round(sorted.at(-1) ?? 0),
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
  };
  return measured[name];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const countReads = (id: string) => stand.secretsManager.calls.filter((c) => c === id).length;

describe('a cached signing key answers while its refresh hangs (KEY_CACHE_TTL_SECONDS=2, real clock)', () => {
  it('every request for 5 s after the TTL, alone or 10 at once, answers 200 well under 500 ms', async () => {
    const fn = createTestFunction({ ...stand.env, KEY_CACHE_TTL_SECONDS: '2' });
    await fn.runtime.warmUp();
    const readsBefore = countReads(SECRET_ID);
    expect((await timed(fn, { Authorization: `Bearer ${ada}` })).result.statusCode).toBe(200);
    stand.secretsManager.mode = 'hang';

    const latencies: number[] = [];
    const started = performance.now();
    let round = 0;
    while (performance.now() - started < 5000) {
      // Every fifth round is a burst of 10 concurrent requests, the rest one request each.
      const width = round % 5 === 4 ? 10 : 1;
      const results = await Promise.all(
        Array.from({ length: width }, () => timed(fn, { Authorization: `Bearer ${ada}` })),
      );
      for (const { result, ms } of results) {
        expect(result.statusCode).toBe(200);
        latencies.push(ms);
      }
      round += 1;
      await sleep(100);
    }
    await expectIssuedFor(
      (await timed(fn, { Authorization: `Bearer ${ada}` })).result,
      'ada@example.com',
      stand.ownIdKey.pkcs1Pem,
    );

    const summary = summarise('signingKey', latencies);
    expect(summary.count).toBeGreaterThanOrEqual(40);
    expect(summary.maxMs).toBeLessThan(LIMIT_MS);
    // One refresh at a time: the first read plus one hanging refresh (the SDK retries it once); then the back-off.
    const reads = countReads(SECRET_ID) - readsBefore;
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(3);
    // The hung refresh gave up inside the SDK's budget and said so, once.
    const refreshFailures = fn.logs.filter(
      (l) => (JSON.parse(l) as { outcome?: string }).outcome === 'key_refresh_failed',
    );
    expect(refreshFailures).toHaveLength(1);
  }, 20_000);

  it('a cold start with nothing cached waits for the key, and a hanging read ends in a 503', async () => {
    stand.secretsManager.mode = 'hang';
    const fn = createTestFunction({ ...stand.env, KEY_CACHE_TTL_SECONDS: '2' });
    const { result, ms } = await timed(fn, { Authorization: `Bearer ${ada}` });
    expect(result.statusCode).toBe(503);
    expect(requestLogLine(fn.logs).outcome).toBe('key_unavailable');
    expect(ms).toBeGreaterThan(1000);
  }, 20_000);
});

describe('the cached introspection shared token answers while its refresh hangs', () => {
  it('past its 300 s cache, 20 requests (one burst of 10) answer 200 well under 500 ms', async () => {
    let clock = Date.now();
    const fn = createTestFunction(
      introspectionOnlyEnv(stand.env, site.url, { SESSION_INTROSPECTION_SECRET_ID: SHARED_TOKEN_ID }),
      { now: () => clock },
    );
    const cookie = { Cookie: 'connect.sid=s%3Avalid.sig', Origin: ALLOWED_ORIGIN };
    expect((await timed(fn, cookie)).result.statusCode).toBe(200);
    const readsBefore = countReads(SHARED_TOKEN_ID);
    site.received.length = 0;
    stand.secretsManager.mode = 'hang';
    clock += 301_000;

    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) latencies.push((await timed(fn, cookie)).ms);
    const burst = await Promise.all(Array.from({ length: 10 }, () => timed(fn, cookie)));
    latencies.push(...burst.map((b) => b.ms));
    expect(burst.every((b) => b.result.statusCode === 200)).toBe(true);

    const summary = summarise('introspectionSharedToken', latencies);
    expect(summary.maxMs).toBeLessThan(LIMIT_MS);
    expect(site.received.map((h) => h['x-ownid-enrollment-token'])).toEqual(
      Array(20).fill('shared-token-123'),
    );
    expect(countReads(SHARED_TOKEN_ID) - readsBefore).toBe(1);
  }, 20_000);
});
