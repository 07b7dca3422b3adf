import { describe, expect, it } from 'vitest';
import {
  DependencyUnavailableError,
  MisconfigurationError,
  SecretMisconfiguredError,
  SecretUnavailableError,
} from '../../functions/generate-auth-token/errors.ts';
import { createSigningKeyProvider } from '../../functions/generate-auth-token/signing-key.ts';
import { rsaKey } from '../support/keys.ts';

/** Lets a background refresh that is not awaited run to its end. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

function clock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('createSigningKeyProvider', () => {
  const pem = rsaKey('ownid').pkcs1Pem;

  it('reads once per TTL and shares one read between concurrent callers', async () => {
    const time = clock();
    let reads = 0;
    const getKey = createSigningKeyProvider({
      readSecret: async () => {
        reads++;
        return pem;
      },
      ttlSeconds: 300,
      now: time.now,
    });
    const keys = await Promise.all(Array.from({ length: 50 }, () => getKey()));
    expect(reads).toBe(1);
    expect(new Set(keys).size).toBe(1);
    time.advance(299_000);
    await getKey();
    expect(reads).toBe(1);
    time.advance(2_000);
    await getKey();
    expect(reads).toBe(2);
  });

  it('keeps the cached key when a refresh fails, and backs off before retrying', async () => {
    const time = clock();
    let fail = false;
    let reads = 0;
    const kept: Error[] = [];
    const getKey = createSigningKeyProvider({
      readSecret: async () => {
        reads++;
        if (fail) throw new SecretUnavailableError('GetSecretValue failed with InternalServiceError');
        return pem;
      },
      ttlSeconds: 60,
      now: time.now,
      onStaleKeyKept: (error) => kept.push(error),
      retryAfterFailureMs: 30_000,
    });
    const first = await getKey();
    fail = true;
    time.advance(61_000);
    // Past the TTL the cached key answers at once; the refresh runs (and fails) behind it.
    expect(await getKey()).toBe(first);
    await settled();
    expect(kept).toHaveLength(1);
    time.advance(10_000);
    expect(await getKey()).toBe(first);
    await settled();
    expect(reads).toBe(2); // inside the back-off: no new read
    time.advance(21_000);
    await getKey();
    await settled();
    expect(reads).toBe(3);
  });

  it('past the TTL, serves the cached key while one refresh hangs; only a cold caller waits', async () => {
    const time = clock();
    let reads = 0;
    let hang = false;
    const getKey = createSigningKeyProvider({
      readSecret: () => {
        reads++;
        return hang ? new Promise<string>(() => {}) : Promise.resolve(pem);
      },
      ttlSeconds: 2,
      now: time.now,
    });
    const first = await getKey();
    hang = true;
    time.advance(2_500);
    const keys = await Promise.all(Array.from({ length: 20 }, () => getKey()));
    expect(keys.every((key) => key === first)).toBe(true);
    expect(reads).toBe(2); // one refresh in flight, shared by every caller
    const cold = createSigningKeyProvider({ readSecret: () => new Promise<string>(() => {}), ttlSeconds: 2 });
    const outcome = await Promise.race([cold().then(() => 'loaded'), settled().then(() => 'waiting')]);
    expect(outcome).toBe('waiting');
  });

  it('maps failures with nothing cached: outage -> 503 key_unavailable, bad secret -> 500 key_invalid', async () => {
    const outage = createSigningKeyProvider({
      readSecret: async () => Promise.reject(new SecretUnavailableError('x')),
      ttlSeconds: 60,
    });
    await expect(outage()).rejects.toMatchObject({ status: 503, reason: 'key_unavailable' });
    await expect(outage()).rejects.toBeInstanceOf(DependencyUnavailableError);
    const missing = createSigningKeyProvider({
      readSecret: async () => Promise.reject(new SecretMisconfiguredError('no value')),
      ttlSeconds: 60,
    });
    await expect(missing()).rejects.toBeInstanceOf(MisconfigurationError);
    const garbage = createSigningKeyProvider({ readSecret: async () => 'not a key', ttlSeconds: 60 });
    await expect(garbage()).rejects.toMatchObject({
      status: 500,
      reason: 'key_invalid',
      message: expect.stringMatching(/no PEM block/),
    });
  });
});
