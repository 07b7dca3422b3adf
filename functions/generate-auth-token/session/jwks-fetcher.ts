// The JWKS download used by aws-jwt-verify: a bounded GET (short timeout, no redirects, size cap)
// that also serves http://127.0.0.1 (local server, tests), which the library's https-only default
// fetcher cannot. It hands the library only the keys jwks-keys.ts accepts, so a JWKS with none is a
// failed download, under the same cool-down as an outage.
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { type BoundedGet, type BoundedResponse, boundedGet } from '../bounded-get.ts';
import { BoundedGetError } from '../errors.ts';
import { usableJwks } from './jwks-keys.ts';

export const MAX_JWKS_BYTES = 64 * 1024;

export interface JwksFetcherOptions {
  readonly timeoutMs?: number;
  /** Rewrites a JWKS URL before download (e.g. the Cognito endpoint override). */
  readonly rewriteUrl?: (url: string) => string;
  /** After a failed download, fail fast for this long instead of asking the struggling endpoint again. */
  readonly failureCooldownMs?: number;
  readonly now?: () => number;
  /** The download itself (a traced one when tracing is on). */
  readonly get?: BoundedGet;
}

export class BoundedJwksFetcher implements Fetcher {
  readonly #timeoutMs: number;
  readonly #rewriteUrl: (url: string) => string;
  readonly #failureCooldownMs: number;
  readonly #now: () => number;
  readonly #get: BoundedGet;
  readonly #failedAt = new Map<string, { at: number; why: string }>();

  constructor(options: JwksFetcherOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#rewriteUrl = options.rewriteUrl ?? ((url) => url);
    this.#failureCooldownMs = options.failureCooldownMs ?? 0;
    this.#now = options.now ?? Date.now;
    this.#get = options.get ?? boundedGet;
  }

  /** Forgets past failures, so the first request after a failed cold-start download tries again. */
  clearFailures(): void {
    this.#failedAt.clear();
  }

  // Unknown kids trigger downloads; during an outage each would wait for a timeout. One attempt per cool-down.
  async fetch(uri: string): Promise<ArrayBuffer> {
    const failed = this.#failedAt.get(uri);
    if (failed !== undefined && this.#now() - failed.at < this.#failureCooldownMs) {
      throw new FetchError(uri, `JWKS download failed recently (${failed.why}); cooling down`);
    }
    try {
      const jwks = usableJwks(await this.#download(uri));
      this.#failedAt.delete(uri);
      return new TextEncoder().encode(JSON.stringify(jwks)).buffer as ArrayBuffer;
    } catch (error) {
      this.#failedAt.set(uri, { at: this.#now(), why: error instanceof Error ? error.message : 'error' });
      throw error;
    }
  }

  async #download(uri: string): Promise<Buffer> {
    let response: BoundedResponse;
    try {
      response = await this.#get(this.#rewriteUrl(uri), {
        timeoutMs: this.#timeoutMs,
        maxBytes: MAX_JWKS_BYTES,
      });
    } catch (error) {
      if (error instanceof BoundedGetError && error.kind === 'too_large')
        throw new NonRetryableFetchError(uri, 'JWKS too large');
      throw new FetchError(uri, error instanceof Error ? error.message : 'fetch failed');
    }
    if (response.status !== 200) throw new NonRetryableFetchError(uri, `status ${response.status}`);
    return response.body;
  }
}
