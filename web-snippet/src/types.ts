/** What `initiatePasskeysEnrollment` and `runPendingEnrollment` resolve to; they never reject. */
export type EnrollmentOutcome = 'enrolled' | 'cancelled' | 'failed' | 'skipped';

/** Why an enrollment failed. Failures are invisible to the user; they reach `onEvent` and `console.warn`. */
export type EnrollmentFailureReason =
  /** The endpoint answered with a status other than 2xx and 401 (see `status`). */
  | 'http_error'
  /** `fetch` rejected: offline, DNS, connection refused, CORS refused. */
  | 'network'
  /** No complete answer (headers and body) within `timeoutMs`. */
  | 'timeout'
  /** The body is not JSON, or `email` / `token` is not a non-empty string. */
  | 'bad_response'
  /** `getAuthorization()` threw or rejected. */
  | 'authorization'
  /** No `window.ownid.enrollCredential` function after `sdkWaitMs`. */
  | 'sdk_missing'
  /** `ownid.enrollCredential` resolved with an `error` (see `message`), or with nothing at all. */
  | 'sdk_error'
  /** `ownid.enrollCredential` threw or rejected. */
  | 'sdk_threw'
  /** A bug in the snippet itself; reported rather than thrown into the page. */
  | 'unexpected';

/** Why nothing was attempted. Skips are normal, so they are not logged to the console. */
export type EnrollmentSkipReason =
  /** The endpoint answered 401: there is no session, so there is nobody to enroll. */
  | 'no_session'
  /** No `window` or no `AbortController` (server-side rendering, very old browser). */
  | 'unsupported'
  /** `runPendingEnrollment()` found no mark left by `enrollOnNextPageLoad()`. */
  | 'no_pending_mark'
  /** `runPendingEnrollment()` could not read or clear `sessionStorage` (blocked storage, sandboxed frame). */
  | 'storage_unavailable';

/** One event per enrollment, passed to `onEvent`; `type` is also the outcome the promise resolves to. */
export type EnrollmentEvent =
  | { readonly type: 'enrolled' }
  | { readonly type: 'cancelled' }
  | {
      readonly type: 'failed';
      readonly reason: EnrollmentFailureReason;
      /** HTTP status, for `http_error`. */
      readonly status?: number;
      /** `result.message` of OwnID, for `sdk_error`. */
      readonly message?: string;
      /** The underlying error or OwnID's `result.error`, for logging. */
      readonly error?: unknown;
    }
  | { readonly type: 'skipped'; readonly reason: EnrollmentSkipReason };

export interface EnrollmentOptions {
  /**
   * URL of the token endpoint, POSTed with `credentials: "include"` (cookies are sent, also cross-origin
   * when the endpoint allows the page's origin with credentials).
   * @default '/generate-auth-token'
   */
  readonly endpoint?: string;
  /**
   * Returns the bearer token of the session (for example Amplify's ID token), sent as
   * `Authorization: Bearer <token>`; return `undefined` or `null` to send cookies only.
   * @default - no Authorization header
   */
  readonly getAuthorization?: () => string | null | undefined | Promise<string | null | undefined>;
  /**
   * Time allowed for `getAuthorization()`, the request and the response body. A value that is not a
   * positive finite number means the default; longer than 2147483647 (about 24.8 days) means that.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * How long to wait for the OwnID SDK (`window.ownid.enrollCredential`) when it is still loading,
   * counted from the call; when the token comes later than that, the SDK is looked for once more then.
   * Values are read like `timeoutMs`.
   * @default 3000
   */
  readonly sdkWaitMs?: number;
  /**
   * The success notification: `true` for the built-in toast, `false` for none, or a function that
   * shows your own (it receives `toastMessage`).
   * @default true
   */
  readonly toast?: boolean | ((message: string) => void);
  /** @default 'Passkey successfully created!' */
  readonly toastMessage?: string;
  /**
   * How long the built-in toast stays on screen. Values are read like `timeoutMs`.
   * @default 4000
   */
  readonly toastDurationMs?: number;
  /** Called once with the enrollment's event; whatever it throws is swallowed. */
  readonly onEvent?: (event: EnrollmentEvent) => void;
}

/** What `ownid.enrollCredential` resolves to, per OwnID's guide. */
export interface OwnIdEnrollResult {
  readonly data?: unknown;
  readonly error?: unknown;
  readonly message?: string;
}
