// One structured JSON line per request, written straight to stdout so it stays top-level JSON
// under Lambda's JSON log format and CloudWatch metric filters can match `$.outcome`.
// It never holds a token, a cookie, a key or a raw email.
import type { ErrorStatus, ReasonCode, SessionSource } from './errors.ts';
import type { EnrollmentOutcome, SkipReason } from './policy/prompt-policy.ts';
import type { PolicyStatus } from './policy/token-gate.ts';

/** What became of the request: `issued`, `skipped` (with `skipReason`), `outcome_recorded` (with `reported`), a refusal's reason code. */
export type Outcome = 'issued' | 'skipped' | 'outcome_recorded' | 'preflight' | ReasonCode;

/** Which route answered. */
export type RouteName = 'token' | 'outcome';

export interface RequestLogLine {
  /** Lambda's request id. */
  readonly requestId: string;
  /** API Gateway's request id (as in its access log), when the event carries one. */
  readonly apiRequestId?: string;
  readonly outcome: Outcome;
  readonly status: 200 | 204 | ErrorStatus;
  readonly source: SessionSource | 'none';
  readonly coldStart: boolean;
  readonly durationMs: number;
  readonly emailHash?: string;
  readonly route?: RouteName;
  /** Token route: whether the policy store took part (`applied`), is not configured, or failed open. */
  readonly policy?: PolicyStatus;
  readonly skipReason?: SkipReason;
  /** Outcome route: the outcome the page reported. */
  readonly reported?: EnrollmentOutcome;
  /** Outcome route: whether the store recorded it (false without a table, and for `ineligible`). */
  readonly stored?: boolean;
  /** Length of the reported `detail` (OwnID's message may quote an email: never logged itself). */
  readonly detailLength?: number;
  /** A short, value-free description for operators (e.g. what is wrong with the secret). */
  readonly detail?: string;
}

export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

function levelOf(status: number): 'INFO' | 'WARN' | 'ERROR' {
  return status >= 500 ? 'ERROR' : status >= 400 ? 'WARN' : 'INFO';
}

/** `metrics`: the funnel's Embedded Metric Format members (metrics.ts), carried by this same line. */
export function formatRequestLog(
  line: RequestLogLine,
  timestamp: string,
  metrics: Readonly<Record<string, unknown>> = {},
): string {
  return JSON.stringify({
    timestamp,
    level: levelOf(line.status),
    message: 'generate-auth-token',
    ...line,
    ...metrics,
  });
}

/** Lines outside a request (cold start, key refresh): same shape, no request fields. */
export function formatEventLog(
  level: 'INFO' | 'WARN' | 'ERROR',
  message: string,
  fields: Record<string, unknown>,
  timestamp: string,
) {
  return JSON.stringify({ timestamp, level, message, ...fields });
}
