import { parseTokenResponse } from './response.js';
import { showToast } from './toast.js';
import type {
  EnrollmentEvent,
  EnrollmentFailureReason,
  EnrollmentOptions,
  EnrollmentOutcome,
  OwnIdEnrollResult,
} from './types.js';

interface OwnIdSdk {
  enrollCredential(loginId: string, authToken: string): unknown;
}

/** Runs `fn` and swallows whatever it throws or rejects with: host callbacks must not break the page. */
const safely = (fn: () => unknown) => {
  (async () => fn())().catch(() => {});
};

const failed = (reason: EnrollmentFailureReason, error?: unknown, status?: number): EnrollmentEvent => ({
  type: 'failed',
  reason,
  error,
  status,
});

/** `ms` when it is a usable timer delay (positive, finite), capped at setTimeout's limit; else `fallback`. */
const delay = (ms: number | undefined, fallback: number) =>
  Math.min((ms as number) > 0 && (ms as number) < 1 / 0 ? (ms as number) : fallback, 2147483647);

/** Resolves to the OwnID SDK, polling while it is still loading, or to undefined after `ms`. */
const waitForSdk = (ms: number) =>
  new Promise<OwnIdSdk | undefined>((resolve) => {
    const deadline = Date.now() + ms;
    const poll = () => {
      const sdk = (window as { ownid?: Partial<OwnIdSdk> }).ownid;
      if (typeof sdk?.enrollCredential === 'function') resolve(sdk as OwnIdSdk);
      else if (Date.now() < deadline) setTimeout(poll, 50);
      else resolve(undefined);
    };
    poll();
  });

async function fetchToken(options: EnrollmentOptions, signal: AbortSignal) {
  const headers: Record<string, string> = {};
  try {
    const bearer = await options.getAuthorization?.();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
  } catch (error) {
    return failed('authorization', error);
  }
  let response: Response;
  try {
    response = await fetch(options.endpoint ?? '/generate-auth-token', {
      method: 'POST',
      credentials: 'include',
      headers,
      signal,
    });
  } catch (error) {
    return failed('network', error);
  }
  // No session: there is nobody to enroll, which is not an error.
  if (response.status === 401) return { type: 'skipped', reason: 'no_session' } as const;
  if (!response.ok) return failed('http_error', undefined, response.status);
  try {
    return parseTokenResponse(await response.json()) ?? failed('bad_response');
  } catch (error) {
    return failed('bad_response', error);
  }
}

async function enroll(options: EnrollmentOptions): Promise<EnrollmentEvent> {
  if (typeof window === 'undefined' || !window.AbortController) {
    return { type: 'skipped', reason: 'unsupported' };
  }
  // The SDK may finish loading while the token is on its way.
  const sdkReady = waitForSdk(delay(options.sdkWaitMs, 3000));
  // The time limit covers getAuthorization(), the request and the body.
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const token = await Promise.race([
    fetchToken(options, controller.signal),
    new Promise<EnrollmentEvent>((resolve) => {
      timer = setTimeout(
        () => {
          controller.abort();
          resolve(failed('timeout'));
        },
        delay(options.timeoutMs, 10_000),
      );
    }),
  ]).finally(() => clearTimeout(timer));
  if ('type' in token) return token;
  // The wait ran from the start: a token slower than `sdkWaitMs` gives the SDK that long too.
  const sdk = (await sdkReady) || (await waitForSdk(0));
  if (!sdk) return failed('sdk_missing');
  let result: OwnIdEnrollResult | null;
  try {
    result = (await sdk.enrollCredential(token.email, token.token)) as OwnIdEnrollResult | null;
  } catch (error) {
    return failed('sdk_threw', error);
  }
  if (!result) return failed('sdk_error');
  if (result.data) return { type: 'enrolled' };
  if (result.error) {
    return { type: 'failed', reason: 'sdk_error', error: result.error, message: result.message };
  }
  // Neither data nor error: the user cancelled or dismissed OwnID's dialog.
  return { type: 'cancelled' };
}

/** Shows the toast or logs the failure, tells `onEvent`, and returns the outcome. Never throws. */
export function report(event: EnrollmentEvent, options: EnrollmentOptions): EnrollmentOutcome {
  // Each step apart: a throwing option getter, toast or console.warn of the page stops only itself.
  safely(() => {
    const { toast = true } = options;
    if (event.type === 'enrolled' && toast) {
      const message = options.toastMessage ?? 'Passkey successfully created!';
      toast === true ? showToast(message, delay(options.toastDurationMs, 4000)) : toast(message);
    }
  });
  safely(
    () =>
      event.type === 'failed' && console.warn('OwnIDEnroll: passkey enrollment failed:', event.reason, event),
  );
  safely(() => options.onEvent?.(event));
  return event.type;
}

let inflight: Promise<EnrollmentOutcome> | undefined;

/**
 * Fetches an enrollment token and opens OwnID's passkey dialog. Resolves to the outcome; never rejects.
 * While one enrollment runs, further calls return its promise (their options are not used).
 */
export function initiatePasskeysEnrollment(options: EnrollmentOptions = {}): Promise<EnrollmentOutcome> {
  const opts = options || {};
  inflight ??= enroll(opts)
    .catch((error: unknown) => failed('unexpected', error))
    .then((event) => report(event, opts))
    .finally(() => {
      inflight = undefined;
    });
  return inflight;
}
