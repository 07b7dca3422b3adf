import type { EnrollmentOptions, OutcomeReportFailedEvent, ReportedOutcome } from './types.js';

export const DEFAULT_ENDPOINT = '/generate-auth-token';

export interface OutcomeReport {
  readonly outcome: ReportedOutcome;
  readonly token?: string;
  readonly detail?: string;
}

/** `Authorization: Bearer <token>` from `getAuthorization()`, when it gives one. Throws what it throws. */
export const authorizationHeaders = async (options: EnrollmentOptions): Promise<Record<string, string>> => {
  const bearer = await options.getAuthorization?.();
  return bearer ? { Authorization: `Bearer ${bearer}` } : {};
};

/**
 * POSTs the outcome with `keepalive`, so it is delivered even when the page navigates away right after.
 * Resolves to a `report_failed` event when it did not arrive; never rejects. `headers` are those of the
 * token request (none yet for `ineligible`: they are asked for here).
 */
export async function reportOutcome(
  options: EnrollmentOptions,
  body: OutcomeReport,
  headers?: Record<string, string>,
): Promise<OutcomeReportFailedEvent | undefined> {
  const failed = (status?: number, error?: unknown) =>
    ({ type: 'report_failed', outcome: body.outcome, status, error }) as const;
  try {
    const { outcomeEndpoint } = options;
    if (outcomeEndpoint === false) return;
    const response = await fetch(
      // Beside the token endpoint: its last path segment replaced.
      outcomeEndpoint ??
        new URL('enrollment-outcome', new URL(options.endpoint ?? DEFAULT_ENDPOINT, location.href)),
      {
        method: 'POST',
        keepalive: true,
        credentials: 'include',
        headers: {
          ...(headers ?? (await authorizationHeaders(options))),
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      },
    );
    if (!response.ok) return failed(response.status);
  } catch (error) {
    return failed(undefined, error);
  }
}
