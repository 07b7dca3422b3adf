import { describe, expect, it } from 'vitest';
import {
  DependencyUnavailableError,
  MisconfigurationError,
  SecretMisconfiguredError,
  SecretUnavailableError,
} from '../../functions/generate-auth-token/errors.ts';
import { createSigningKeyProvider } from '../../functions/generate-auth-token/signing-key.ts';
import { rsaKey } from '../support/keys.ts';

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
    expect(await getKey()).toBe(first);
    expect(kept).toHaveLength(1);
    time.advance(10_000);
    await getKey();
    expect(reads).toBe(2); // inside the back-off: no new read
    time.advance(21_000);
    await getKey();
    expect(reads).toBe(3);
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
