// A value loaded on demand and reused for a TTL: one load in flight at a time. Past the TTL the
// cached value is still served at once while one refresh runs in the background
// (stale-while-revalidate): only a caller with nothing cached waits for a load. When a refresh fails
// the cached value keeps serving, with the next attempt after a back-off. The signing key and the
// introspection shared token are both read this way.

export interface RefreshingValueOptions<T> {
  readonly load: () => Promise<T>;
  readonly ttlMs: number;
  readonly now?: () => number;
  /** How long a failed refresh backs off while the cached value is served. @default 30 s */
  readonly retryAfterFailureMs?: number;
  /** Called when a refresh fails but the cached value stays in use. */
  readonly onStaleKept?: (error: Error) => void;
}

export function refreshingValue<T>(options: RefreshingValueOptions<T>): () => Promise<T> {
  const now = options.now ?? Date.now;
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 30_000;
  let cached: { value: T; refreshAt: number } | undefined;
  let inFlight: Promise<T> | undefined;

  function refresh(): Promise<T> {
    inFlight ??= options
      .load()
      .then((value) => {
        cached = { value, refreshAt: now() + options.ttlMs };
        return value;
      })
      .catch((error: Error) => {
        if (cached === undefined) throw error;
        cached.refreshAt = now() + retryAfterFailureMs;
        options.onStaleKept?.(error);
        return cached.value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return () => {
    if (cached === undefined) return refresh();
    // A failed background refresh settles to the cached value (see catch above): nothing is left unhandled.
    if (now() >= cached.refreshAt) void refresh();
    return Promise.resolve(cached.value);
  };
}
