// The signing key, read from its source (Secrets Manager or a file) and cached by refreshingValue:
// one read in flight at a time; a failed refresh keeps the cached key and retries after a short
// back-off, so a Secrets Manager outage does not take down an instance that already has the key.
import {
  DependencyUnavailableError,
  MisconfigurationError,
  PrivateKeyFormatError,
  SecretMisconfiguredError,
} from './errors.ts';
import { importOwnIdPrivateKey, type OwnIdPrivateKey } from './private-key.ts';
import { refreshingValue } from './refreshing-value.ts';

/** Reads the secret text. Throws SecretUnavailableError (retryable) or SecretMisconfiguredError. */
export type ReadSecret = () => Promise<string>;

export interface SigningKeyProviderOptions {
  readonly readSecret: ReadSecret;
  readonly ttlSeconds: number;
  readonly now?: () => number;
  /** Called when a refresh fails but a cached key stays in use. */
  readonly onStaleKeyKept?: (error: Error) => void;
  /** How long a failed refresh backs off while the cached key is served. */
  readonly retryAfterFailureMs?: number;
}

export type GetSigningKey = () => Promise<OwnIdPrivateKey>;

export function createSigningKeyProvider(options: SigningKeyProviderOptions): GetSigningKey {
  async function load(): Promise<OwnIdPrivateKey> {
    let secretString: string;
    try {
      secretString = await options.readSecret();
    } catch (error) {
      if (error instanceof SecretMisconfiguredError)
        throw new MisconfigurationError('key_invalid', error.message, { cause: error });
      throw new DependencyUnavailableError(
        'key_unavailable',
        error instanceof Error ? error.message : 'secret read failed',
        { cause: error },
      );
    }
    try {
      return await importOwnIdPrivateKey(secretString);
    } catch (error) {
      const detail = error instanceof PrivateKeyFormatError ? error.message : 'the key could not be imported';
      throw new MisconfigurationError('key_invalid', detail, { cause: error });
    }
  }

  return refreshingValue({
    load,
    ttlMs: options.ttlSeconds * 1000,
    now: options.now,
    retryAfterFailureMs: options.retryAfterFailureMs,
    onStaleKept: options.onStaleKeyKept,
  });
}
