import { enrolledOnDevice, isEligible } from './device.js';
import {
  authorizationHeaders,
  DEFAULT_ENDPOINT,
  type OutcomeReport,
  reportOutcome,
} from './report-outcome.js';
import { type EnrollmentToken, parseTokenResponse } from './response.js';
import { showToast } from './toast.js';
import type {
  EnrollmentEvent,
  EnrollmentFailureReason,
  EnrollmentOptions,
  EnrollmentOutcome,
  EnrollmentOutcomeEvent,
  EnrollmentSkipReason,
  OutcomeReportFailedEvent,
  OwnIdEnrollResult,
} from './types.js';

interface OwnIdSdk {
  enrollCredential(loginId: string, authToken: string): unknown;
}

/** Runs `fn` and swallows whatever it throws or rejects with: host callbacks must not break the page. */
const safely = (fn: () => unknown) => {
  (async () => fn())().catch(() => {});
};

const failed = (reason: EnrollmentFailureReason, error?: unknown, status?: number) => ({
  type: 'failed' as const,
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

const skipped = (reason: EnrollmentSkipReason): EnrollmentOutcomeEvent => ({ type: 'skipped', reason });

async function fetchToken(options: EnrollmentOptions, signal: AbortSignal, headers: Record<string, string>) {
  try {
    // Filled in place: the outcome report reuses the token request's Authorization header.
    Object.assign(headers, await authorizationHeaders(options));
  } catch (error) {
    return failed('authorization', error);
  }
  let response: Response;
  try {
    response = await fetch(options.endpoint ?? DEFAULT_ENDPOINT, {
      method: 'POST',
      credentials: 'include',
      headers,
      signal,
    });
  } catch (error) {
    return failed('network', error);
  }
  const { status } = response;
  // No session: there is nobody to enroll, which is not an error.
  if (status === 401) return skipped('no_session');
  // The server's policy says not now; its reason passes through, known or not.
  if (status === 204) return skipped(response.headers.get('Enrollment-Skip') || 'policy');
  if (status === 429) return skipped('rate_limited');
  if (!response.ok) return failed('http_error', undefined, status);
  try {
    return parseTokenResponse(await response.json()) ?? failed('bad_response');
  } catch (error) {
    return failed('bad_response', error);
  }
}

type CeremonyEvent = Exclude<EnrollmentOutcomeEvent, { type: 'skipped' }>;

/** Opens OwnID's passkey dialog with the token; every answer here is reported to the server. */
async function openOwnId(
  sdkReady: Promise<OwnIdSdk | undefined>,
  token: EnrollmentToken,
): Promise<CeremonyEvent> {
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

type SendReport = (body: OutcomeReport, headers?: Record<string, string>) => void;

async function enroll(options: EnrollmentOptions, send: SendReport): Promise<EnrollmentOutcomeEvent> {
  if (typeof window === 'undefined' || !window.AbortController) return skipped('unsupported');
  const { email } = options;
  // The page named the user and this device remembers their passkey: no request at all.
  if (email && (await enrolledOnDevice(email))) return skipped('enrolled_on_device');
  if (options.checkEligibility !== false && !(await isEligible())) {
    send({ outcome: 'ineligible' });
    return skipped('ineligible');
  }
  // The SDK may finish loading while the token is on its way.
  const sdkReady = waitForSdk(delay(options.sdkWaitMs, 3000));
  // The time limit covers getAuthorization(), the request and the body.
  const controller = new AbortController();
  const headers: Record<string, string> = {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const token = await Promise.race([
    fetchToken(options, controller.signal, headers),
    new Promise<EnrollmentOutcomeEvent>((resolve) => {
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
  // The token response names the user (the hint may be missing or name someone else): a passkey made
  // here already means no dialog and no report.
  if (await enrolledOnDevice(token.email)) return skipped('enrolled_on_device');
  const event = await openOwnId(sdkReady, token);
  // OwnID's message, or the message of what it threw, for the server's failure statistics.
  const detail = event.type === 'failed' && (event.message ?? (event.error as Error | undefined)?.message);
  send(
    {
      outcome: event.type,
      token: token.token,
      detail: typeof detail === 'string' ? detail.slice(0, 200) : undefined,
    },
    headers,
  );
  if (event.type === 'enrolled') await enrolledOnDevice(token.email, 1);
  return event;
}

const tell = (event: EnrollmentEvent, options: EnrollmentOptions) => safely(() => options.onEvent?.(event));

/** Shows the toast or logs the failure, tells `onEvent`, and returns the outcome. Never throws. */
export function report(event: EnrollmentOutcomeEvent, options: EnrollmentOptions): EnrollmentOutcome {
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
  tell(event, options);
  return event.type;
}

let inflight: Promise<EnrollmentOutcome> | undefined;

/**
 * Unless this device cannot make a passkey or already made one for this user, fetches an enrollment token,
 * opens OwnID's passkey dialog and reports its outcome to the server. Resolves to the outcome; never
 * rejects. While one enrollment runs, further calls return its promise (their options are not used).
 */
export function initiatePasskeysEnrollment(options: EnrollmentOptions = {}): Promise<EnrollmentOutcome> {
  const opts = options || {};
  let reported: Promise<OutcomeReportFailedEvent | undefined> | undefined;
  inflight ??= enroll(opts, (body, headers) => {
    reported = reportOutcome(opts, body, headers);
  })
    .catch((error: unknown) => failed('unexpected', error))
    .then((event) => {
      const outcome = report(event, opts);
      // The report was sent before the promise resolves (keepalive); its failure is told after the outcome.
      reported?.then((failure) => failure && tell(failure, opts));
      return outcome;
    })
    .finally(() => {
      inflight = undefined;
    });
  return inflight;
}
