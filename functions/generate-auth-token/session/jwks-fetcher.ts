// The JWKS download used by aws-jwt-verify: WHATWG fetch with a short timeout, no redirects and a
// size cap. It also serves http://127.0.0.1 (local server, tests), which the library's default
// https-only fetcher cannot.
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';

export const MAX_JWKS_BYTES = 64 * 1024;

export interface JwksFetcherOptions {
  readonly timeoutMs?: number;
  /** Rewrites a JWKS URL before download (e.g. the Cognito endpoint override). */
  readonly rewriteUrl?: (url: string) => string;
  /** After a failed download, fail fast for this long instead of asking the struggling endpoint again. */
  readonly failureCooldownMs?: number;
  readonly now?: () => number;
}

export class BoundedJwksFetcher implements Fetcher {
  readonly #timeoutMs: number;
  readonly #rewriteUrl: (url: string) => string;
  readonly #failureCooldownMs: number;
  readonly #now: () => number;
  readonly #failedAt = new Map<string, number>();

  constructor(options: JwksFetcherOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#rewriteUrl = options.rewriteUrl ?? ((url) => url);
    this.#failureCooldownMs = options.failureCooldownMs ?? 0;
    this.#now = options.now ?? Date.now;
  }

  /** Forgets past failures, so the first request after a failed cold-start download tries again. */
  clearFailures(): void {
    this.#failedAt.clear();
  }

  // Unknown kids trigger downloads; during an outage each would wait for a timeout. One attempt per cool-down.
  async fetch(uri: string): Promise<ArrayBuffer> {
    const failedAt = this.#failedAt.get(uri);
    if (failedAt !== undefined && this.#now() - failedAt < this.#failureCooldownMs) {
      throw new FetchError(uri, 'JWKS download failed recently; cooling down');
    }
    try {
      const body = await this.#download(uri);
      this.#failedAt.delete(uri);
      return body;
    } catch (error) {
      this.#failedAt.set(uri, this.#now());
      throw error;
    }
  }

  async #download(uri: string): Promise<ArrayBuffer> {
    const url = this.#rewriteUrl(uri);
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw new FetchError(uri, error instanceof Error ? error.name : 'fetch failed');
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new NonRetryableFetchError(uri, `status ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_JWKS_BYTES) {
      await response.body?.cancel();
      throw new NonRetryableFetchError(uri, 'JWKS too large');
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body ?? []) {
        total += chunk.byteLength;
        if (total > MAX_JWKS_BYTES) throw new NonRetryableFetchError(uri, 'JWKS too large');
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof FetchError) throw error;
      throw new FetchError(uri, error instanceof Error ? error.name : 'read failed');
    }
    const body = Buffer.concat(chunks);
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  }
}
