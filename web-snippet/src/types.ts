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

/**
 * Why no passkey dialog was shown. Skips are normal, so they are not logged to the console. The server's
 * reasons (`Enrollment-Skip` header of a 204) pass through as they come, known to this type or not.
 */
export type EnrollmentSkipReason =
  /** The endpoint answered 401: there is no session, so there is nobody to enroll. */
  | 'no_session'
  /** No `window` or no `AbortController` (server-side rendering, very old browser). */
  | 'unsupported'
  /** `runPendingEnrollment()` found no mark left by `enrollOnNextPageLoad()`. */
  | 'no_pending_mark'
  /** `runPendingEnrollment()` could not read or clear `sessionStorage` (blocked storage, sandboxed frame). */
  | 'storage_unavailable'
  /**
   * This device cannot make a passkey: no `PublicKeyCredential`, or no user-verifying platform
   * authenticator (Touch ID, Windows Hello, Android screen lock). No token was asked for; `ineligible`
   * was reported to the outcome endpoint. See `checkEligibility`.
   */
  | 'ineligible'
  /**
   * This user made a passkey on this device before (remembered in `localStorage` under a SHA-256 of the
   * email). With the `email` hint nothing was requested; without it the token was fetched, OwnID was not
   * opened and nothing was reported.
   */
  | 'enrolled_on_device'
  /** The endpoint answered 429: this user asked for too many tokens (see its `Retry-After`). */
  | 'rate_limited'
  /** 204 `Enrollment-Skip: snoozed`: the user cancelled recently; asked again after the snooze. */
  | 'snoozed'
  /** 204 `Enrollment-Skip: declined`: the user cancelled too often; not asked until an operator resets them. */
  | 'declined'
  /** 204 `Enrollment-Skip: not_in_rollout`: the user is outside the rollout percentage. */
  | 'not_in_rollout'
  /** 204 `Enrollment-Skip: failing`: enrollment failed for this user repeatedly; paused for a day. */
  | 'failing'
  /** 204 `Enrollment-Skip: enrolled`: the user enrolled already and the server stops asking everywhere. */
  | 'enrolled'
  /** A 204 whose `Enrollment-Skip` header is missing or not exposed to the page through CORS. */
  | 'policy'
  /** A reason of a newer server, passed through. */
  | (string & {});

/**
 * The enrollment's outcome, passed to `onEvent` once, before the promise resolves; `type` is also the
 * outcome the promise resolves to.
 */
export type EnrollmentOutcomeEvent =
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

/** What is reported to the outcome endpoint (`ineligible`: this device cannot make a passkey). */
export type ReportedOutcome = 'enrolled' | 'cancelled' | 'failed' | 'ineligible';

/**
 * Passed to `onEvent` when the outcome report did not reach the server: after the outcome event, and
 * possibly after the promise resolved. Nothing else happens (no retry, no console message).
 */
export interface OutcomeReportFailedEvent {
  readonly type: 'report_failed';
  readonly outcome: ReportedOutcome;
  /** The outcome endpoint's status when it answered other than 2xx. */
  readonly status?: number;
  /** Why the report could not be sent (`fetch` rejected, `getAuthorization()` threw). */
  readonly error?: unknown;
}

/** Everything `onEvent` receives: the outcome event, then possibly a `report_failed` event. */
export type EnrollmentEvent = EnrollmentOutcomeEvent | OutcomeReportFailedEvent;

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
  /**
   * Called once with the enrollment's outcome event, and once more with a `report_failed` event if the
   * outcome report fails; whatever it throws is swallowed.
   */
  readonly onEvent?: (event: EnrollmentEvent) => void;
  /**
   * Whether to skip devices that cannot make a passkey (`ineligible`) before asking for a token.
   * @default true
   */
  readonly checkEligibility?: boolean;
  /**
   * The logged-in user's email, when the page knows it: a device where this user made a passkey is then
   * skipped (`enrolled_on_device`) without any request. Only hashed and looked up locally, never sent.
   * @default - the device is checked with the email of the token response
   */
  readonly email?: string;
  /**
   * Where the outcome (`enrolled`, `cancelled`, `failed` with OwnID's message cut to 200 characters as
   * `detail`, or `ineligible`) is POSTed with `keepalive`, the cookies and the Authorization header of the
   * token request. `false`: no report.
   * @default - `enrollment-outcome` beside `endpoint` (`/enrollment-outcome` for the default endpoint)
   */
  readonly outcomeEndpoint?: string | false;
}

/** What `ownid.enrollCredential` resolves to, per OwnID's guide. */
export interface OwnIdEnrollResult {
  readonly data?: unknown;
  readonly error?: unknown;
  readonly message?: string;
}
