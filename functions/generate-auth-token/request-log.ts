// One structured JSON line per request, written straight to stdout so it stays top-level JSON
// under Lambda's JSON log format and CloudWatch metric filters can match `$.outcome`.
// It never holds a token, a cookie, a key or a raw email.
import { createHmac, type KeyObject } from 'node:crypto';
import type { ErrorStatus, ReasonCode, SessionSource } from './errors.ts';

export type Outcome = 'issued' | 'preflight' | ReasonCode;

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
  /** A short, value-free description for operators (e.g. what is wrong with the secret). */
  readonly detail?: string;
}

/** A keyed hash of the email: finds one user's lines without the address ever being logged. */
export function emailHashForLog(email: string, logHashKey: KeyObject): string {
  return createHmac('sha256', logHashKey).update(email).digest('base64url').slice(0, 22);
}

export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

function levelOf(status: number): 'INFO' | 'WARN' | 'ERROR' {
  return status >= 500 ? 'ERROR' : status >= 400 ? 'WARN' : 'INFO';
}

export function formatRequestLog(line: RequestLogLine, timestamp: string): string {
  return JSON.stringify({ timestamp, level: levelOf(line.status), message: 'generate-auth-token', ...line });
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
